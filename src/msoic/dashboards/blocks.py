"""The parts of a dashboard page: headline figures, trends, mixes and breakdowns.

Each part is a :class:`Block`: the figures as table rows (the table alternative, and the
rows of the CSV/XLSX download) plus zero or more chart specifications. Every figure comes
from the metric engine: a page's (or a download's) blocks say what they will ask
(:meth:`DashboardData.asks`) and the engine answers all of it at once for each org unit
(:func:`msoic.metrics.engine.query_many`); nothing here adds figures up. Which blocks a
viewer gets is decided by their :class:`~msoic.dashboards.scope.DashboardScope`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib.humanize.templatetags.humanize import intcomma
from django.urls import reverse

from msoic.catalogue.loader import Catalogue, Metric
from msoic.dashboards import charts
from msoic.dashboards.scope import DashboardScope
from msoic.metrics.engine import (
    Answers,
    Ask,
    Coverage,
    Point,
    Result,
    SeriesAsk,
    query_many,
)
from msoic.metrics.periods import Period, add_months, format_month, month_label, parse_month
from msoic.orgunits.models import OrgUnit, OrgUnitKind

TREND_MONTHS = 36


@dataclass(frozen=True)
class Headline:
    """A headline measure and how its period follows the picked month."""

    metric: str
    period: str  # r12: the twelve months to it; fy: the last financial year ended by it; month: it


@dataclass(frozen=True)
class Split:
    """A metric shown split by one of its breakdowns."""

    metric: str
    breakdown: str
    period: str = "month"  # for a mix: as Headline.period


@dataclass(frozen=True)
class DashboardDef:
    code: str
    dataset: str
    title: str
    lede: str
    headline: tuple[Headline, ...]
    trends: tuple[str, ...]
    split_trends: tuple[Split, ...] = ()
    mixes: tuple[Split, ...] = ()
    # Metrics some forces derive from their investigation register (direct data entry):
    # a block says how much of each figure comes from the register and how much from returns.
    sources: tuple[str, ...] = ()


DASHBOARDS = {
    "ms": DashboardDef(
        code="ms",
        dataset="ms-monthly",
        title="Modern slavery",
        lede="Live investigations, recorded crime and police referrals into the National Referral "
        "Mechanism (NRM), from forces' monthly returns.",
        headline=(
            Headline("ms_live_investigations", "r12"),
            Headline("ms_recorded_crimes", "r12"),
            Headline("ms_nrm_referrals", "r12"),
        ),
        trends=("ms_live_investigations", "ms_recorded_crimes", "ms_nrm_referrals"),
        split_trends=(Split("ms_nrm_referrals", "age_group"),),
        mixes=(Split("ms_live_investigations", "exploitation_type", "month"),),
        sources=("ms_live_investigations", "ms_nrm_referrals", "ms_dtn_reports"),
    ),
    "oic": DashboardDef(
        code="oic",
        dataset="oic-monthly",
        title="Organised immigration crime",
        lede="Disruptions, investigations on the Serious and Organised Crime (SOC) Master List, "
        "organised crime groups mapped and intelligence tagged with the national OIC hashtag, "
        "from forces' monthly returns.",
        headline=(Headline("oic_disruptions", "fy"), Headline("oic_soc_master_list", "month")),
        trends=("oic_soc_master_list", "oic_ocgs_mapped", "oic_intel_logs_tagged"),
        split_trends=(Split("oic_disruptions", "level"),),
        mixes=(Split("oic_disruptions", "level", "fy"),),
    ),
}


def period_for(policy: str, picked: date | Period) -> Period:
    """The period a headline figure covers when ``picked`` is picked: for a month, as the
    policy says; for a wider period (a quarter, a year, a year to a month), that period."""
    if isinstance(picked, Period):
        if picked.kind != "month":
            return picked
        picked = picked.start
    month = picked
    if policy == "r12":
        return Period.rolling_year_to(month)
    if policy == "fy":
        return Period.last_financial_year_to(month)
    if policy == "month":
        return Period.month(month)
    raise ValueError(f"unknown period policy {policy!r}")


def period_label(period: Period, metric: Metric) -> str:
    if period.kind == "month" and metric.is_stock:
        return f"As at {period.label}"
    return period.label


def in_sentence(label: str) -> str:
    """A period label inside a sentence: 'As at July 2024' -> 'as at July 2024'."""
    first, _, rest = label.partition(" ")
    if first in {"As", "Year", "Financial", "Calendar"}:
        return f"{first.lower()} {rest}"
    return label


def fmt_int(value: int | None) -> str:
    return "no figure" if value is None else intcomma(value)


def fmt_change(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"+{value:.1f}%" if value > 0 else f"{value:.1f}%"


def fmt_share(value: float | None) -> str:
    return "no figure" if value is None else f"{value * 100:.0f}%"


def missing_text(coverage: Coverage | None) -> str:
    """'incomplete: N forces not returned', or '' when every expected return is in."""
    if coverage is None or coverage.complete:
        return ""
    n = len(coverage.missing_forces)
    if n == 0:  # nothing expected yet (the period is before collection began)
        return "incomplete: no returns expected"
    return f"incomplete: {n} force{'s' if n != 1 else ''} not returned"


def returns_text(received: int, expected: int) -> str:
    return f"{received} of {expected}"


NO_RETURN = "no return"


def dashboard_url(
    dashboard: str, orgunit: str, month: date | Period | None, measure: str | None
) -> str:
    """The address of ``dashboard`` for ``orgunit``, keeping the period and measure picked."""
    params = {"orgunit": orgunit}
    if measure is not None:
        params["measure"] = measure
    if isinstance(month, Period):
        params["period"] = month.code
    elif month is not None:
        params["period"] = format_month(month)
    return f"{reverse(f'dashboard-{dashboard}')}?{urlencode(params)}"


@dataclass
class Column:
    key: str
    label: str
    kind: str = "text"  # text | int | change | share | header
    missing: str = "no figure"  # what an int cell without a figure says


@dataclass
class Block:
    """One part of a page: a table of figures, its charts, and the download of its rows."""

    id: str
    title: str
    description: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    section: str = "headline"  # trends | mix | areas
    charts: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def export_header(self) -> list[str]:
        return [c.label for c in self.columns]

    def export_rows(self) -> list[list[Any]]:
        return [[row.get(c.key) for c in self.columns] for row in self.rows]

    def table(self) -> list[list[dict[str, Any]]]:
        """The rows as display cells: ``text``, ``header`` (a row header) and ``numeric``."""
        out = []
        for row in self.rows:
            cells = []
            for c in self.columns:
                value = row.get(c.key)
                if c.kind == "int":
                    text = c.missing if value is None else fmt_int(value)
                elif c.kind == "change":
                    text = fmt_change(value)
                elif c.kind == "share":
                    text = "no figure" if value is None else f"{value:.1f}%"
                else:
                    text = "" if value is None else str(value)
                cells.append(
                    {
                        "text": text,
                        "header": c.kind == "header",
                        "numeric": c.kind in {"int", "change", "share"},
                        # A row header may link to that row's own page (a region or force).
                        "href": row.get("href") if c.kind == "header" else None,
                    }
                )
            out.append(cells)
        return out

    def chart_ids(self) -> list[str]:
        return [f"chart-{self.id}-{i}" for i in range(len(self.charts))]

    def chart_items(self) -> list[dict[str, Any]]:
        return [
            {"id": cid, "spec_id": f"{cid}-spec", "spec": spec}
            for cid, spec in zip(self.chart_ids(), self.charts, strict=True)
        ]


SECTIONS = [
    ("trends", "Monthly trends"),
    ("mix", "Mix"),
    ("areas", "Regions and forces"),
    ("sources", "Where the figures come from"),
]


@dataclass
class Section:
    key: str
    title: str
    blocks: list[Block]


@dataclass
class HeadlineCell:
    orgunit: OrgUnit
    value: int | None
    previous_value: int | None
    change_pct: float | None
    flag: str
    previous_flag: str

    @property
    def incomplete(self) -> bool:
        return bool(self.flag or self.previous_flag)


@dataclass
class HeadlineItem:
    metric: Metric
    period: Period
    previous_period: Period
    label: str
    previous_label: str
    cells: list[HeadlineCell]


class DashboardData:
    """Builds the blocks of one dashboard for one scope and month.

    ``measure`` is the headline metric shown by the region and force breakdowns.
    """

    def __init__(
        self,
        definition: DashboardDef,
        scope: DashboardScope,
        month: date,
        measure: str,
        catalogue: Catalogue,
        *,
        period: Period | None = None,
    ) -> None:
        self.d = definition
        self.scope = scope
        # What was picked: a month (the default), or a wider period whose every figure then
        # covers it; trends run to its last month.
        self.picked = period if period is not None else Period.month(month)
        self.month = self.picked.end
        self.cat = catalogue
        self.measure = measure
        # The trends' first month: 36 months back, or when collection began if later.
        first = parse_month(catalogue.datasets[definition.dataset].first_period)
        self.start = max(add_months(month, -(TREND_MONTHS - 1)), first)
        self._answers: dict[int, Answers] = {}  # org unit id -> what the engine said

    # -- what the blocks ask the engine ----------------------------------------------------
    def asks(self, block_ids: list[str]) -> dict[int, list[Ask | SeriesAsk]]:
        """Org unit id -> every question the blocks ``block_ids`` put to the engine."""
        out: dict[int, list[Ask | SeriesAsk]] = {}

        def ask(unit: OrgUnit, question: Ask | SeriesAsk) -> None:
            questions = out.setdefault(unit.pk, [])
            if question not in questions:
                questions.append(question)

        units = self.scope.units
        for block_id in block_ids:
            if block_id == "headline":
                for h in self.d.headline:
                    for u in units:
                        ask(u, self._compared(h.metric, period_for(h.period, self.picked)))
            elif block_id in ("regions", "forces"):
                by = "region" if block_id == "regions" else "force"
                ask(self._breakdown_unit(by), self._breakdown_ask(by))
            elif block_id == "sources":
                for code, period in self._source_periods():
                    for u in units:
                        ask(u, self._compared(code, period))
        for m in self.d.trends:
            if f"trend-{m}" in block_ids:
                for u in units:
                    ask(u, SeriesAsk(m, self.start, self.month))
        for s in self.d.split_trends:
            if f"split-{s.metric}-{s.breakdown}" in block_ids:
                ask(self.scope.orgunit, SeriesAsk(s.metric, self.start, self.month, s.breakdown))
        for s in self.d.mixes:
            if f"mix-{s.metric}-{s.breakdown}" in block_ids:
                for u in units:
                    ask(u, Ask(s.metric, period_for(s.period, self.picked), s.breakdown))
        return out

    def fetch(self, block_ids: list[str]) -> None:
        """Ask the engine, once per org unit, everything ``block_ids`` need and it has not
        been asked yet on this page."""
        for unit_id, questions in self.asks(block_ids).items():
            unit = next(u for u in self.scope.units if u.pk == unit_id)
            self._ask(unit, questions)

    def _ask(self, unit: OrgUnit, questions: list[Ask | SeriesAsk]) -> Answers:
        """The engine's answers for ``unit``, asking (in one call) only what it has not been
        asked yet on this page."""
        known = self._answers.setdefault(unit.pk, Answers())
        missing = [
            q
            for q in questions
            if (q not in known.results if isinstance(q, Ask) else q not in known.points)
        ]
        if missing:
            found = query_many(unit, missing, catalogue=self.cat)
            known.results.update(found.results)
            known.points.update(found.points)
        return known

    def _result(self, unit: OrgUnit, question: Ask) -> Result:
        return self._ask(unit, [question]).query(question)

    def _points(self, unit: OrgUnit, question: SeriesAsk) -> list[Point]:
        return self._ask(unit, [question]).series(question)

    @staticmethod
    def _compared(metric: str, period: Period) -> Ask:
        return Ask(metric, period, compare="previous-year")

    def _query(self, metric: str, unit: OrgUnit, period: Period) -> Result:
        """The engine's answer with the previous year."""
        return self._result(unit, self._compared(metric, period))

    def _breakdown_unit(self, by: str) -> OrgUnit:
        return self._national() if by == "region" else self.scope.orgunit

    def _breakdown_ask(self, by: str) -> Ask:
        period = period_for(self._headline_for(self.measure).period, self.picked)
        return Ask(self.measure, period, by, "previous-year")

    def _source_periods(self) -> list[tuple[str, Period]]:
        headline = {h.metric: h.period for h in self.d.headline}
        return [
            (code, period_for(headline.get(code, "r12"), self.picked)) for code in self.d.sources
        ]

    # -- which blocks --------------------------------------------------------------------
    def block_ids(self) -> list[str]:
        ids = ["headline"]
        ids += [f"trend-{m}" for m in self.d.trends]
        ids += [f"split-{s.metric}-{s.breakdown}" for s in self.d.split_trends]
        ids += [f"mix-{s.metric}-{s.breakdown}" for s in self.d.mixes]
        if self.scope.by_region:
            ids.append("regions")
        if self.scope.by_force:
            ids.append("forces")
        if self.d.sources:
            ids.append("sources")
        return ids

    def restricted_block_ids(self) -> set[str]:
        """Blocks this dashboard has that some viewers may not see."""
        return {"regions", "forces"}

    def build(self, block_id: str) -> Block:
        if block_id not in self.block_ids():
            raise KeyError(block_id)
        self.fetch([block_id])
        if block_id == "headline":
            return self.headline_block(self.headline())
        if block_id == "regions":
            return self.breakdown_block("region")
        if block_id == "forces":
            return self.breakdown_block("force")
        if block_id == "sources":
            return self.sources_block()
        for m in self.d.trends:
            if block_id == f"trend-{m}":
                return self.trend_block(m)
        for s in self.d.split_trends:
            if block_id == f"split-{s.metric}-{s.breakdown}":
                return self.split_trend_block(s)
        for s in self.d.mixes:
            if block_id == f"mix-{s.metric}-{s.breakdown}":
                return self.mix_block(s)
        raise KeyError(block_id)

    def blocks(self) -> list[Block]:
        self.fetch(self.block_ids())
        return [self.build(b) for b in self.block_ids() if b != "headline"]

    # -- headline ------------------------------------------------------------------------
    def _headline_for(self, code: str) -> Headline:
        return next(h for h in self.d.headline if h.metric == code)

    def headline(self) -> list[HeadlineItem]:
        self.fetch(self.block_ids())  # the page's every figure in one go
        items = []
        for h in self.d.headline:
            metric = self.cat.metric(h.metric)
            period = period_for(h.period, self.picked)
            cells = []
            for unit in self.scope.units:
                r = self._query(h.metric, unit, period)
                cells.append(
                    HeadlineCell(
                        unit,
                        r.value,
                        r.previous_value,
                        r.change_pct,
                        missing_text(r.coverage),
                        missing_text(r.previous_coverage),
                    )
                )
            prev = period.previous_year()
            items.append(
                HeadlineItem(
                    metric,
                    period,
                    prev,
                    period_label(period, metric),
                    period_label(prev, metric),
                    cells,
                )
            )
        return items

    def headline_block(self, items: list[HeadlineItem]) -> Block:
        rows = []
        for item in items:
            for cell in item.cells:
                rows.append(
                    {
                        "measure": item.metric.short_label,
                        "area": cell.orgunit.name,
                        "previous_period": item.previous_label,
                        "previous_value": cell.previous_value,
                        "previous_flag": cell.previous_flag,
                        "period": item.label,
                        "value": cell.value,
                        "flag": cell.flag,
                        "change": cell.change_pct,
                    }
                )
        return Block(
            id="headline",
            title="Headline figures",
            description="Each measure for the latest period and the same period a year earlier, "
            "with the change.",
            columns=[
                Column("measure", "Measure", "header"),
                Column("area", "Area"),
                Column("previous_period", "Previous period"),
                Column("previous_value", "Previous total", "int"),
                Column("previous_flag", "Previous completeness"),
                Column("period", "Period"),
                Column("value", "Total", "int"),
                Column("flag", "Completeness"),
                Column("change", "Change (%)", "change"),
            ],
            rows=rows,
        )

    # -- trends --------------------------------------------------------------------------
    def _span_text(self) -> str:
        return f"{month_label(self.start)} to {month_label(self.month)}"

    def trend_block(self, code: str) -> Block:
        metric = self.cat.metric(code)
        units = self.scope.units
        trend = SeriesAsk(code, self.start, self.month)
        by_unit = {u.pk: self._points(u, trend) for u in units}
        months = [p.month for p in by_unit[units[0].pk]]
        columns = [Column("month", "Month", "header")]
        for u in units:
            columns += [
                Column(f"value_{u.code}", f"{u.name}", "int"),
                Column(f"returns_{u.code}", f"{u.name}: returns received"),
            ]
        rows = []
        for i, m in enumerate(months):
            row: dict[str, Any] = {"month": month_label(m)}
            for u in units:
                p = by_unit[u.pk][i]
                row[f"value_{u.code}"] = p.value
                row[f"returns_{u.code}"] = returns_text(p.received, p.expected)
            rows.append(row)
        specs = []
        for u in units:
            points = [
                {
                    "month": f"{format_month(p.month)}-01",
                    "value": p.value,
                    "returns": charts.COMPLETE if p.received >= p.expected else charts.INCOMPLETE,
                }
                for p in by_unit[u.pk]
            ]
            specs.append(
                charts.trend_chart(
                    u.name,
                    _trend_description(metric, u, points, self._span_text()),
                    points,
                    y_title=metric.unit.capitalize(),
                )
            )
        what = "count at the end of each month" if metric.is_stock else "total for each month"
        return Block(
            id=f"trend-{code}",
            section="trends",
            title=metric.short_label,
            description=f"{metric.short_label}: the {what}, {self._span_text()}.",
            columns=columns,
            rows=rows,
            charts=specs,
            notes=[metric.help],
        )

    def split_trend_block(self, split: Split) -> Block:
        metric = self.cat.metric(split.metric)
        breakdown = self.cat.breakdowns[split.breakdown]
        unit = self.scope.orgunit
        points = self._points(
            unit, SeriesAsk(split.metric, self.start, self.month, split.breakdown)
        )
        options = list(breakdown.options.items())
        columns = [Column("month", "Month", "header")]
        columns += [Column(f"opt_{code}", label, "int") for code, label in options]
        columns.append(Column("returns", "Returns received"))
        rows_by_month: dict[date, dict[str, Any]] = {}
        chart_points = []
        for p in points:
            row = rows_by_month.setdefault(
                p.month,
                {"month": month_label(p.month), "returns": returns_text(p.received, p.expected)},
            )
            row[f"opt_{p.option}"] = p.value
            chart_points.append(
                {
                    "month": f"{format_month(p.month)}-01",
                    "value": p.value,
                    "series": breakdown.options.get(p.option, p.option),
                    "returns": charts.COMPLETE if p.received >= p.expected else charts.INCOMPLETE,
                }
            )
        by = breakdown.label.lower()
        description = (
            f"Line chart of {metric.short_label} in {unit.name} each month, {self._span_text()}, "
            f"one line per {by} ({', '.join(label for _, label in options)}), "
            "each line with its own colour and dash pattern."
        )
        spec = charts.trend_chart(
            unit.name,
            description,
            chart_points,
            y_title=metric.unit.capitalize(),
            series_title=breakdown.label,
            series_order=[label for _, label in options],
        )
        return Block(
            id=f"split-{split.metric}-{split.breakdown}",
            section="trends",
            title=f"{metric.short_label} by {by}, each month",
            description=f"{metric.short_label} in {unit.name} by {by}, each month, "
            f"{self._span_text()}.",
            columns=columns,
            rows=list(rows_by_month.values()),
            charts=[spec],
        )

    # -- mixes ---------------------------------------------------------------------------
    def mix_block(self, split: Split) -> Block:
        metric = self.cat.metric(split.metric)
        breakdown = self.cat.breakdowns[split.breakdown]
        by = breakdown.label.lower()
        period = period_for(split.period, self.picked)
        label = period_label(period, metric)
        rows = []
        specs = []
        for u in self.scope.units:
            r = self._result(u, Ask(split.metric, period, split.breakdown))
            bars = []
            for row in r.rows:
                rows.append(
                    {
                        "area": u.name,
                        "option": row.label,
                        "value": row.value,
                        "share": None if row.share is None else round(row.share * 100, 1),
                        "flag": missing_text(r.coverage),
                    }
                )
                bars.append({"label": row.label, "value": row.share, "text": fmt_share(row.share)})
            spoken = "; ".join(f"{b['label']} {b['text']}" for b in bars)
            specs.append(
                charts.bar_chart(
                    u.name,
                    f"Bar chart of the share of {metric.short_label} in {u.name} by {by}, "
                    f"{in_sentence(label)}, out of {fmt_int(r.value)}: {spoken}.",
                    bars,
                    label_title=breakdown.label,
                    value_title=f"Share of {metric.unit}",
                    percent=True,
                    sort=[str(b["label"]) for b in bars],
                )
            )
        return Block(
            id=f"mix-{split.metric}-{split.breakdown}",
            section="mix",
            title=f"{metric.short_label}: share by {by}",
            description=f"The share of {metric.short_label} by {by}, {in_sentence(label)}.",
            columns=[
                Column("area", "Area", "header"),
                Column("option", breakdown.label),
                Column("value", metric.unit.capitalize(), "int"),
                Column("share", "Share (%)", "share"),
                Column("flag", "Completeness"),
            ],
            rows=rows,
            charts=specs,
        )

    # -- region and force breakdowns ------------------------------------------------------
    def drill_codes(self) -> set[str]:
        """Org units whose own dashboard the viewer may open from a breakdown: the ones the
        access layer lets them pick (never the page's own)."""
        return {u.code for u in self.scope.choices} - {self.scope.orgunit.code}

    def breakdown_block(self, by: str) -> Block:
        metric = self.cat.metric(self.measure)
        h = self._headline_for(self.measure)
        period = period_for(h.period, self.picked)
        label = period_label(period, metric)
        prev_label = period_label(period.previous_year(), metric)
        of = self._breakdown_unit(by)
        r = self._result(of, self._breakdown_ask(by))
        openable = self.drill_codes()
        rows = []
        bars = []
        for row in r.rows:
            complete = row.complete and row.previous_complete is not False
            href = (
                dashboard_url(self.d.code, row.key, self.picked, self.measure)
                if row.key in openable
                else None
            )
            rows.append(
                {
                    "name": row.label,
                    "code": row.key,
                    "previous": row.previous_value,
                    "value": row.value,
                    "change": row.change_pct,
                    "flag": "" if complete else "incomplete",
                    "href": href,
                }
            )
            if row.value is None:
                text = NO_RETURN
            else:
                text = fmt_int(row.value)
                if row.change_pct is not None:
                    text += f" ({fmt_change(row.change_pct)})"
                if not complete:
                    text += " incomplete"
            bar: dict[str, Any] = {"label": row.label, "value": row.value, "text": text}
            if href is not None:
                bar["href"] = href
            bars.append(bar)
        noun = "region" if by == "region" else "force"
        linked = any("href" in b for b in bars)
        spec = charts.bar_chart(
            label,
            f"Bar chart of {metric.short_label} in each {noun} of {of.name}, {in_sentence(label)}, "
            f"largest first, each bar labelled with its figure and the change on "
            f"{in_sentence(prev_label)}, or '{NO_RETURN}'."
            + (f" Each {noun}'s name in the table opens its dashboard." if linked else ""),
            bars,
            label_title=noun.capitalize(),
            value_title=metric.unit.capitalize(),
        )
        notes = [
            "'incomplete' means at least one return is missing for either period; "
            f"'{NO_RETURN}' means no return was received for the period."
        ]
        if linked:
            notes.append(
                f"Select a {noun} (its bar, or its name in the table) to open its own dashboard "
                "for the same month and measure."
            )
        return Block(
            id="regions" if by == "region" else "forces",
            section="areas",
            title=f"{metric.short_label} by {noun}",
            description=f"{metric.short_label} in each {noun} of {of.name}, {in_sentence(label)}, "
            f"and the change on {in_sentence(prev_label)}.",
            columns=[
                Column("name", noun.capitalize(), "header"),
                Column("code", f"{noun.capitalize()} code"),
                Column("previous", prev_label, "int", missing=NO_RETURN),
                Column("value", label, "int", missing=NO_RETURN),
                Column("change", "Change (%)", "change"),
                Column("flag", "Completeness"),
            ],
            rows=rows,
            charts=[spec],
            notes=notes,
        )

    # -- where the figures come from ----------------------------------------------------------
    def sources_block(self) -> Block:
        """For each metric forces may derive from their register: how many forces do, and
        how much of the figure comes from the register and how much from returns."""
        rows = []
        for code, period in self._source_periods():
            metric = self.cat.metric(code)
            for unit in self.scope.units:
                r = self._query(code, unit, period)
                on_register = len(r.coverage.register_forces)
                register = r.value_from_register or 0
                share = None if not r.value else round(100 * register / r.value, 1)
                rows.append(
                    {
                        "measure": metric.short_label,
                        "area": unit.name,
                        "period": period_label(period, metric),
                        "register_forces": on_register,
                        "return_forces": r.coverage.forces - on_register,
                        "from_register": register if r.value is not None else None,
                        "from_returns": None if r.value is None else r.value - register,
                        "share": share,
                        "summary": _source_summary(on_register, share, r.coverage.forces),
                    }
                )
        return Block(
            id="sources",
            section="sources",
            title="Where the figures come from: register and returns",
            description="How much of each figure is counted from forces' investigation registers "
            "(direct data entry) and how much comes from monthly returns.",
            columns=[
                Column("measure", "Measure", "header"),
                Column("area", "Area"),
                Column("period", "Period"),
                Column("register_forces", "Forces on the register", "int"),
                Column("from_register", "From the register", "int"),
                Column("share", "From the register (%)", "share"),
                Column("return_forces", "Forces returning counts", "int"),
                Column("from_returns", "From returns", "int"),
                Column("summary", "In words"),
            ],
            rows=rows,
            notes=[
                "A force on direct data entry for a measure does not return it; the figure is "
                "counted from its investigation register (live investigations at the end of the "
                "month, police NRM referrals and Duty to Notify reports in the month)."
            ],
        )

    # -- sections --------------------------------------------------------------------------
    def sections(self) -> list[Section]:
        """The page's blocks after the headline, grouped under their section headings."""
        blocks = self.blocks()
        out = []
        for key, title in SECTIONS:
            members = [b for b in blocks if b.section == key]
            if members:
                out.append(Section(key, title, members))
        return out

    def _national(self) -> OrgUnit:
        for u in self.scope.units:
            if u.kind == OrgUnitKind.NATIONAL:
                return u
        raise LookupError("no national org unit in scope")


def _trend_description(
    metric: Metric, unit: OrgUnit, points: list[dict[str, Any]], span: str
) -> str:
    known = [p for p in points if p["value"] is not None]
    text = f"Line chart of {metric.short_label} in {unit.name} each month, {span}."
    if known:
        top = max(known, key=lambda p: p["value"])
        last = known[-1]
        text += (
            f" Latest: {fmt_int(last['value'])} in {_month_of(last)}."
            f" Highest: {fmt_int(top['value'])} in {_month_of(top)}."
        )
    else:
        text += " No figures have been returned for these months."
    gaps = sum(1 for p in points if p["returns"] == charts.INCOMPLETE)
    if gaps:
        text += f" {gaps} month{'s' if gaps != 1 else ''} with missing returns."
    return text


def _month_of(point: dict[str, Any]) -> str:
    return month_label(Period.parse(point["month"][:7]).start)


def _source_summary(on_register: int, share: float | None, forces: int) -> str:
    """'31 forces / 71.2% of the figure from the register, 12 from returns'."""
    returning = forces - on_register
    noun = "force" if on_register == 1 else "forces"
    part = "no figure" if share is None else f"{share:.1f}% of the figure"
    return f"{on_register} {noun} / {part} from the register, {returning} from returns"
