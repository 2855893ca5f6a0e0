"""Every change to the operations-supported log: one ``do_<verb>_<noun>`` each, atomic,
audited (as alteration, the step in the row's detail).

Rules: the unit logs support for any force, a regional coordinator only for the forces of
their region; force users read their own entries and change nothing. At least one support
type; the end date not before the start; amounts are exact, positive pounds and pence.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from msoic.audit.log import record
from msoic.audit.models import AuditAction
from msoic.metrics.money import MoneyError, format_pounds, parse_pounds
from msoic.metrics.periods import financial_year_start
from msoic.orgunits.models import OrgUnit
from msoic.support import access as support_access
from msoic.support.models import (
    CrimeType,
    FinancialOutcome,
    OperationSupportType,
    OutcomeKind,
    Provider,
    SupportedOperation,
    SupportType,
)

FIELDS = (
    "operation_name",
    "crime_type",
    "provider",
    "adviser",
    "start_date",
    "end_date",
    "outcome",
)


def _audit(step: str, *, actor: Any, op: SupportedOperation, detail: dict[str, Any]) -> None:
    record(
        actor=actor,
        action=AuditAction.ALTERATION,
        obj=op,
        orgunit=op.force,
        detail={"step": step, **detail},
    )


def _require_logger(actor: Any, force: OrgUnit) -> None:
    if not support_access.can_log_support_for(actor, force):
        raise PermissionDenied(f"You may not log support for {force.name}")


def _check(fields: dict[str, Any], support_types: list[str]) -> None:
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValueError(f"Unknown fields {sorted(unknown)}")
    if not str(fields.get("operation_name", "")).strip():
        raise ValidationError("Give the operation's name")
    if fields.get("crime_type") not in CrimeType.values:
        raise ValidationError(f"Unknown crime type {fields.get('crime_type')!r}")
    if fields.get("provider") not in Provider.values:
        raise ValidationError(f"Unknown provider {fields.get('provider')!r}")
    start, end = fields.get("start_date"), fields.get("end_date")
    if not isinstance(start, date):
        raise ValidationError("Give the date the support started")
    if end is not None and end < start:
        raise ValidationError("The support cannot end before it starts")
    if not support_types:
        raise ValidationError("Choose at least one type of support")
    bad = set(support_types) - set(SupportType.values)
    if bad:
        raise ValidationError(f"Unknown support type(s) {sorted(bad)}")


@transaction.atomic
def do_log_supported_operation(
    force: OrgUnit, *, actor: Any, support_types: Iterable[str], **fields: Any
) -> SupportedOperation:
    _require_logger(actor, force)
    types = sorted(set(support_types))
    fields.setdefault("adviser", "")
    fields.setdefault("end_date", None)
    fields.setdefault("outcome", "")
    _check(fields, types)
    op = SupportedOperation.objects.create(
        force=force,
        fy_start=financial_year_start(fields["start_date"]),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **fields,
    )
    OperationSupportType.objects.bulk_create(
        OperationSupportType(operation=op, support_type=t) for t in types
    )
    _audit(
        "support.log",
        actor=actor,
        op=op,
        detail={"operation": op.operation_name, "support_types": types},
    )
    return op


@transaction.atomic
def do_update_supported_operation(
    op: SupportedOperation,
    *,
    actor: Any,
    support_types: Iterable[str] | None = None,
    force: OrgUnit | None = None,
    **fields: Any,
) -> SupportedOperation:
    op = SupportedOperation.objects.select_for_update().select_related("force").get(pk=op.pk)
    _require_logger(actor, op.force)
    if force is not None and force.pk != op.force_id:
        _require_logger(actor, force)
    types = (
        sorted(set(support_types))
        if support_types is not None
        else list(op.support_types.values_list("support_type", flat=True))
    )
    merged = {f: getattr(op, f) for f in FIELDS}
    merged.update(fields)
    _check(merged, types)
    changed = {k: str(v) for k, v in merged.items() if getattr(op, k) != v}
    for key, value in merged.items():
        setattr(op, key, value)
    if force is not None and force.pk != op.force_id:
        changed["force"] = force.code
        op.force = force
    op.fy_start = financial_year_start(op.start_date)
    op.updated_at = timezone.now()
    op.save()
    old_types = set(op.support_types.values_list("support_type", flat=True))
    if old_types != set(types):
        changed["support_types"] = ",".join(types)
        op.support_types.exclude(support_type__in=types).delete()
        OperationSupportType.objects.bulk_create(
            OperationSupportType(operation=op, support_type=t) for t in set(types) - old_types
        )
    _audit("support.update", actor=actor, op=op, detail={"changed": changed})
    return op


@transaction.atomic
def do_add_financial_outcome(
    op: SupportedOperation,
    *,
    actor: Any,
    kind: str,
    amount: str,
    made_on: date | None = None,
    note: str = "",
) -> FinancialOutcome:
    """``amount`` is pounds as typed (``£198,000``, ``1234.5``), read by
    :func:`parse_pounds` exactly to the penny; anything ambiguous is refused with the reason."""
    op = SupportedOperation.objects.select_for_update().select_related("force").get(pk=op.pk)
    _require_logger(actor, op.force)
    if kind not in OutcomeKind.values:
        raise ValidationError(f"Unknown financial outcome {kind!r}")
    if not isinstance(amount, str):
        raise ValidationError("Give the amount as typed, e.g. '198000.00'")
    try:
        pence = parse_pounds(amount)
    except MoneyError as exc:
        raise ValidationError(str(exc)) from exc
    if pence is None or pence <= 0:
        raise ValidationError("The amount must be more than £0.00")
    outcome = FinancialOutcome.objects.create(
        operation=op, kind=kind, amount_pence=pence, made_on=made_on, note=note
    )
    _audit(
        "support.add_outcome",
        actor=actor,
        op=op,
        detail={"kind": kind, "amount": format_pounds(pence)},
    )
    return outcome


@transaction.atomic
def do_remove_financial_outcome(outcome: FinancialOutcome, *, actor: Any) -> None:
    op = (
        SupportedOperation.objects.select_for_update()
        .select_related("force")
        .get(pk=outcome.operation_id)
    )
    _require_logger(actor, op.force)
    detail = {
        "kind": outcome.kind,
        "amount": format_pounds(outcome.amount_pence),
        "outcome_id": outcome.pk,
    }
    outcome.delete()
    _audit("support.remove_outcome", actor=actor, op=op, detail=detail)
