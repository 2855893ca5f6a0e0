"""Demo intensifications: Project AIDANT 33 to 36 in 2023/24 (``demo.yaml``).

Operations are planned through :mod:`msoic.operations.actions`; each participating force's
return is a CSV file sent through the collection pipeline (:func:`import_file`), as a
force would send it, a few days after the operation. The report's totals across the four
operations (328 disruptions, 110 potential victims, 76 NRM/DtN referrals, 57 arrests, 55
new investigations) are split between operations and forces from a fixed seed; nothing
stores the totals: the pages and the test count them from the values. Idempotent: an
operation that exists is kept, a force that has returned is not sent again.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from msoic.collection.actions import do_approve_submission
from msoic.collection.models import Submission
from msoic.collection.pipeline import import_file
from msoic.collection.readers import CANONICAL_COLUMNS
from msoic.operations.actions import OperationDetails, do_create_operation
from msoic.operations.catalogue import HIGHLIGHTS_METRIC, STANDARD_METRICS
from msoic.operations.models import Operation

DEMO_FILE = Path(__file__).with_name("demo.yaml")
SERIES = "AIDANT"
UK = ZoneInfo("Europe/London")


def load_demo_config(path: Path = DEMO_FILE) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def split(total: int, weights: list[float]) -> list[int]:
    """``total`` in whole parts proportional to ``weights`` (largest remainder), exactly."""
    whole = sum(weights)
    if total == 0 or whole <= 0:
        return [0] * len(weights)
    raw = [total * w / whole for w in weights]
    parts = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


@dataclass
class DemoSummary:
    created: list[str] = field(default_factory=list)
    returns_sent: int = 0
    approved: int = 0

    def lines(self) -> list[str]:
        return [
            f"operations: AIDANT 33-36 ({len(self.created)} planned now), "
            f"{self.returns_sent} force returns sent through the pipeline, {self.approved} approved"
        ]


def plan_figures(config: dict[str, Any]) -> dict[int, dict[str, dict[str, int]]]:
    """operation number -> force -> metric -> value (outcomes and activity)."""
    rng = random.Random(config["seed"])
    ops = config["operations"]
    shares = [float(o["share"]) for o in ops]
    out: dict[int, dict[str, dict[str, int]]] = {}
    per_op = {m: split(int(t), shares) for m, t in config["targets"].items()}
    for i, o in enumerate(ops):
        forces = [f for f in o["forces"] if f not in set(o.get("not_returned") or [])]
        weights = [rng.uniform(0.3, 1.7) for _ in forces]
        table: dict[str, dict[str, int]] = {f: {} for f in forces}
        victims = split(per_op["op_potential_victims"][i], weights)
        for metric in STANDARD_METRICS:
            total = per_op[metric][i]
            if metric == "op_nrm_dtn_referrals":
                # Referrals follow the victims found, so no force refers more than it found.
                parts = split(total, [float(v) for v in victims])
            elif metric == "op_potential_victims":
                parts = victims
            else:
                parts = split(total, [w * rng.uniform(0.6, 1.4) for w in weights])
            for force, value in zip(forces, parts, strict=True):
                table[force][metric] = value
        for force, minimums in (o.get("at_least") or {}).items():
            for metric, least in minimums.items():
                while table[force][metric] < least:
                    donor = max(forces, key=lambda f: table[f][metric])
                    table[donor][metric] -= 1
                    table[force][metric] += 1
        for metric, (low, high) in (o.get("activity") or {}).items():
            fixed_total = (o.get("activity_totals") or {}).get(metric)
            if fixed_total is not None:
                parts = split(int(fixed_total), [w * rng.uniform(0.7, 1.3) for w in weights])
            elif int(low) == int(high):  # one value: nothing to draw (the seed's draws stay)
                parts = [int(low)] * len(forces)
            else:
                parts = [rng.randint(int(low), int(high)) for _ in forces]
            for force, value in zip(forces, parts, strict=True):
                table[force][metric] = value
        for force, fixed in (o.get("fixed") or {}).items():
            table[force].update({m: int(v) for m, v in fixed.items()})
        out[int(o["number"])] = table
    return out


def _return_file(op: Operation, force: str, figures: dict[str, int], highlight: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*CANONICAL_COLUMNS, "dataset"])
    for metric, value in figures.items():
        writer.writerow([force, op.period_code, metric, "", value, "", op.dataset_code])
    if highlight:
        writer.writerow(
            [force, op.period_code, HIGHLIGHTS_METRIC, "", "", highlight, op.dataset_code]
        )
    return buffer.getvalue().encode("utf-8")


def build_operations_demo(national: Any, config: dict[str, Any] | None = None) -> DemoSummary:
    config = config or load_demo_config()
    summary = DemoSummary()
    figures = plan_figures(config)
    for o in config["operations"]:
        number = int(o["number"])
        op = Operation.objects.filter(series=SERIES, number=number).first()
        if op is None:
            op = do_create_operation(
                OperationDetails(
                    series=SERIES,
                    number=number,
                    theme=o["theme"],
                    start_date=o["start"],
                    end_date=o["end"],
                    lead_agency=config["lead_agency"],
                    forces=list(o["forces"]),
                    exploitation_type=o.get("exploitation_type") or "",
                    sector=o.get("sector") or "",
                    partner_agencies=list(o.get("partners") or []),
                    activity_metrics=list(o.get("activity") or {}),
                ),
                actor=national,
            )
            summary.created.append(op.name)
        returned = set(
            Submission.objects.filter(
                dataset=op.dataset_code, current_version__isnull=False
            ).values_list("orgunit__code", flat=True)
        )
        end: date = o["end"]
        for day, (force, values) in enumerate(sorted(figures[number].items())):
            if force in returned:
                continue
            received = datetime.combine(end + timedelta(days=3 + day % 9), time(10, 30), UK)
            outcome = import_file(
                f"{op.slug}-{force}.csv",
                _return_file(op, force, values, (o.get("highlights") or {}).get(force, "")),
                actor=national,
                received_at=received,
            )
            if not outcome.ok:
                raise RuntimeError("; ".join(outcome.lines()))
            summary.returns_sent += 1
        if o.get("approve"):
            for sub in Submission.objects.filter(dataset=op.dataset_code, locked=False).exclude(
                current_version=None
            ):
                do_approve_submission(sub, actor=national)
                summary.approved += 1
    return summary
