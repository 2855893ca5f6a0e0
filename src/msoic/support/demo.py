"""Demo operations supported, as the annual report 2023/24 describes them: 276 operations
supported in the year by the unit and its regional coordinators, spread over forces,
regions and support types, including Operation Houston, where the unit's financial
investigation adviser's support led to a £198,000 reparation order.

Targets and the generator's plan are in ``demo.yaml``; everything is made through the
actions (so the audit log holds it) from a fixed seed, and the report lines are counted
back from the records by :func:`msoic.support.summary.build_summary`. Idempotent: a year
that already has operations supported is left as it is.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

from msoic.metrics.money import format_pounds, parse_pounds
from msoic.metrics.periods import Period
from msoic.orgunits.models import OrgUnit
from msoic.support.actions import do_add_financial_outcome, do_log_supported_operation
from msoic.support.models import FinancialOutcome, SupportedOperation
from msoic.support.summary import build_summary

DEMO_FILE = Path(__file__).resolve().parent / "demo.yaml"
CODENAMES = (
    "Alder Aspen Bittern Bramble Buzzard Cedar Curlew Dunlin Elder Falcon Fieldfare Gannet "
    "Garnet Granite Hawthorn Heron Hornbeam Jasper Juniper Kestrel Kingfisher Larch Linnet "
    "Mallard Maple Merlin Nightjar Oriole Osprey Pebble Peregrine Plover Quartz Raven Redwing "
    "Rowan Sandpiper Shale Siskin Skylark Slate Sorrel Spruce Starling Swift Tern Thistle "
    "Warbler Willow Wren Yarrow Yew Basalt Bracken Cobalt Copper Flint Heather Indigo Marram"
).split()


def load_plan(path: Path = DEMO_FILE) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        plan: dict[str, Any] = yaml.safe_load(handle)
    return plan


@dataclass
class SupportDemoReport:
    created: int = 0
    already: list[str] = field(default_factory=list)
    counted: dict[str, int] = field(default_factory=dict)  # year -> operations
    targets: dict[str, int] = field(default_factory=dict)
    houston_pence: int | None = None

    def lines(self) -> list[str]:
        out = ["Operations supported:"]
        for year, target in self.targets.items():
            out.append(f"  {year}: {self.counted.get(year, 0)} operations (target {target})")
        out.append(f"  Operation Houston reparation order: {format_pounds(self.houston_pence)}")
        if self.already:
            out.append(f"  already there: {', '.join(self.already)}")
        return out


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _generated(
    rng: random.Random, plan: dict[str, Any], force: OrgUnit, start: date, end_cap: date
) -> dict[str, Any]:
    w = plan["weights"]
    types = {_pick(rng, w["support_type"])}
    if rng.random() < w["second_support_type"]:
        types.add(_pick(rng, w["support_type"]))
    length = rng.choice([14, 30, 45, 60, 90, 120, 180])
    end = start + timedelta(days=length)
    return {
        "force": force,
        "operation_name": f"Operation {rng.choice(CODENAMES)}",
        "crime_type": _pick(rng, w["crime_type"]),
        "provider": _pick(rng, w["provider"]),
        "support_types": sorted(types),
        "start_date": start,
        "end_date": end if end <= end_cap else None,
        "outcome": "",
    }


def build_support_demo(national: Any, plan: dict[str, Any] | None = None) -> SupportDemoReport:
    plan = plan or load_plan()
    rng = random.Random(plan["seed"])
    forces = list(OrgUnit.objects.forces().order_by("code"))
    by_code = {f.code: f for f in forces}
    report = SupportDemoReport()
    money = plan["financial_outcomes"]
    for entry in plan["years"]:
        period = Period.parse(entry["year"])
        report.targets[period.code] = int(entry["operations"])
        first = period.start
        last = entry.get("until") or date(period.end.year, period.end.month, 31)
        if SupportedOperation.objects.filter(fy_start=first.year).exists():
            report.already.append(period.code)
            continue
        named = [n for n in plan.get("named", []) if first <= n["start_date"] <= last]
        for n in named:
            op = do_log_supported_operation(
                by_code[n["force"]],
                actor=national,
                support_types=n["support_types"],
                operation_name=n["operation"],
                crime_type=n["crime_type"],
                provider=n["provider"],
                adviser=n.get("adviser", ""),
                start_date=n["start_date"],
                end_date=n.get("end_date"),
                outcome=str(n.get("outcome", "")).strip(),
            )
            for o in n.get("financial_outcomes", []):
                do_add_financial_outcome(
                    op, actor=national, kind=o["kind"], amount=o["amount"], made_on=o["made_on"]
                )
            report.created += 1
        span = (last - first).days
        for _ in range(int(entry["operations"]) - len(named)):
            start = first + timedelta(days=rng.randrange(span + 1))
            fields = _generated(rng, plan, rng.choice(forces), start, plan["as_of"])
            force, types = fields.pop("force"), fields.pop("support_types")
            op = do_log_supported_operation(force, actor=national, support_types=types, **fields)
            if rng.random() < money["share"]:
                low, high = money["pence"]
                pence = rng.randrange(low, high)
                do_add_financial_outcome(
                    op,
                    actor=national,
                    kind=_pick(rng, money["kinds"]),
                    amount=f"{pence // 100}.{pence % 100:02d}",
                    made_on=fields["end_date"],
                )
            report.created += 1
    every = SupportedOperation.objects.all()
    for year in report.targets:
        report.counted[year] = build_summary(every, Period.parse(year).start.year).total
    houston = FinancialOutcome.objects.filter(
        operation__operation_name="Operation Houston", kind="reparation"
    ).first()
    report.houston_pence = houston.amount_pence if houston else None
    return report


def houston_target_pence(plan: dict[str, Any] | None = None) -> int | None:
    """The reparation order the plan gives Operation Houston, in pence."""
    plan = plan or load_plan()
    for n in plan.get("named", []):
        if n["operation"] == "Operation Houston":
            for o in n.get("financial_outcomes", []):
                if o["kind"] == "reparation":
                    return parse_pounds(o["amount"])
    return None
