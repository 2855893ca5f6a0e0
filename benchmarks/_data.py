"""Synthetic but plausible monthly returns for the 43 forces, shared by the benchmarks.

Figures are sized by force (the Metropolitan Police largest, City of London smallest),
vary with season and noise, and every breakdown adds up to its total, so the returns pass
validation (including the outlier rule) as a real force's would. The same force, month and
metric always give the same figures.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

# Typical monthly level for a force of weight 1.0 (stocks: the month-end count).
LEVELS = {
    "ms_live_investigations": 80.0,
    "ms_recorded_crimes": 17.0,
    "ms_nrm_referrals": 6.5,
    "ms_dtn_reports": 2.0,
    "ms_arrests": 3.0,
    "ms_charges": 1.5,
    "oic_disruptions": 1.1,
    "oic_soc_master_list": 1.5,
    "oic_ocgs_mapped": 4.0,
    "oic_intel_logs_tagged": 25.0,
}
# How a total splits between a breakdown's options (options not named get a small share).
SHARES = {
    "exploitation_type": {
        "criminal": 0.60,
        "sexual": 0.17,
        "labour": 0.16,
        "domestic_servitude": 0.03,
        "organ_harvesting": 0.005,
        "other": 0.035,
    },
    "age_group": {"adult": 0.55, "child": 0.40, "unknown": 0.05},
    "level": {"major": 0.15, "moderate": 0.35, "minor": 0.50},
}
# Relative size of forces; those not named are 1.0.
FORCE_WEIGHTS = {
    "metropolitan": 6.0,
    "west-midlands": 2.6,
    "greater-manchester": 2.6,
    "west-yorkshire": 2.1,
    "thames-valley": 1.6,
    "kent": 1.5,
    "essex": 1.5,
    "hampshire": 1.5,
    "avon-and-somerset": 1.3,
    "lancashire": 1.3,
    "merseyside": 1.3,
    "northumbria": 1.2,
    "south-yorkshire": 1.2,
    "devon-and-cornwall": 1.2,
    "sussex": 1.1,
    "south-wales": 1.1,
    "city-of-london": 0.15,
    "cumbria": 0.5,
    "dyfed-powys": 0.5,
    "gwent": 0.6,
    "north-wales": 0.6,
    "warwickshire": 0.5,
    "dorset": 0.6,
    "wiltshire": 0.6,
    "gloucestershire": 0.6,
    "north-yorkshire": 0.7,
    "lincolnshire": 0.7,
    "suffolk": 0.7,
    "norfolk": 0.8,
    "bedfordshire": 0.7,
    "durham": 0.6,
    "cleveland": 0.7,
    "cambridgeshire": 0.8,
}


@dataclass(frozen=True)
class Cell:
    metric: str
    breakdown: str  # "" for the total
    option: str
    value: int


def _split(total: int, shares: dict[str, float], rng: random.Random) -> dict[str, int]:
    """Split ``total`` between options by jittered shares; the parts add up exactly."""
    weights = {o: s * rng.uniform(0.8, 1.2) for o, s in shares.items()}
    scale = sum(weights.values())
    exact = {o: total * w / scale for o, w in weights.items()}
    parts = {o: math.floor(x) for o, x in exact.items()}
    left = total - sum(parts.values())
    for o in sorted(exact, key=lambda o: exact[o] - parts[o], reverse=True)[:left]:
        parts[o] += 1
    return parts


def monthly_datasets(catalogue: Any) -> list[str]:
    """The monthly returns every force sends (not quarterly, operation or library datasets:
    their own benchmarks time those)."""
    return sorted(c for c, d in catalogue.datasets.items() if d.frequency == "monthly")


def month_cells(catalogue: Any, dataset: str, force: str, month: date) -> list[Cell]:
    """The figures ``force`` returns for ``dataset`` in ``month``: totals and breakdowns."""
    weight = FORCE_WEIGHTS.get(force, 1.0)
    cells: list[Cell] = []
    for metric in catalogue.dataset_metrics(dataset):
        rng = random.Random(f"{force}|{month.isoformat()}|{metric.code}")
        level = LEVELS.get(metric.code, 5.0) * weight
        season = 1 + (0.04 if metric.is_stock else 0.12) * math.sin(
            2 * math.pi * (month.month - 3) / 12
        )
        noise = rng.gauss(1.0, 0.06 if metric.is_stock else 0.18)
        total = max(0, round(level * season * noise))
        cells.append(Cell(metric.code, "", "", total))
        for breakdown in metric.breakdowns:
            options = catalogue.breakdowns[breakdown].options
            shares = {o: SHARES.get(breakdown, {}).get(o, 0.02) for o in options}
            for option, value in _split(total, shares, rng).items():
                cells.append(Cell(metric.code, breakdown, option, value))
    return cells


def xlsx_return(force: str, period: str, cells: list[Cell]) -> bytes:
    """A return as the pipeline reads it: sheet "Return", header row, one row per value."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Return"
    ws.append(["force", "period", "metric", "breakdown", "value", "comment"])
    for c in cells:
        ws.append(
            [
                force,
                period,
                c.metric,
                f"{c.breakdown}={c.option}" if c.breakdown else None,
                c.value,
                None,
            ]
        )
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _content_sha256(cells: list[Cell]) -> str:
    items = sorted([c.metric, c.breakdown, c.option, c.value, ""] for c in cells)
    return hashlib.sha256(json.dumps(items, separators=(",", ":")).encode("utf-8")).hexdigest()


def months_between(first: date, last: date) -> Iterator[date]:
    from msoic.metrics.periods import add_months

    month = first
    while month <= last:
        yield month
        month = add_months(month, 1)


def bulk_load(
    first: date, last: date, *, corrected_share: float = 0.05, batch: int = 5000
) -> dict[str, int]:
    """Insert accepted returns for every force and dataset from ``first`` to ``last``.

    Rows are written straight to Submission, SubmissionVersion and Value (not through the
    pipeline, which is far slower and not what is measured). About ``corrected_share`` of
    returns get a superseded first version, so non-current values are in the table too.
    """
    from django.db import transaction
    from django.utils import timezone

    from msoic.catalogue.loader import get_catalogue
    from msoic.collection.models import Submission, SubmissionVersion, Value
    from msoic.orgunits.models import OrgUnit

    catalogue = get_catalogue()
    forces = list(OrgUnit.objects.forces().order_by("code"))
    months = list(months_between(first, last))
    now = timezone.now()
    counts = {"submissions": 0, "versions": 0, "values": 0}
    with transaction.atomic():
        for month in months:
            subs: list[Submission] = []
            content: list[tuple[Any, list[Cell], bool]] = []
            for dataset in monthly_datasets(catalogue):
                for force in forces:
                    cells = month_cells(catalogue, dataset, force.code, month)
                    corrected = (
                        random.Random(f"{force.code}|{month}|{dataset}|v").random()
                        < corrected_share
                    )
                    subs.append(
                        Submission(
                            dataset=dataset, orgunit=force, period=month, first_received_at=now
                        )
                    )
                    content.append((force, cells, corrected))
            Submission.objects.bulk_create(subs, batch_size=batch)
            versions: list[SubmissionVersion] = []
            for sub, (_, cells, corrected) in zip(subs, content, strict=True):
                if corrected:
                    versions.append(
                        SubmissionVersion(
                            submission=sub,
                            number=1,
                            source="xlsx",
                            filename="bulk.xlsx",
                            content_sha256="0" * 64,
                            received_at=now,
                            value_count=len(cells),
                        )
                    )
                versions.append(
                    SubmissionVersion(
                        submission=sub,
                        number=2 if corrected else 1,
                        source="xlsx",
                        filename="bulk.xlsx",
                        content_sha256=_content_sha256(cells),
                        received_at=now,
                        value_count=len(cells),
                    )
                )
            SubmissionVersion.objects.bulk_create(versions, batch_size=batch)
            values: list[Value] = []
            current_of: dict[int, SubmissionVersion] = {}
            for v in versions:
                current_of[v.submission_id] = v  # the later version of a submission wins
            for sub, (force, cells, corrected) in zip(subs, content, strict=True):
                current = current_of[sub.pk]
                if corrected:
                    old = next(v for v in versions if v.submission_id == sub.pk and v.number == 1)
                    for c in cells:
                        values.append(
                            Value(
                                version=old,
                                orgunit=force,
                                period=month,
                                metric=c.metric,
                                breakdown=c.breakdown,
                                option=c.option,
                                value=max(0, c.value - 1) if not c.breakdown else c.value,
                                is_current=False,
                            )
                        )
                for c in cells:
                    values.append(
                        Value(
                            version=current,
                            orgunit=force,
                            period=month,
                            metric=c.metric,
                            breakdown=c.breakdown,
                            option=c.option,
                            value=c.value,
                            is_current=True,
                        )
                    )
                sub.current_version = current
            Value.objects.bulk_create(values, batch_size=batch)
            Submission.objects.bulk_update(subs, ["current_version"], batch_size=batch)
            counts["submissions"] += len(subs)
            counts["versions"] += len(versions)
            counts["values"] += len(values)
    return counts
