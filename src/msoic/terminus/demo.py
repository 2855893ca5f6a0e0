"""Demo Project Terminus returns: 2023/24, every force every quarter, through the pipeline.

The targets (the annual report's headlines) live in ``demo.yaml``; each metric's total is
shared out over forces (by their land, air or sea weight) and quarters with a fixed seed,
written as one CSV file per quarter, and loaded through the collection pipeline like any
force's return. The figures on the Terminus page are then counted back by the metric
engine from those returns – :func:`check_targets` proves they are the report's.
Idempotent: loading the same files again changes nothing.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from msoic.catalogue.loader import get_catalogue
from msoic.collection.pipeline import import_file
from msoic.demo.generator import apportion
from msoic.metrics import engine
from msoic.metrics.money import format_entry, format_figure, parse_pounds
from msoic.metrics.periods import QUARTERLY, Period, add_months, starts_within
from msoic.orgunits.models import OrgUnit, OrgUnitKind
from msoic.terminus.figures import HEADLINE_METRICS

CONFIG = Path(__file__).resolve().parent / "demo.yaml"
DOMAINS = ("land", "air", "sea")
UK = ZoneInfo("Europe/London")


class DemoConfigError(ValueError):
    pass


@dataclass(frozen=True)
class TerminusDemoConfig:
    year: Period
    seed: int
    targets: dict[str, int]  # metric -> total (pence for money)
    steps: dict[str, int]  # metric -> apportioning step (pence for money, 1 for counts)
    domains: dict[str, str]
    weights: dict[str, tuple[float, float, float]]
    quarter_shares: tuple[float, ...]


def load_config(path: Path = CONFIG) -> TerminusDemoConfig:
    doc: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    catalogue = get_catalogue()
    targets: dict[str, int] = {}
    for code in HEADLINE_METRICS:
        raw = (doc.get("targets") or {}).get(code)
        if raw is None:
            raise DemoConfigError(f"{path.name}: targets: no figure for {code}")
        value = parse_pounds(str(raw)) if catalogue.metrics[code].is_money else int(raw)
        if value is None:
            raise DemoConfigError(f"{path.name}: targets: {code} is blank")
        targets[code] = value
    steps = {code: int((doc.get("money_steps") or {}).get(code, 1)) for code in targets}
    for code, step in steps.items():
        if targets[code] % step:
            raise DemoConfigError(f"{path.name}: {code} is not a whole number of steps of {step}")
    domains = {code: str((doc.get("domains") or {}).get(code, "")) for code in targets}
    bad = [c for c, d in domains.items() if d not in DOMAINS]
    if bad:
        raise DemoConfigError(f"{path.name}: domains: give land, air or sea for {bad}")
    weights = {}
    for force, w in (doc.get("forces") or {}).items():
        if not isinstance(w, list) or len(w) != 3:
            raise DemoConfigError(f"{path.name}: forces.{force}: give [land, air, sea] weights")
        weights[str(force)] = (float(w[0]), float(w[1]), float(w[2]))
    year = Period.parse(str(doc["year"]))
    if year.kind != "fy":
        raise DemoConfigError(f"{path.name}: year must be a financial year, e.g. FY2023-24")
    shares = tuple(float(s) for s in doc.get("quarter_shares") or (1, 1, 1, 1))
    if len(shares) != 4:
        raise DemoConfigError(f"{path.name}: quarter_shares needs four shares")
    return TerminusDemoConfig(
        year, int(doc.get("seed", 0)), targets, steps, domains, weights, shares
    )


def plan_values(config: TerminusDemoConfig, forces: list[str]) -> dict[tuple[str, int, str], int]:
    """(force, quarter index, metric) -> value, adding up exactly to each target."""
    unknown = sorted(set(config.weights) - set(forces))
    if unknown:
        raise DemoConfigError(f"demo.yaml: forces: unknown force codes {unknown}")
    rng = random.Random(config.seed)
    jitter = {(f, q): rng.uniform(0.8, 1.2) for f in forces for q in range(4)}
    values: dict[tuple[str, int, str], int] = {}
    for code, total in config.targets.items():
        domain = DOMAINS.index(config.domains[code])
        cells = [(f, q) for f in forces for q in range(4)]
        weights = [
            config.weights.get(f, (0.0, 0.0, 0.0))[domain] * config.quarter_shares[q] * jitter[f, q]
            for f, q in cells
        ]
        step = config.steps[code]
        parts = apportion(total // step, weights)
        for (f, q), part in zip(cells, parts, strict=True):
            values[(f, q, code)] = part * step
    return values


def quarter_files(config: TerminusDemoConfig, forces: list[str]) -> list[tuple[str, bytes]]:
    """One CSV per quarter, every force's return in it, as a force would write it."""
    catalogue = get_catalogue()
    values = plan_values(config, forces)
    files = []
    for q, start in enumerate(starts_within(QUARTERLY, config.year)):
        quarter = Period.quarter(start)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["force", "period", "metric", "breakdown", "value", "comment"])
        for force in forces:
            for code in HEADLINE_METRICS:
                value = values[(force, q, code)]
                shown = format_entry(value) if catalogue.metrics[code].is_money else str(value)
                writer.writerow([force, quarter.code, code, "", shown, ""])
        files.append((f"terminus_{quarter.code}.csv", buffer.getvalue().encode("utf-8")))
    return files


@dataclass
class TerminusDemoReport:
    year: str
    files: list[tuple[str, str]] = field(default_factory=list)
    totals: dict[str, tuple[str, int | None, int]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(got == want for _, got, want in self.totals.values())

    def lines(self) -> list[str]:
        out = [
            f"Project Terminus {self.year}: "
            + ", ".join(f"{name} {status}" for name, status in self.files)
        ]
        for code, (unit, got, want) in self.totals.items():
            mark = "ok" if got == want else f"WANTED {format_figure(want, unit)}"
            out.append(f"  {code}: {format_figure(got, unit)} ({mark})")
        return out


def check_targets(config: TerminusDemoConfig, report: TerminusDemoReport) -> None:
    """The national totals for the year, counted by the metric engine from the returns."""
    catalogue = get_catalogue()
    national = OrgUnit.objects.get(kind=OrgUnitKind.NATIONAL)
    for code, want in config.targets.items():
        result = engine.query(code, national, config.year, catalogue=catalogue)
        report.totals[code] = (catalogue.metrics[code].unit, result.value, want)


def build_terminus_demo(
    national: Any, config: TerminusDemoConfig | None = None
) -> TerminusDemoReport:
    """Load the demo year's quarterly returns (as ``national``) and check the totals."""
    config = config or load_config()
    forces = sorted(OrgUnit.objects.forces().values_list("code", flat=True))
    report = TerminusDemoReport(config.year.code)
    for (name, data), start in zip(
        quarter_files(config, forces), starts_within(QUARTERLY, config.year), strict=True
    ):
        due = add_months(start, 3)
        arrived = datetime(due.year, due.month, 10, 9, 30, tzinfo=UK)
        outcome = import_file(name, data, actor=national, received_at=arrived)
        if not outcome.ok:
            raise DemoConfigError("\n".join(outcome.lines()))
        report.files.append((name, outcome.status))
    check_targets(config, report)
    if not report.ok:
        raise DemoConfigError("\n".join(report.lines()))
    return report
