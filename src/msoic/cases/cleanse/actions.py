"""Data cleanses: the unit asks forces to review stale or incomplete investigations.

A national analyst opens a cleanse with criteria and a deadline. Opening takes a
snapshot: every investigation live on the opening date that meets any criterion becomes
an item on its force's worklist (with the reasons it matched), and the number of live
investigations per force that day is kept as the baseline. Force users then confirm a
case is still live (with a review note), update it, or close it, each through the
register's own actions (:mod:`msoic.cases.register.actions`, which audit the change to the case)
plus an audited resolution of the worklist item. Progress and the before-and-after on
live figures are computed from the items and the register, never stored.

Criteria (``Cleanse.criteria``):

- ``stale_days``: live and not reviewed for more than N days (never reviewed counts from
  the date opened);
- ``missing_exploitation``: live with no primary exploitation type;
- ``nrm_days``: a potential victim referred to the NRM more than N days ago still has no
  reasonable grounds or no conclusive grounds decision.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from msoic.audit.log import record
from msoic.audit.models import AuditAction
from msoic.cases import access
from msoic.cases.models import (
    Category,
    Cleanse,
    CleanseItem,
    Investigation,
    Person,
    Resolution,
    Status,
)
from msoic.cases.register import actions as register
from msoic.orgunits.models import OrgUnit

REASONS = {
    "stale": "Not reviewed for more than {stale_days} days",
    "missing_exploitation": "No exploitation type recorded",
    "nrm": "A victim's NRM decision outstanding {nrm_days} days after referral",
}


@dataclass(frozen=True)
class Criteria:
    stale_days: int | None = None
    missing_exploitation: bool = False
    nrm_days: int | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Criteria:
        def days(name: str) -> int | None:
            value = data.get(name)
            if value in (None, ""):
                return None
            try:
                n = int(value)
            except (TypeError, ValueError) as exc:
                raise ValidationError(f"{name}: enter a whole number of days") from exc
            if n < 1:
                raise ValidationError(f"{name}: enter a number of days of 1 or more")
            return n

        criteria = cls(
            stale_days=days("stale_days"),
            missing_exploitation=bool(data.get("missing_exploitation")),
            nrm_days=days("nrm_days"),
        )
        if not criteria.any():
            raise ValidationError("Choose at least one criterion for the cleanse")
        return criteria

    def any(self) -> bool:
        return self.stale_days is not None or self.missing_exploitation or bool(self.nrm_days)

    def as_dict(self) -> dict[str, Any]:
        return {
            "stale_days": self.stale_days,
            "missing_exploitation": self.missing_exploitation,
            "nrm_days": self.nrm_days,
        }

    def describe(self) -> list[str]:
        out = []
        if self.stale_days is not None:
            out.append(REASONS["stale"].format(stale_days=self.stale_days))
        if self.missing_exploitation:
            out.append(REASONS["missing_exploitation"])
        if self.nrm_days is not None:
            out.append(REASONS["nrm"].format(nrm_days=self.nrm_days))
        return out


def reason_label(code: str, criteria: Criteria) -> str:
    return REASONS[code].format(**criteria.as_dict())


def live_on(day: date) -> Q:
    """Investigations live at the end of ``day``."""
    return Q(opened_on__lte=day) & (Q(closed_on__isnull=True) | Q(closed_on__gt=day))


def matching(criteria: Criteria, as_of: date) -> dict[int, tuple[int, list[str]]]:
    """Investigation id -> (force id, reasons) for every live case meeting a criterion."""
    live = Investigation.objects.filter(live_on(as_of))
    found: dict[int, tuple[int, list[str]]] = {}

    def add(qs: QuerySet[Investigation], reason: str) -> None:
        for pk, force_id in qs.values_list("pk", "force_id").iterator(chunk_size=5000):
            found.setdefault(pk, (force_id, []))[1].append(reason)

    if criteria.stale_days is not None:
        cutoff = as_of - timedelta(days=criteria.stale_days)
        add(
            live.filter(
                Q(last_reviewed_on__lt=cutoff)
                | Q(last_reviewed_on__isnull=True, opened_on__lt=cutoff)
            ),
            "stale",
        )
    if criteria.missing_exploitation:
        add(live.filter(primary_exploitation=""), "missing_exploitation")
    if criteria.nrm_days is not None:
        cutoff = as_of - timedelta(days=criteria.nrm_days)
        waiting = Person.objects.filter(
            investigation=OuterRef("pk"),
            category=Category.VICTIM,
            nrm_referred_on__lte=cutoff,
        ).filter(Q(rg_decision="") | Q(cg_decision=""))
        add(live.filter(Exists(waiting)), "nrm")
    return found


def live_by_force(day: date, forces: Iterable[int] | None = None) -> dict[int, int]:
    """Force id -> investigations live at the end of ``day``."""
    qs = Investigation.objects.filter(live_on(day))
    if forces is not None:
        qs = qs.filter(force_id__in=list(forces))
    return dict(qs.values_list("force_id").annotate(n=Count("pk")).values_list("force_id", "n"))


def _require_unit(actor: Any) -> None:
    if not isinstance(actor, str) and not access.can_open_cleanse(actor):
        raise PermissionDenied("Only the unit opens a data cleanse")


@transaction.atomic
def do_open_cleanse(
    *,
    title: str,
    criteria: Mapping[str, Any],
    deadline: date,
    actor: Any,
    opened_on: date | None = None,
) -> Cleanse:
    """Open a cleanse and take its snapshot: the worklists and the live baseline."""
    _require_unit(actor)
    opened_on = opened_on or timezone.localdate()
    checked = Criteria.from_dict(criteria)
    title = (title or "").strip()
    if not title:
        raise ValidationError("Give the cleanse a title")
    if deadline <= opened_on:
        raise ValidationError("The deadline must be after the day the cleanse opens")
    found = matching(checked, opened_on)
    baseline = live_by_force(opened_on)
    codes = dict(OrgUnit.objects.filter(pk__in=baseline).values_list("pk", "code"))
    cleanse = Cleanse.objects.create(
        title=title,
        criteria=checked.as_dict(),
        opened_on=opened_on,
        deadline=deadline,
        opened_by=None if isinstance(actor, str) else actor,
        baseline={codes[pk]: n for pk, n in sorted(baseline.items())},
    )
    CleanseItem.objects.bulk_create(
        [
            CleanseItem(cleanse=cleanse, investigation_id=pk, force_id=force_id, reasons=reasons)
            for pk, (force_id, reasons) in sorted(found.items())
        ],
        batch_size=2000,
    )
    record(
        actor=actor,
        action=AuditAction.COLLECTION,
        obj=cleanse,
        orgunit="national",
        detail={
            "step": "cases.open_cleanse",
            "items": len(found),
            "forces": len({f for f, _ in found.values()}),
            "criteria": checked.as_dict(),
        },
    )
    return cleanse


def _start_resolution(item: CleanseItem, actor: Any) -> CleanseItem:
    if not isinstance(actor, str) and not access.can_work_cleanse_item(actor, item):
        raise PermissionDenied("Only the force's own users work its cleanse worklist")
    current = CleanseItem.objects.select_for_update().get(pk=item.pk)
    if current.resolution:
        raise ValidationError(
            f"This case is already recorded as {current.get_resolution_display().lower()}"
        )
    return current


def _finish(item: CleanseItem, resolution: str, note: str, on: date, actor: Any) -> CleanseItem:
    item.resolution = resolution
    item.resolved_on = on
    item.resolved_by = None if isinstance(actor, str) else actor
    item.note = note
    item.save(update_fields=["resolution", "resolved_on", "resolved_by", "note"])
    code = OrgUnit.objects.filter(pk=item.force_id).values_list("code", flat=True).first()
    record(
        actor=actor,
        action=AuditAction.ALTERATION,
        obj=item,
        orgunit=code or "",
        detail={
            "step": f"cases.cleanse_{resolution}",
            "cleanse": item.cleanse_id,
            "investigation": item.investigation_id,
        },
    )
    return item


@transaction.atomic
def do_confirm_cleanse_item(
    item: CleanseItem, *, actor: Any, note: str, on: date | None = None
) -> CleanseItem:
    """The case is still live: a review with its note on the register, and the item done."""
    current = _start_resolution(item, actor)
    on = on or timezone.localdate()
    register.do_review_investigation(current.investigation, actor=actor, note=note, reviewed_on=on)
    return _finish(current, Resolution.CONFIRMED, note.strip(), on, actor)


@transaction.atomic
def do_update_cleanse_item(
    item: CleanseItem, *, actor: Any, note: str = "", **changes: Any
) -> CleanseItem:
    """The case was brought up to date (exploitation types, officer in charge…)."""
    current = _start_resolution(item, actor)
    if not changes:
        raise ValidationError("Change at least one detail of the case, or confirm it instead")
    register.do_update_investigation(current.investigation, actor=actor, **changes)
    return _finish(current, Resolution.UPDATED, (note or "").strip(), timezone.localdate(), actor)


@transaction.atomic
def do_close_cleanse_item(
    item: CleanseItem, *, actor: Any, closed_on: date, outcome: str, note: str = ""
) -> CleanseItem:
    current = _start_resolution(item, actor)
    register.do_close_investigation(
        current.investigation, actor=actor, closed_on=closed_on, outcome=outcome
    )
    return _finish(current, Resolution.CLOSED, (note or "").strip(), timezone.localdate(), actor)


# --- progress and the before-and-after --------------------------------------------------


@dataclass
class ForceProgress:
    code: str
    name: str
    items: int = 0
    confirmed: int = 0
    updated: int = 0
    closed: int = 0
    live_at_opening: int = 0
    live_now: int = 0
    overdue_after_deadline: bool = False

    @property
    def done(self) -> int:
        return self.confirmed + self.updated + self.closed

    @property
    def outstanding(self) -> int:
        return self.items - self.done

    @property
    def overdue(self) -> int:
        return self.outstanding if self.overdue_after_deadline else 0

    @property
    def percent_done(self) -> float | None:
        return round(100 * self.done / self.items, 1) if self.items else None

    @property
    def live_change(self) -> int:
        return self.live_now - self.live_at_opening

    @property
    def status(self) -> str:
        if not self.items:
            return "Nothing to review"
        if not self.outstanding:
            return "Done"
        if self.overdue:
            return "Overdue"
        return "Started" if self.done else "Not started"


@dataclass
class Progress:
    cleanse: Cleanse
    forces: list[ForceProgress] = field(default_factory=list)
    total: ForceProgress = field(default_factory=lambda: ForceProgress("total", "Total"))


def progress(cleanse: Cleanse, forces: QuerySet[OrgUnit], today: date | None = None) -> Progress:
    """Done and outstanding per force (of ``forces``), and live investigations at opening
    against now. Three queries whatever the number of forces."""
    today = today or timezone.localdate()
    late = cleanse.is_overdue(today)
    units = list(forces.order_by("name").values_list("pk", "code", "name"))
    ids = [pk for pk, _, _ in units]
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        cleanse.items.filter(force_id__in=ids)
        .values_list("force_id", "resolution")
        .annotate(n=Count("pk"))
    )
    for force_id, resolution, n in rows:
        counts[force_id][resolution] = n
    now = dict(
        Investigation.objects.filter(force_id__in=ids, status=Status.LIVE)
        .values_list("force_id")
        .annotate(n=Count("pk"))
        .values_list("force_id", "n")
    )
    result = Progress(cleanse)
    total = result.total
    for pk, code, name in units:
        c = counts.get(pk, {})
        row = ForceProgress(
            code=code,
            name=name,
            items=sum(c.values()),
            confirmed=c.get(Resolution.CONFIRMED, 0),
            updated=c.get(Resolution.UPDATED, 0),
            closed=c.get(Resolution.CLOSED, 0),
            live_at_opening=int(cleanse.baseline.get(code, 0)),
            live_now=now.get(pk, 0),
            overdue_after_deadline=late,
        )
        if not (row.items or row.live_at_opening or row.live_now):
            continue  # a force with no register and nothing on the worklist
        result.forces.append(row)
        for name_ in ("items", "confirmed", "updated", "closed", "live_at_opening", "live_now"):
            setattr(total, name_, getattr(total, name_) + getattr(row, name_))
    total.overdue_after_deadline = late
    return result


PROGRESS_HEADER = [
    "Force",
    "Cases on worklist",
    "Confirmed live",
    "Updated",
    "Closed",
    "Done",
    "Outstanding",
    "Overdue",
    "Done (%)",
    "Live at opening",
    "Live now",
    "Change in live",
]


def progress_rows(result: Progress) -> list[list[Any]]:
    out: list[list[Any]] = []
    for row in [*result.forces, result.total]:
        out.append(
            [
                row.name,
                row.items,
                row.confirmed,
                row.updated,
                row.closed,
                row.done,
                row.outstanding,
                row.overdue,
                row.percent_done,
                row.live_at_opening,
                row.live_now,
                row.live_change,
            ]
        )
    return out
