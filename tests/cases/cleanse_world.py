"""Register records made directly (fast), for the cleanse, marker and NRM picture tests."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from msoic.cases.models import Investigation, Person
from msoic.orgunits.models import OrgUnit

_seq = itertools.count(1)


def make_case(
    force: str,
    ref: str,
    opened_on: date,
    *,
    closed_on: date | None = None,
    primary: str = "labour",
    last_reviewed_on: date | None = None,
) -> Investigation:
    return Investigation.objects.create(
        force=OrgUnit.objects.get(code=force),
        crime_reference=ref,
        opened_on=opened_on,
        closed_on=closed_on,
        status="closed" if closed_on else "live",
        outcome="nfa" if closed_on else "",
        primary_exploitation=primary,
        exploitation_types=[primary] if primary else [],
        last_reviewed_on=last_reviewed_on,
    )


def make_person(inv: Investigation, category: str = "victim", **fields: Any) -> Person:
    return Person.objects.create(
        investigation=inv,
        force_id=inv.force_id,
        reference=f"TEST-P{next(_seq):06d}",
        category=category,
        **fields,
    )
