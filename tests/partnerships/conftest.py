"""Helpers for partnership tests."""

from __future__ import annotations

from datetime import date
from typing import Any

from msoic.orgunits.models import OrgUnit
from msoic.partnerships.actions import do_create_partnership
from msoic.partnerships.models import Partnership


def make_partnership(
    actor: Any,
    *,
    name: str = "Eastern Region Anti-Slavery Partnership",
    area: str = "eastern",
    forces: tuple[str, ...] = ("kent", "essex"),
    started_on: date = date(2022, 4, 1),
    coordinator: Any = None,
) -> Partnership:
    return do_create_partnership(
        OrgUnit.objects.get(code=area),
        actor=actor,
        name=name,
        cadence="quarterly",
        started_on=started_on,
        forces=list(OrgUnit.objects.filter(code__in=forces)),
        organisations=["Essex County Council", "The Salvation Army", ""],
        coordinator=coordinator,
    )
