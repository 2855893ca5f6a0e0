"""Project Terminus figures: the headline panel, quarter by quarter, and by region or force.

Every figure is asked of the metric engine (``msoic.metrics.engine.query``) over the
quarterly ``terminus-quarterly`` returns; nothing here sums values itself. Money comes
back in pence and is written by ``msoic.metrics.money``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from msoic.catalogue.loader import Catalogue, Metric, get_catalogue
from msoic.disclosure.control import DisclosureError
from msoic.disclosure.values import counts_people, release_result
from msoic.metrics import engine
from msoic.metrics.money import format_figure, pence_to_pounds
from msoic.metrics.periods import (
    QUARTERLY,
    Period,
    last_complete_period,
    periods_within,
    starts_within,
)
from msoic.orgunits.models import OrgUnit

DATASET = "terminus-quarterly"
# The panel's order: as the annual report lists them.
HEADLINE_METRICS = (
    "terminus_lorry_stops",
    "terminus_ga_visits",
    "terminus_gm_visits",
    "terminus_debriefs",
    "terminus_cash_seized",
    "terminus_fines",
    "terminus_drugs_value",
    "terminus_marine_hours",
)
# Shown to a partner for a figure of people asked by quarter or for a year not yet over.
FY_ONLY = "ended years only"
EXPORT_HEADER = [
    "period",
    "orgunit",
    "orgunit_name",
    "metric",
    "label",
    "unit",
    "value",
    "complete",
]


@dataclass
class Figure:
    metric: Metric
    value: int | None  # pence for money
    complete: bool
    withheld: str = ""  # disclosure control's mark ("<5", "[c]", "FY only") instead of a value

    @property
    def text(self) -> str:
        """For the panel: £46,400 when there are no pence, else £46,400.50; counts 3,007."""
        if self.withheld:
            return self.withheld
        return format_figure(self.value, self.metric.unit, whole=True) or "–"

    @property
    def full_text(self) -> str:
        """For tables: as on every page, pence only where the amount has them."""
        if self.withheld:
            return self.withheld
        return format_figure(self.value, self.metric.unit) or "–"

    @property
    def export_value(self) -> Any:
        if self.withheld:
            return self.withheld
        if self.value is None:
            return ""
        return pence_to_pounds(self.value) if self.metric.is_money else self.value

    @property
    def export_unit(self) -> str:
        return "GBP" if self.metric.is_money else self.metric.unit


@dataclass
class Line:
    """One row of a table: a quarter or an org unit, with a figure per metric."""

    key: str
    label: str
    figures: list[Figure] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return all(f.complete for f in self.figures)


def metrics(catalogue: Catalogue | None = None) -> list[Metric]:
    cat = catalogue or get_catalogue()
    return [cat.metrics[code] for code in HEADLINE_METRICS]


@dataclass
class Picture:
    """Everything the Terminus page shows for one org unit and period."""

    panel: Line
    quarters: list[Line]  # the quarters of a financial year; empty for a quarter
    split: list[Line]  # by region or force; empty when not asked
    by: str | None


def picture(
    orgunit: OrgUnit,
    period: Period,
    *,
    by: str | None = None,
    catalogue: Catalogue | None = None,
    controlled: bool = False,
) -> Picture:
    """The panel for ``period``, its quarters (for a financial year) and the split ``by``
    region or force: one engine call per metric (``engine.query_periods``).

    ``controlled`` (a partner, :func:`msoic.disclosure.control.controlled`): figures of
    people (the policy's, e.g. debriefs) go through disclosure control as ``/api/v1/values``
    releases them: for an ended financial year only, perturbed, under 5 withheld; never by
    quarter, region or force. Activity figures stay exact."""
    cat = catalogue or get_catalogue()
    quarter_periods = (
        [Period.quarter(s) for s in starts_within(QUARTERLY, period)] if period.kind == "fy" else []
    )
    panel = Line(period.code, period.label)
    quarters = [Line(q.code, q.label) for q in quarter_periods]
    split: dict[str, Line] = {}
    chosen = metrics(cat)
    answers = engine.query_periods(
        [m.code for m in chosen], orgunit, [period, *quarter_periods], by=by, catalogue=cat
    )
    for metric in chosen:
        whole, *parts = answers[metric.code]
        if controlled and counts_people(metric.code):
            if by is not None:
                raise ValueError("disclosure control releases Terminus figures nationally only")
            panel.figures.append(_released(metric, whole))
            for line, result in zip(quarters, parts, strict=True):
                line.figures.append(Figure(metric, None, result.coverage.complete, FY_ONLY))
            continue
        panel.figures.append(Figure(metric, whole.value, whole.coverage.complete))
        for line, result in zip(quarters, parts, strict=True):
            line.figures.append(Figure(metric, result.value, result.coverage.complete))
        for row in whole.rows:
            line = split.setdefault(row.key, Line(row.key, row.label))
            line.figures.append(Figure(metric, row.value, row.complete))
    return Picture(panel, quarters, list(split.values()), by)


def _released(metric: Metric, result: engine.Result) -> Figure:
    """A figure of people for a partner: the released figure for an ended financial year
    (the same as ``/api/v1/values`` gives), or a mark saying why there is none."""
    complete = result.coverage.complete
    if result.value is None:
        return Figure(metric, None, complete)
    try:
        shown = release_result(result).value
    except DisclosureError:
        return Figure(metric, None, complete, FY_ONLY)
    if shown is None or shown.withheld:
        return Figure(metric, None, complete, shown.text if shown else "–")
    return Figure(metric, shown.value, complete)


def headline(orgunit: OrgUnit, period: Period, catalogue: Catalogue | None = None) -> Line:
    """The panel alone: each Terminus metric for ``orgunit`` over ``period``."""
    cat = catalogue or get_catalogue()
    line = Line(period.code, period.label)
    chosen = metrics(cat)
    answers = engine.query_periods([m.code for m in chosen], orgunit, [period], catalogue=cat)
    for metric in chosen:
        [result] = answers[metric.code]
        line.figures.append(Figure(metric, result.value, result.coverage.complete))
    return line


def year_of(period: Period) -> Period:
    """The financial year containing the start of ``period``."""
    return Period.financial_year_of(period.start)


def newest_quarter(today: date) -> Period:
    """The newest complete quarter, or the newest quarter anyone has returned if returns
    stop before that."""
    from django.db.models import Max

    from msoic.collection.models import Submission

    quarter = last_complete_period(QUARTERLY, today)
    latest = Submission.objects.filter(dataset=DATASET, first_received_at__isnull=False).aggregate(
        p=Max("period")
    )["p"]
    if latest is not None and latest < quarter:
        quarter = latest
    return Period.quarter(quarter)


def newest_year(today: date) -> Period:
    """The page's default: the financial year of :func:`newest_quarter`."""
    return year_of(newest_quarter(today))


def offered_periods(newest: Period, catalogue: Catalogue | None = None) -> list[Period]:
    """What the page's period picker offers: every quarter from the first Terminus return to
    ``newest`` (the newest quarter), and the financial years holding them (the newest may
    be in progress: its figures are the quarters so far)."""
    cat = catalogue or get_catalogue()
    first = Period.parse(cat.datasets[DATASET].first_period).start
    if newest.end < first:
        return []
    quarters = periods_within("quarter", first, newest.end)
    years = [
        Period.financial_year_starting(y)
        for y in range(
            newest.financial_year, Period.financial_year_of(first).financial_year - 1, -1
        )
    ]
    return years + quarters


def export_rows(items: list[tuple[str, str, str, Line]]) -> list[list[Any]]:
    """Long rows (one per period, org unit and metric) for CSV/XLSX downloads: money as
    exact pounds with pence (a number in XLSX), counts as whole numbers."""
    out: list[list[Any]] = []
    for period_code, code, name, line in items:
        for f in line.figures:
            out.append(
                [
                    period_code,
                    code,
                    name,
                    f.metric.code,
                    f.metric.label,
                    f.export_unit,
                    f.export_value,
                    "yes" if f.complete else "no",
                ]
            )
    return out
