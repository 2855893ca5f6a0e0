"""Figures of intensifications: one operation's totals, by force and region, completeness
and highlights; and each financial year's totals across operations.

Every figure comes from the metric engine (:func:`msoic.metrics.engine.query_many`):
an operation's figures are the shared ``op_*`` metrics for its month counted in its own
return dataset only (submissions of ``op-<series>-<number>``: the engine's dataset filter),
force by force; a year's figures are those metrics over the financial year across every
operation (``msoic query op_disruptions --period FY2023-24``). An operation's totals and
region rows count its participating forces (a force taken off an operation after
returning keeps its return, which no longer counts). Queries are few and fixed in number,
whatever the number of operations or forces.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max
from django.utils import timezone

from msoic.catalogue.loader import Catalogue, get_catalogue
from msoic.collection.models import Submission, SubmissionVersion, Value
from msoic.metrics.engine import Ask, query_many
from msoic.metrics.periods import Period, due_date
from msoic.operations.catalogue import DUE_DAY, HIGHLIGHTS_METRIC, STANDARD_METRICS
from msoic.operations.models import DATASET_PREFIX, Operation
from msoic.orgunits.models import OrgUnit, OrgUnitKind

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
    notes: dict[int, str] = dict(
        Value.objects.filter(
            version_id__in=version_ids, breakdown="", metric=HIGHLIGHTS_METRIC
        ).values_list("orgunit_id", "comment")
    )
    cells = _force_figures(op, codes, catalogue, {f.code: f.pk for f in participants})
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


def _national() -> OrgUnit:
    return OrgUnit.objects.get(kind=OrgUnitKind.NATIONAL)


def _force_figures(
    op: Operation, codes: list[str], catalogue: Catalogue, forces: dict[str, int]
) -> dict[tuple[int, str], int]:
    """(force id, metric) -> the figure ``forces`` (code -> id) returned for ``op``."""
    month = Period.month(op.month)
    asks = {code: Ask(code, month, "force", dataset=op.dataset_code) for code in codes}
    answers = query_many(_national(), list(asks.values()), catalogue=catalogue)
    cells: dict[tuple[int, str], int] = {}
    for code, ask in asks.items():
        for row in answers.query(ask).rows:
            if row.key in forces and row.value is not None:
                cells[(forces[row.key], code)] = row.value
    return cells


def _year_lines() -> list[YearLine]:
    ops = list(Operation.objects.values_list("pk", "series", "number", "start_date"))
    if not ops:
        return []
    participants = _participants()
    returns = returns_by_dataset()
    years: dict[Period, YearLine] = {}
    for pk, series, number, start in ops:
        fy = Period.financial_year_of(start)
        line = years.get(fy)
        if line is None:
            line = years[fy] = YearLine(fy, 0, 0, 0, [None] * len(STANDARD_METRICS))
        line.operations += 1
        line.forces += participants.get(pk, 0)
        line.returned += returns.get(f"{DATASET_PREFIX}{series.lower()}-{number}", 0)
    asks = {(fy, code): Ask(code, fy) for fy in years for code in STANDARD_METRICS}
    answers = query_many(_national(), list(asks.values()), catalogue=get_catalogue())
    for fy, line in years.items():
        line.values = [answers.query(asks[(fy, code)]).value for code in STANDARD_METRICS]
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
    asks = {
        (op.pk, code): Ask(code, period, dataset=op.dataset_code)
        for op in ops
        for code in STANDARD_METRICS
    }
    answers = query_many(_national(), list(asks.values()), catalogue=get_catalogue())
    return [
        OperationLine(
            op,
            participants.get(op.pk, 0),
            returns.get(op.dataset_code, 0),
            [answers.query(asks[(op.pk, code)]).value for code in STANDARD_METRICS],
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
