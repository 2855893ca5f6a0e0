"""Helpers for operations-supported tests: an operation logged through the action."""

from __future__ import annotations

from datetime import date
from typing import Any

from msoic.orgunits.models import OrgUnit
from msoic.support.actions import do_add_financial_outcome, do_log_supported_operation
from msoic.support.models import SupportedOperation


def make_operation(
    force: str,
    actor: Any,
    *,
    name: str = "",
    start: date = date(2023, 6, 1),
    types: tuple[str, ...] = ("advice",),
    crime_type: str = "oic",
    provider: str = "unit",
    outcome: str | None = None,
) -> SupportedOperation:
    op = do_log_supported_operation(
        OrgUnit.objects.get(code=force),
        actor=actor,
        support_types=types,
        operation_name=name or f"Operation {force.title()}",
        crime_type=crime_type,
        provider=provider,
        start_date=start,
    )
    if outcome:
        do_add_financial_outcome(op, actor=actor, kind="confiscation", amount=outcome)
    return op
