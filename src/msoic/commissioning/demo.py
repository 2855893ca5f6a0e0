"""Demo commissioning: the Project Terminus envelope of 2023/24 with bids from forces and
ROCUs whose decisions give the annual report's approved bids by region, awards within the
£5,000,000, some spend, and the 2024/25 allocations by programme.

Targets come from ``demo.yaml`` beside this file; records are made through the actions (so
the audit log holds them) from a fixed seed, and the pages count them. Idempotent: an
envelope of the same name and year, or an allocation already set, is left as it is.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from msoic.accounts.models import Role, User
from msoic.commissioning import actions
from msoic.commissioning.models import (
    ActivityType,
    Bid,
    BidStatus,
    FundingAllocation,
    FundingEnvelope,
)
from msoic.commissioning.money import parse_money
from msoic.commissioning.summary import bids_by_region, positions
from msoic.metrics.money import format_pounds
from msoic.orgunits.models import OrgUnit

TARGETS_FILE = Path(__file__).with_name("demo.yaml")

ACTIVITIES = {
    ActivityType.LAND: [
        "Lorry checks at the {place} distribution hubs with Border Force",
        "Roadside operation on the {place} freight routes",
        "Days of action at {place} service areas and truck stops",
    ],
    ActivityType.AIR: [
        "General aviation visits to {place} airfields",
        "Airfield engagement and debriefs across {place}",
    ],
    ActivityType.SEA: [
        "General maritime visits to {place} marinas and harbours",
        "Coastal patrols and marine operational hours off {place}",
    ],
}
APPROVE_REASONS = [
    "Meets the Terminus criteria: clear threat, measurable activity and partner support.",
    "Targets a known route with intelligence behind it; costs are reasonable.",
    "Builds on last year's activity with good returns; approved in full.",
]
PART_REASONS = [
    "Funded for the core activity; overtime for the extended period is not funded.",
    "Supported in part: equipment costs fall outside the Terminus criteria.",
]
DECLINE_REASONS = [
    "Outside the Terminus criteria: the activity is business as usual.",
    "No intelligence case for the route; resubmit with the regional assessment.",
    "Duplicates activity already funded for the region.",
]


def load_targets(path: Path = TARGETS_FILE) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return data


@dataclass
class CommissioningDemoReport:
    envelope: str = ""
    created: bool = False
    bids: int = 0
    approved_by_region: list[tuple[str, int]] = field(default_factory=list)
    committed: str = ""
    spent: str = ""
    remaining: str = ""
    allocations: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        head = "created" if self.created else "already there"
        by_region = ", ".join(f"{name} {n}" for name, n in self.approved_by_region)
        return [
            f"Commissioning: {self.envelope} ({head}), {self.bids} bids",
            f"  approved bids by region: {by_region}",
            f"  committed {self.committed}, spent {self.spent}, remaining {self.remaining}",
            f"  allocations: {'; '.join(self.allocations)}",
        ]


def _part_award(asked: int, share: Decimal) -> int:
    """``share`` of ``asked`` pence, rounded to whole pounds (as a decision would be)."""
    return int((Decimal(asked) * share / 100).quantize(Decimal("1"))) * 100


def build_commissioning_demo(national: User, targets: dict[str, Any] | None = None) -> Any:
    """Create the demo commissioning (idempotent). ``national`` is the unit's demo account."""
    targets = targets or load_targets()
    spec = targets["envelope"]
    report = CommissioningDemoReport()
    envelope = FundingEnvelope.objects.filter(
        name=spec["name"], financial_year=spec["financial_year"]
    ).first()
    if envelope is None:
        envelope = _build_envelope(national, targets)
        report.created = True
    for a in targets["allocations"]:
        if not FundingAllocation.objects.filter(
            financial_year=a["financial_year"], programme=a["programme"]
        ).exists():
            actions.do_set_funding_allocation(
                actor=national,
                financial_year=a["financial_year"],
                programme=a["programme"],
                amount=parse_money(a["amount"]),
                source=a["source"],
                expires_on=a["expires_on"],
                note=a.get("note", ""),
            )
    report.envelope = (
        f"{envelope.name} {envelope.financial_year}, {format_pounds(envelope.amount_pence)}"
    )
    report.bids = Bid.objects.filter(window__envelope=envelope).count()
    report.approved_by_region = [(r.region, r.approved) for r in bids_by_region(envelope)]
    pos = positions([envelope])[envelope.pk]
    report.committed = format_pounds(pos.committed)
    report.spent = format_pounds(pos.spent)
    report.remaining = format_pounds(pos.uncommitted)
    report.allocations = [
        f"{a.get_programme_display()} {a.financial_year} {format_pounds(a.amount_pence)} "
        f"(expires {a.expires_on:%d %b %Y})"
        for a in FundingAllocation.objects.order_by("financial_year", "programme")
    ]
    return report


def _build_envelope(national: User, targets: dict[str, Any]) -> FundingEnvelope:
    rng = random.Random(targets["seed"])
    spec = targets["envelope"]
    envelope = actions.do_create_funding_envelope(
        actor=national,
        name=spec["name"],
        source=spec["source"],
        amount=parse_money(spec["amount"]),
        financial_year=spec["financial_year"],
        programme=spec["programme"],
        purpose=spec["purpose"],
    )
    windows = [
        actions.do_open_bid_window(
            envelope, actor=national, title=w["title"], opens=w["opens"], closes=w["closes"]
        )
        for w in targets["windows"]
    ]
    # The demo's own accounts bid for their org units; the unit records the others' bids.
    bidders = {
        u.orgunit_id: u
        for u in User.objects.filter(
            role__in=[Role.FORCE, Role.REGIONAL], orgunit__isnull=False, is_active=True
        ).order_by("pk")
    }
    low = parse_money(targets["bid_amount"]["min"])
    high = parse_money(targets["bid_amount"]["max"])
    regions = {r.code: r for r in OrgUnit.objects.regions()}
    forces_of: dict[int, list[OrgUnit]] = {}
    for force in OrgUnit.objects.forces().order_by("code"):
        forces_of.setdefault(force.parent_id or 0, []).append(force)
    plan: list[tuple[OrgUnit, str]] = []
    for code, counts in targets["bids_by_region"].items():
        region = regions[code]
        units = [*forces_of.get(region.pk, []), region]
        outcomes = (
            [BidStatus.APPROVED] * counts["approved"]
            + [BidStatus.PART_FUNDED] * counts["part_funded"]
            + [BidStatus.DECLINED] * counts["declined"]
        )
        for n, decision in enumerate(outcomes):
            plan.append((units[n % len(units)], decision))
    rng.shuffle(plan)
    spend = targets["spend"]
    kinds = list(ACTIVITIES)
    for i, (unit, outcome) in enumerate(plan):
        window = windows[i % len(windows)]
        submitted = window.opens + timedelta(
            days=rng.randint(0, (window.closes - window.opens).days)
        )
        start = window.closes + timedelta(days=rng.randint(14, 45))
        activity = rng.choices(kinds, weights=[6, 2, 2])[0]
        title = rng.choice(ACTIVITIES[activity]).format(place=unit.name.split(" Police")[0])
        bid = actions.do_submit_bid(
            window,
            actor=bidders.get(unit.pk, national),
            orgunit=unit,
            title=title,
            purpose=f"{title}, with partner agencies, to detect and disrupt organised "
            "immigration crime and safeguard potential victims.",
            activity_type=activity,
            amount=rng.randint(low, high),
            period_start=start,
            period_end=min(start + timedelta(days=rng.randint(30, 120)), date(2024, 3, 31)),
            today=submitted,
        )
        decided = window.closes + timedelta(days=rng.randint(5, 12))
        if outcome == BidStatus.APPROVED:
            actions.do_decide_bid(
                bid,
                actor=national,
                outcome=outcome,
                reason=rng.choice(APPROVE_REASONS),
                today=decided,
            )
        elif outcome == BidStatus.PART_FUNDED:
            share = Decimal(rng.randint(50, 80)) / 100
            actions.do_decide_bid(
                bid,
                actor=national,
                outcome=outcome,
                reason=rng.choice(PART_REASONS),
                amount=_part_award(bid.amount_requested_pence, share),
                today=decided,
            )
        else:
            actions.do_decide_bid(
                bid,
                actor=national,
                outcome=outcome,
                reason=rng.choice(DECLINE_REASONS),
                today=decided,
            )
        bid.refresh_from_db()
        if bid.amount_awarded_pence is not None and rng.random() < spend["awards_with_spend"]:
            _spend(rng, bid, bidders.get(unit.pk, national), spend)
    return envelope


def _spend(rng: random.Random, bid: Bid, actor: User, spec: dict[str, Any]) -> None:
    assert bid.amount_awarded_pence is not None
    share = rng.uniform(spec["min_share"], spec["max_share"])
    total = int(bid.amount_awarded_pence * share)
    parts = rng.randint(1, 3)
    cuts = sorted(rng.randint(1, total - 1) for _ in range(parts - 1)) if total > parts else []
    amounts = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
    days = max((bid.period_end - bid.period_start).days, 1)
    for n, pence in enumerate(a for a in amounts if a > 0):
        actions.do_record_spend(
            bid,
            actor=actor,
            amount=pence,
            spent_on=bid.period_start + timedelta(days=days * (n + 1) // (parts + 1)),
            note=f"Spend return {n + 1}",
        )
