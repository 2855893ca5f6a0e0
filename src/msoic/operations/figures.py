"""Figures of intensifications: one operation's totals, by force and region, completeness
and highlights; and each financial year's totals across operations.

Values come from the collection pipeline's current values. An operation's figures are the
values of its return dataset (submissions of ``op-<series>-<number>``); a year's figures
are the shared ``op_*`` metrics summed over the year's months, which is what the metric
engine answers too (``msoic query op_disruptions --period FY2023-24``); the demo test
checks the two agree. Queries are few and fixed in number, whatever the number of
operations or forces.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max, Sum
from django.utils import timezone

from msoic.catalogue.loader import Catalogue
from msoic.collection.models import Submission, SubmissionVersion, Value
from msoic.metrics.periods import Period, due_date
from msoic.operations.catalogue import DUE_DAY, HIGHLIGHTS_METRIC, STANDARD_METRICS
from msoic.operations.models import DATASET_PREFIX, Operation, financial_year_of
from msoic.orgunits.models import OrgUnit

YEAR_CACHE_SECONDS = 3600
APPROVED, SUBMITTED, MISSING, NOT_DUE = "approved", "submitted", "missing", "not-due"
STATUS_LABELS = {
    APPROVED: "Approved",
    SUBMITTED: "Returned",
    MISSING: "Not returned",
    NOT_DUE: "Not yet due",
}


@dataclass
class MetricColumn:
    code: str
    label: str
    standard: bool


@dataclass
class FigureRow:
    code: str
    label: str
    values: list[int | None]
    status: str = ""
    submission_id: int | None = None
    returned: int = 0
    expected: int = 0

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, "")


@dataclass
class OperationFigures:
    operation: Operation
    columns: list[MetricColumn]
    totals: list[int | None]
    returned: int
    expected: int
    due: date
    by_force: list[FigureRow] = field(default_factory=list)
    by_region: list[FigureRow] = field(default_factory=list)
    highlights: list[tuple[str, str]] = field(default_factory=list)  # (force name, text)

    @property
    def complete(self) -> bool:
        return self.returned >= self.expected > 0


def metric_columns(op: Operation, catalogue: Catalogue) -> list[MetricColumn]:
    ds = catalogue.datasets.get(op.dataset_code)
    codes = list(ds.metrics) if ds else [*STANDARD_METRICS, *op.activity_metrics]
    return [
        MetricColumn(c, catalogue.metrics[c].short_label, c in STANDARD_METRICS)
        for c in codes
        if c != HIGHLIGHTS_METRIC and c in catalogue.metrics
    ]


def _sum(values: list[int | None]) -> int | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def operation_figures(
    op: Operation,
    catalogue: Catalogue,
    *,
    detail_force_ids: set[int],
    by_region: bool,
    today: date | None = None,
) -> OperationFigures:
    """Totals over every participating force; rows by force only for ``detail_force_ids``
    (the forces the user may see); rows by region when ``by_region`` (the unit)."""
    today = today or timezone.localdate()
    columns = metric_columns(op, catalogue)
    codes = [c.code for c in columns]
    participants = list(op.forces.select_related("parent").order_by("name"))
    subs = {
        s.orgunit_id: s
        for s in Submission.objects.filter(dataset=op.dataset_code).only(
            "pk", "orgunit_id", "current_version_id", "locked"
        )
    }
    version_ids = [s.current_version_id for s in subs.values() if s.current_version_id]
    cells: dict[tuple[int, str], int] = {}
    notes: dict[int, str] = {}
    for oid, metric, value, comment in Value.objects.filter(
        version_id__in=version_ids, breakdown=""
    ).values_list("orgunit_id", "metric", "value", "comment"):
        if metric == HIGHLIGHTS_METRIC:
            notes[oid] = comment
        else:
            cells[(oid, metric)] = value
    ds = catalogue.datasets.get(op.dataset_code)
    due = due_date(op.month, ds.due_day if ds else DUE_DAY)
    participant_ids = {f.pk for f in participants}

    def status(force_id: int) -> str:
        sub = subs.get(force_id)
        if sub is not None and sub.locked:
            return APPROVED
        if sub is not None and sub.current_version_id:
            return SUBMITTED
        return MISSING if today > due else NOT_DUE

    returned = sum(1 for f in participants if status(f.pk) in (APPROVED, SUBMITTED))
    totals = [_sum([cells.get((oid, code)) for oid in participant_ids]) for code in codes]
    figures = OperationFigures(op, columns, totals, returned, len(participants), due)
    for f in participants:
        if f.pk not in detail_force_ids:
            continue
        sub = subs.get(f.pk)
        figures.by_force.append(
            FigureRow(
                f.code,
                f.name,
                [cells.get((f.pk, c)) for c in codes],
                status=status(f.pk),
                submission_id=sub.pk if sub is not None and sub.current_version_id else None,
            )
        )
        if notes.get(f.pk):
            figures.highlights.append((f.name, notes[f.pk]))
    if by_region:
        regions: dict[str, list[OrgUnit]] = defaultdict(list)
        for f in participants:
            regions[f.parent.code if f.parent else ""].append(f)
        for members in sorted(
            regions.values(), key=lambda m: m[0].parent.name if m[0].parent else ""
        ):
            region = members[0].parent
            figures.by_region.append(
                FigureRow(
                    region.code if region else "",
                    region.name if region else "",
                    [_sum([cells.get((f.pk, c)) for f in members]) for c in codes],
                    returned=sum(1 for f in members if status(f.pk) in (APPROVED, SUBMITTED)),
                    expected=len(members),
                )
            )
    return figures


# --- across operations ------------------------------------------------------------------


@dataclass
class OperationLine:
    operation: Operation
    forces: int
    returned: int
    values: list[int | None]


@dataclass
class YearLine:
    period: Period
    operations: int
    forces: int  # force participations expected to return
    returned: int
    values: list[int | None]


def returns_by_dataset(datasets: list[str] | None = None) -> dict[str, int]:
    """Operation dataset -> number of forces that have returned."""
    subs = Submission.objects.filter(current_version__isnull=False)
    subs = (
        subs.filter(dataset__in=datasets)
        if datasets is not None
        else subs.filter(dataset__startswith=DATASET_PREFIX)
    )
    return dict(
        subs.order_by().values_list("dataset").annotate(n=Count("id")).values_list("dataset", "n")
    )


def _participants(ids: list[int] | None = None) -> dict[int, int]:
    """Operation id -> number of participating forces."""
    rows = Operation.forces.through.objects.all()
    if ids is not None:
        rows = rows.filter(operation_id__in=ids)
    return {r["operation_id"]: r["n"] for r in rows.values("operation_id").annotate(n=Count("id"))}


def _fingerprint() -> str:
    """Changes whenever the figures behind :func:`year_lines` may have: a new version of an
    operation's return (values are only ever added with one) or a new or edited operation.
    Monthly returns do not touch it."""
    newest = SubmissionVersion.objects.filter(
        submission__dataset__startswith=DATASET_PREFIX
    ).aggregate(m=Max("pk"))["m"]
    ops = Operation.objects.aggregate(n=Count("pk"), u=Max("updated_at"))
    return f"{newest}|{ops['n']}|{ops['u']}"


def year_lines() -> list[YearLine]:
    """Every financial year with operations, newest first: counts, returns and the
    standard outcomes summed across its operations.

    Summing ten years of values is the one costly query of the overview, so the answer is
    cached (per process) until a new return version or operation change; see
    benchmarks/operations.py for the cold and warm timings."""
    key = "operations-years-" + hashlib.sha256(_fingerprint().encode()).hexdigest()[:32]
    lines: list[YearLine] | None = cache.get(key)
    if lines is None:
        lines = _year_lines()
        cache.set(key, lines, YEAR_CACHE_SECONDS)
    return lines


def _fy_start(day: date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def _year_lines() -> list[YearLine]:
    ops = list(Operation.objects.values_list("pk", "series", "number", "start_date"))
    if not ops:
        return []
    participants = _participants()
    returns = returns_by_dataset()
    years: dict[int, YearLine] = {}
    for pk, series, number, start in ops:
        fy = _fy_start(start)
        line = years.get(fy)
        if line is None:
            line = years[fy] = YearLine(
                financial_year_of(start), 0, 0, 0, [None] * len(STANDARD_METRICS)
            )
        line.operations += 1
        line.forces += participants.get(pk, 0)
        line.returned += returns.get(f"{DATASET_PREFIX}{series.lower()}-{number}", 0)
    index = {code: i for i, code in enumerate(STANDARD_METRICS)}
    for month, metric, total in (
        Value.objects.filter(is_current=True, breakdown="", metric__in=STANDARD_METRICS)
        .values_list("period", "metric")
        .annotate(t=Sum("value"))
        .values_list("period", "metric", "t")
    ):
        line = years.get(_fy_start(month))
        if line is None:
            continue
        i = index[metric]
        line.values[i] = (line.values[i] or 0) + int(total)
    return sorted(years.values(), key=lambda y: y.period.start, reverse=True)


def operation_lines(period: Period) -> list[OperationLine]:
    """The operations starting in ``period`` with their standard outcome totals."""
    ops = list(
        Operation.objects.filter(
            start_date__gte=period.start, start_date__lt=_after(period)
        ).order_by("start_date", "series", "number")
    )
    if not ops:
        return []
    participants = _participants([op.pk for op in ops])
    returns = returns_by_dataset([op.dataset_code for op in ops])
    index = {code: i for i, code in enumerate(STANDARD_METRICS)}
    sums: dict[str, list[int | None]] = defaultdict(lambda: [None] * len(STANDARD_METRICS))
    for dataset, metric, total in (
        Value.objects.filter(
            is_current=True,
            breakdown="",
            metric__in=STANDARD_METRICS,
            period__gte=period.start,
            period__lte=period.end,
        )
        .values_list("version__submission__dataset", "metric")
        .annotate(t=Sum("value"))
        .values_list("version__submission__dataset", "metric", "t")
    ):
        row = sums[dataset]
        row[index[metric]] = int(total)
    return [
        OperationLine(
            op,
            participants.get(op.pk, 0),
            returns.get(op.dataset_code, 0),
            list(sums[op.dataset_code]) if op.dataset_code in sums else [None] * len(index),
        )
        for op in ops
    ]


def _after(period: Period) -> date:
    from msoic.metrics.periods import add_months

    return add_months(period.end, 1)


def standard_labels(catalogue: Catalogue) -> list[str]:
    return [catalogue.metrics[c].short_label for c in STANDARD_METRICS]


def totals_for(lines: list[Any]) -> list[int | None]:
    return [_sum([line.values[i] for line in lines]) for i in range(len(STANDARD_METRICS))]
