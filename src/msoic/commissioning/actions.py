"""Every state change of commissioning: one ``do_<verb>_<noun>`` each, atomic, audited.

Rules enforced here (views and the demo only call these):
- only the unit (national users) opens envelopes and bid windows, decides bids and sets
  allocations;
- a force bids for itself, a regional coordinator for their ROCU, while a window is open
  (the unit may record a bid sent in on paper for any force or ROCU);
- a bid is decided once: approved (the amount asked), part-funded (less than asked) or
  declined, always with a reason;
- an award never takes an envelope past its amount. The envelope row is locked
  (``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite every transaction begins IMMEDIATE,
  see ``msoic.env.parse_database_url``, so writers queue) before the committed total is
  read, so two awards made at once are checked one after the other;
- spend against an award never exceeds it (the bid row is locked the same way).

Every ``amount`` is whole pence (an ``int``, ADR 0007): the forms and the demo turn what
people type into pence with :mod:`msoic.metrics.money` before calling these.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from msoic.audit.log import record
from msoic.audit.models import AuditAction
from msoic.commissioning import access as commissioning_access
from msoic.commissioning.models import (
    ActivityType,
    Bid,
    BidStatus,
    BidWindow,
    FundingAllocation,
    FundingEnvelope,
    Programme,
    SpendReturn,
)
from msoic.commissioning.money import MAX_PENCE
from msoic.metrics.money import format_entry, format_pounds
from msoic.metrics.periods import Period, PeriodError
from msoic.orgunits.models import OrgUnit, OrgUnitKind


def _require_unit(actor: Any) -> None:
    if not commissioning_access.can_manage_commissioning(actor):
        raise PermissionDenied("Only the unit's commissioning team may do this")


def _money(pence: int, what: str) -> int:
    """``pence`` if it is a positive whole number of pence the models can hold."""
    if isinstance(pence, bool) or not isinstance(pence, int):
        raise ValidationError(
            f"{what}: {pence!r} is not a whole number of pence (parse pounds with "
            "msoic.metrics.money first)"
        )
    if pence <= 0:
        raise ValidationError(f"{what} must be more than £0.00")
    if pence > MAX_PENCE:
        raise ValidationError(f"{what}: {format_pounds(pence)} is too large")
    return pence


def _noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, 0, tzinfo=UTC)


def _financial_year(code: str) -> str:
    try:
        period = Period.parse(code)
    except PeriodError as exc:
        raise ValidationError(str(exc)) from exc
    if period.kind != "fy":
        raise ValidationError(f"{code!r} is not a financial year: use e.g. FY2023-24")
    return period.code


@transaction.atomic
def do_create_funding_envelope(
    *,
    actor: Any,
    name: str,
    source: str,
    amount: int,
    financial_year: str,
    programme: str,
    purpose: str,
) -> FundingEnvelope:
    _require_unit(actor)
    if programme not in Programme.values:
        raise ValidationError(f"Unknown programme {programme!r}")
    envelope = FundingEnvelope.objects.create(
        name=name.strip(),
        source=source.strip(),
        amount_pence=_money(amount, "The envelope"),
        financial_year=_financial_year(financial_year),
        programme=programme,
        purpose=purpose.strip(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    record(
        actor=actor,
        action=AuditAction.COLLECTION,
        obj=envelope,
        orgunit="national",
        detail={
            "step": "commissioning.create_envelope",
            "amount": format_entry(envelope.amount_pence),
            "financial_year": envelope.financial_year,
        },
    )
    return envelope


@transaction.atomic
def do_open_bid_window(
    envelope: FundingEnvelope, *, actor: Any, title: str, opens: date, closes: date
) -> BidWindow:
    _require_unit(actor)
    if closes < opens:
        raise ValidationError("A bid window cannot close before it opens")
    window = BidWindow.objects.create(
        envelope=envelope, title=title.strip(), opens=opens, closes=closes
    )
    record(
        actor=actor,
        action=AuditAction.COLLECTION,
        obj=window,
        orgunit="national",
        detail={
            "step": "commissioning.open_window",
            "envelope": envelope.pk,
            "opens": opens.isoformat(),
            "closes": closes.isoformat(),
        },
    )
    return window


@transaction.atomic
def do_submit_bid(
    window: BidWindow,
    *,
    actor: Any,
    orgunit: OrgUnit,
    title: str,
    purpose: str,
    activity_type: str,
    amount: int,
    period_start: date,
    period_end: date,
    today: date | None = None,
) -> Bid:
    """A force's or ROCU's bid, made by one of its users, or recorded for it by the unit
    (a bid sent in on paper). ``today`` is for the demo, which replays past windows."""
    own = commissioning_access.bidding_orgunit(actor)
    on_behalf = commissioning_access.can_manage_commissioning(actor)
    if on_behalf and orgunit.kind not in (OrgUnitKind.FORCE, OrgUnitKind.REGION):
        raise ValidationError("Bids come from a force or a ROCU")
    if not on_behalf and (own is None or own.pk != orgunit.pk):
        raise PermissionDenied("You may bid only for your own force or ROCU")
    on = today or timezone.localdate()
    if not window.is_open(on):
        raise ValidationError(
            f"The window {window.title!r} is open from {window.opens:%d %B %Y} "
            f"to {window.closes:%d %B %Y}"
        )
    if activity_type not in ActivityType.values:
        raise ValidationError(f"Unknown activity type {activity_type!r}")
    if period_end < period_start:
        raise ValidationError("The activity period cannot end before it starts")
    if not purpose.strip():
        raise ValidationError("Say what the money is for")
    region = orgunit if orgunit.kind == OrgUnitKind.REGION else orgunit.parent
    assert region is not None
    bid = Bid.objects.create(
        window=window,
        orgunit=orgunit,
        region=region,
        title=title.strip(),
        purpose=purpose.strip(),
        activity_type=activity_type,
        amount_requested_pence=_money(amount, "The bid"),
        period_start=period_start,
        period_end=period_end,
        submitted_by=actor,
    )
    if today is not None:
        # The demo replays a past window: the bid was submitted on that day.
        bid.submitted_at = _noon(on)
        bid.save(update_fields=["submitted_at"])
    record(
        actor=actor,
        action=AuditAction.COLLECTION,
        obj=bid,
        orgunit=orgunit,
        detail={
            "step": "commissioning.submit_bid",
            "amount": format_entry(bid.amount_requested_pence),
            "recorded_by_unit": on_behalf,
        },
    )
    return bid


@transaction.atomic
def do_decide_bid(
    bid: Bid,
    *,
    actor: Any,
    outcome: str,
    reason: str,
    amount: int | None = None,
    today: date | None = None,
) -> Bid:
    """Approve (the amount asked), part-fund (``amount`` pence, less than asked) or decline.

    The envelope row is locked first, then the bid, so concurrent awards against one
    envelope are checked in turn and the committed total read here is the true one.
    ``today`` is for the demo, which replays decisions made in the past."""
    _require_unit(actor)
    if outcome not in (BidStatus.APPROVED, BidStatus.PART_FUNDED, BidStatus.DECLINED):
        raise ValidationError(f"Unknown decision {outcome!r}")
    if not reason.strip():
        raise ValidationError("Give the reason for the decision")
    envelope = FundingEnvelope.objects.select_for_update().get(
        pk=BidWindow.objects.values_list("envelope_id", flat=True).get(pk=bid.window_id)
    )
    bid = Bid.objects.select_for_update().select_related("orgunit").get(pk=bid.pk)
    if bid.is_decided:
        raise ValidationError(
            f"This bid was already decided ({bid.get_status_display().lower()}) and cannot "
            "be decided again"
        )
    award: int | None = None
    if outcome == BidStatus.APPROVED:
        award = bid.amount_requested_pence
    elif outcome == BidStatus.PART_FUNDED:
        if amount is None:
            raise ValidationError("Give the amount awarded to a part-funded bid")
        award = _money(amount, "The amount awarded")
        if award >= bid.amount_requested_pence:
            raise ValidationError(
                f"A part-funded award is less than the "
                f"{format_pounds(bid.amount_requested_pence)} asked for: approve the bid instead"
            )
    if award is not None:
        uncommitted = envelope.amount_pence - envelope.committed()
        if award > uncommitted:
            raise ValidationError(
                f"An award of {format_pounds(award)} would overdraw {envelope.name}: "
                f"{format_pounds(uncommitted)} is uncommitted"
            )
    bid.status = outcome
    bid.amount_awarded_pence = award
    bid.decision_reason = reason.strip()
    bid.decided_at = _noon(today) if today else timezone.now()
    bid.decided_by = actor
    bid.save(
        update_fields=[
            "status",
            "amount_awarded_pence",
            "decision_reason",
            "decided_at",
            "decided_by",
        ]
    )
    record(
        actor=actor,
        action=AuditAction.APPROVE if award is not None else AuditAction.REJECT,
        obj=bid,
        orgunit=bid.orgunit,
        detail={
            "step": "commissioning.decide_bid",
            "outcome": outcome,
            "awarded": format_entry(award) if award is not None else None,
            "envelope": envelope.pk,
        },
    )
    return bid


@transaction.atomic
def do_record_spend(
    bid: Bid, *, actor: Any, amount: int, spent_on: date, note: str = ""
) -> SpendReturn:
    if not commissioning_access.can_record_spend(actor, bid):
        raise PermissionDenied("Only the bidder or the unit reports spend against an award")
    bid = Bid.objects.select_for_update().select_related("orgunit").get(pk=bid.pk)
    if not bid.is_awarded or bid.amount_awarded_pence is None:
        raise ValidationError("Spend is reported only against an approved or part-funded bid")
    amount = _money(amount, "The spend")
    remaining = bid.amount_awarded_pence - bid.spent()
    if amount > remaining:
        raise ValidationError(
            f"Spend of {format_pounds(amount)} would exceed the award: "
            f"{format_pounds(remaining)} of {format_pounds(bid.amount_awarded_pence)} is unspent"
        )
    spend = SpendReturn.objects.create(
        bid=bid, amount_pence=amount, spent_on=spent_on, note=note.strip(), recorded_by=actor
    )
    record(
        actor=actor,
        action=AuditAction.COLLECTION,
        obj=spend,
        orgunit=bid.orgunit,
        detail={
            "step": "commissioning.record_spend",
            "bid": bid.pk,
            "amount": format_entry(amount),
        },
    )
    return spend


@transaction.atomic
def do_set_funding_allocation(
    *,
    actor: Any,
    financial_year: str,
    programme: str,
    amount: int,
    source: str,
    expires_on: date,
    note: str = "",
) -> FundingAllocation:
    """Create or change a programme's allocation for a year (the old figure is audited)."""
    _require_unit(actor)
    if programme not in Programme.values:
        raise ValidationError(f"Unknown programme {programme!r}")
    year = _financial_year(financial_year)
    amount = _money(amount, "The allocation")
    if expires_on < Period.parse(year).start:
        raise ValidationError("An allocation cannot expire before its financial year begins")
    existing = (
        FundingAllocation.objects.select_for_update()
        .filter(financial_year=year, programme=programme)
        .first()
    )
    before = format_entry(existing.amount_pence) if existing else None
    if existing is None:
        allocation = FundingAllocation.objects.create(
            financial_year=year,
            programme=programme,
            amount_pence=amount,
            source=source.strip(),
            expires_on=expires_on,
            note=note.strip(),
            created_by=actor if getattr(actor, "pk", None) else None,
        )
    else:
        allocation = existing
        allocation.amount_pence = amount
        allocation.source = source.strip()
        allocation.expires_on = expires_on
        allocation.note = note.strip()
        allocation.save()
    record(
        actor=actor,
        action=AuditAction.ALTERATION if existing else AuditAction.COLLECTION,
        obj=allocation,
        orgunit="national",
        detail={
            "step": "commissioning.set_allocation",
            "programme": programme,
            "financial_year": year,
            "amount": format_entry(amount),
            "before": before,
        },
    )
    return allocation
