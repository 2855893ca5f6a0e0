"""The data cleanse and the PNC marker in ``msoic demo``, after the register's demo.

A cleanse opened in 2023/24 (``cleanse/demo.yaml``) through :func:`do_open_cleanse`, so
its worklists and live baseline are the register's as at the opening date. Most forces
finished their worklist, some are part way, the rest have not started. A case the
register closed between the opening and the deadline is recorded as closed through the
cleanse; the others done are confirmed as still live with a review note (a
:class:`~msoic.cases.models.Review` dated in the cleanse window). Nothing changes what
the metric engine derives (no case is opened, closed or re-typed here), so the
calibrated national figures stand.

For the PNC marker, a share of the people with a positive conclusive grounds decision
have it requested and applied, dated after the decision and never after the register's
last decision.

Drawn from a generator seeded from the YAML: the same records on every run; running the
demo again adds nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.db.models import Max

from msoic.audit.log import record
from msoic.audit.models import AuditAction
from msoic.cases.cleanse.actions import do_open_cleanse
from msoic.cases.models import Cleanse, CleanseItem, Investigation, Person, Resolution, Review

DEMO_FILE = Path(__file__).resolve().parent / "demo.yaml"
REVIEW_NOTE = "Reviewed in the 2023/24 data cleanse: enquiries continue"


def load_settings(path: Path = DEMO_FILE) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        data: dict[str, Any] = yaml.safe_load(fh)
    return data


@dataclass
class CleanseDemoReport:
    already: bool = False
    items: int = 0
    forces: int = 0
    forces_done: int = 0
    forces_part_way: int = 0
    confirmed: int = 0
    closed: int = 0
    eligible: int = 0
    requested: int = 0
    applied: int = 0

    def lines(self) -> list[str]:
        if self.already:
            return ["", "Data cleanse and PNC marker: already loaded (nothing added)."]
        done = self.confirmed + self.closed
        return [
            "",
            f"Data cleanse: {self.items} cases on {self.forces} forces' worklists; "
            f"{self.forces_done} forces done, {self.forces_part_way} part way; "
            f"{done} cases done ({self.confirmed} confirmed live, {self.closed} closed).",
            f"PNC marker: {self.eligible} people eligible, {self.requested} requested, "
            f"{self.applied} applied.",
        ]


def _d(text: str) -> date:
    return date.fromisoformat(str(text))


def _resolve_cleanse(
    cleanse: Cleanse,
    conf: dict[str, Any],
    rng: random.Random,
    national: Any,
    report: CleanseDemoReport,
) -> None:
    items = list(
        cleanse.items.select_related("investigation", "force").order_by("force__code", "pk")
    )
    by_force: dict[str, list[CleanseItem]] = {}
    for item in items:
        by_force.setdefault(item.force.code, []).append(item)
    codes = sorted(by_force)
    rng.shuffle(codes)
    n_done = round(conf["done_share"] * len(codes))
    n_part = round(conf["part_way_share"] * len(codes))
    report.items, report.forces = len(items), len(codes)
    report.forces_done, report.forces_part_way = n_done, n_part
    window_end = min(
        cleanse.deadline, cleanse.opened_on + timedelta(days=conf["resolve_within_days"])
    )
    reviews: list[Review] = []
    touched: list[CleanseItem] = []
    for rank, code in enumerate(codes):
        work = by_force[code]
        if rank < n_done:
            chosen = work
        elif rank < n_done + n_part:
            chosen = work[: round(conf["part_way_done"] * len(work))]
        else:
            continue
        for item in chosen:
            inv = item.investigation
            if inv.closed_on is not None and cleanse.opened_on < inv.closed_on <= cleanse.deadline:
                item.resolution, item.resolved_on = Resolution.CLOSED, inv.closed_on
                item.note = "Closed: no further enquiries"
                report.closed += 1
            else:
                last = (
                    min(window_end, inv.closed_on - timedelta(days=1))
                    if inv.closed_on
                    else window_end
                )
                if last < cleanse.opened_on:
                    continue
                span = (last - cleanse.opened_on).days
                on = cleanse.opened_on + timedelta(days=rng.randint(0, span))
                item.resolution, item.resolved_on, item.note = Resolution.CONFIRMED, on, REVIEW_NOTE
                reviews.append(Review(investigation=inv, reviewed_on=on, note=REVIEW_NOTE))
                report.confirmed += 1
            touched.append(item)
        record(
            actor=national,
            action=AuditAction.ALTERATION,
            object_type="cases.cleanse",
            object_id=str(cleanse.pk),
            orgunit=code,
            detail={"step": "cases.demo_cleanse", "items": len(chosen)},
        )
    CleanseItem.objects.bulk_update(touched, ["resolution", "resolved_on", "note"], batch_size=2000)
    Review.objects.bulk_create(reviews, batch_size=2000)
    # last_reviewed_on follows the newest review (only ever later, never earlier)
    newest: dict[int, date] = {}
    for r in reviews:
        newest[r.investigation_id] = max(
            r.reviewed_on, newest.get(r.investigation_id, r.reviewed_on)
        )
    stale = [
        inv
        for inv in Investigation.objects.filter(pk__in=list(newest))
        if inv.last_reviewed_on is None or inv.last_reviewed_on < newest[inv.pk]
    ]
    for inv in stale:
        inv.last_reviewed_on = newest[inv.pk]
    Investigation.objects.bulk_update(stale, ["last_reviewed_on"], batch_size=2000)


def _markers(conf: dict[str, Any], rng: random.Random, report: CleanseDemoReport) -> None:
    people = list(
        Person.objects.marker_eligible()
        .filter(cg_decided_on__isnull=False)
        .order_by("force__code", "pk")
    )
    report.eligible = len(people)
    if not people:
        return
    until = Person.objects.aggregate(m=Max("cg_decided_on"))["m"]
    low, high = conf["requested_share"]
    share: dict[int, float] = {}
    changed: list[Person] = []
    for p in people:
        if p.force_id not in share:
            share[p.force_id] = rng.uniform(low, high)
        if rng.random() >= share[p.force_id] or p.cg_decided_on is None:
            continue
        requested = p.cg_decided_on + timedelta(days=rng.randint(*conf["request_delay_days"]))
        if requested > until:
            continue
        p.marker_requested_on = requested
        report.requested += 1
        if rng.random() < conf["applied_share"]:
            applied = requested + timedelta(days=rng.randint(*conf["apply_delay_days"]))
            if applied <= until:
                p.marker_applied_on = applied
                report.applied += 1
        changed.append(p)
    Person.objects.bulk_update(
        changed, ["marker_requested_on", "marker_applied_on"], batch_size=2000
    )


def build_cleanse_demo(national: Any, settings: dict[str, Any] | None = None) -> CleanseDemoReport:
    """Open and part-work the 2023/24 cleanse and record markers. Does nothing if there."""
    settings = settings or load_settings()
    conf = settings["cleanse"]
    report = CleanseDemoReport()
    if Cleanse.objects.filter(title=conf["title"]).exists():
        report.already = True
        return report
    rng = random.Random(settings["seed"])
    with transaction.atomic():
        cleanse = do_open_cleanse(
            title=conf["title"],
            criteria=conf["criteria"],
            deadline=_d(conf["deadline"]),
            opened_on=_d(conf["opened_on"]),
            actor=national,
        )
        _resolve_cleanse(cleanse, conf, rng, national, report)
        _markers(settings["marker"], rng, report)
    return report
