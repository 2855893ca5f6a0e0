"""The metric engine: one place that answers "metric M for org unit O over period P, by B".

Flows sum over the period's months; stocks take the period's last month. Forces roll up to
regions and the nation. Year-on-year change compares with the same period a year earlier,
to one decimal place, and says when either side is incomplete (a force has not returned).

Dashboards, the API, exports and the ``query`` command all call :func:`query` and
:func:`series`; none of them sums values itself. Access is decided by the caller through
``msoic.accounts.access`` before asking.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Case, CharField, Count, F, IntegerField, Q, QuerySet, Sum, When
from django.db.models import Value as V
from django.db.models.functions import Cast

from msoic.catalogue.loader import Catalogue, Metric, get_catalogue
from msoic.collection.models import Value
from msoic.metrics import sources
from msoic.metrics.periods import MONTHLY, Period, format_month, parse_period, starts_within
from msoic.orgunits.models import OrgUnit, OrgUnitKind


class QueryError(ValueError):
    """The question cannot be asked (unknown metric, breakdown or org unit kind)."""


def change_pct(current: int | None, previous: int | None) -> float | None:
    """Percentage change to one decimal place, half away from zero; None when undefined."""
    if current is None or previous is None or previous == 0:
        return None
    raw = (Decimal(current) - Decimal(previous)) * 100 / Decimal(previous)
    return float(raw.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def percent_of(part: int | None, whole: int | None) -> int | None:
    """``part`` of ``whole`` as a whole per cent, rounded half up (130 of 143 is 91); None
    when there is no whole (None or 0). A missing part is none of it."""
    if not whole:
        return None
    return (200 * (part or 0) + whole) // (2 * whole)


@dataclass
class Coverage:
    expected: int  # force-months expected
    received: int  # force-months with a value
    missing_forces: list[str] = field(default_factory=list)
    from_register: int = 0  # of the received force-months, those derived from the register
    register_forces: list[str] = field(default_factory=list)  # forces with a derived month
    forces: int = 0  # forces asked about

    @property
    def complete(self) -> bool:
        return self.expected > 0 and self.received >= self.expected

    def as_dict(self) -> dict[str, Any]:
        return {
            "expected": self.expected,
            "received": self.received,
            "complete": self.complete,
            "missing_forces": self.missing_forces,
            "from_register": self.from_register,
            "register_forces": self.register_forces,
        }


@dataclass
class Row:
    key: str
    label: str
    value: int | None
    share: float | None = None
    previous_value: int | None = None
    change_pct: float | None = None
    complete: bool = True
    previous_complete: bool | None = None

    def as_dict(self, compare: bool) -> dict[str, Any]:
        out: dict[str, Any] = {
            "key": self.key,
            "label": self.label,
            "value": self.value,
            "complete": self.complete,
        }
        if self.share is not None:
            out["share"] = self.share
        if compare:
            out["previous_value"] = self.previous_value
            out["change_pct"] = self.change_pct
            out["previous_complete"] = self.previous_complete
        return out


@dataclass
class Result:
    metric: Metric
    orgunit: OrgUnit
    period: Period
    value: int | None
    coverage: Coverage
    by: str | None = None
    rows: list[Row] = field(default_factory=list)
    previous_period: Period | None = None
    previous_value: int | None = None
    previous_coverage: Coverage | None = None
    # The part of ``value`` derived from the register (forces on direct data entry).
    value_from_register: int | None = None

    @property
    def change_pct(self) -> float | None:
        return change_pct(self.value, self.previous_value)

    @property
    def incomplete(self) -> bool:
        prev_bad = self.previous_coverage is not None and not self.previous_coverage.complete
        return not self.coverage.complete or prev_bad

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "metric": self.metric.code,
            "metric_label": self.metric.label,
            "aggregation": self.metric.aggregation,
            "orgunit": self.orgunit.code,
            "orgunit_name": self.orgunit.name,
            "period": self.period.code,
            "period_label": self.period.label,
            "value": self.value,
            "value_from_register": self.value_from_register,
            "complete": self.coverage.complete,
            "coverage": self.coverage.as_dict(),
        }
        compare = self.previous_period is not None
        if compare:
            assert self.previous_period is not None and self.previous_coverage is not None
            out.update(
                {
                    "previous_period": self.previous_period.code,
                    "previous_value": self.previous_value,
                    "change_pct": self.change_pct,
                    "previous_complete": self.previous_coverage.complete,
                    "previous_coverage": self.previous_coverage.as_dict(),
                    "change_flag": "incomplete" if self.incomplete else "",
                }
            )
        if self.by:
            out["by"] = self.by
            out["rows"] = [r.as_dict(compare) for r in self.rows]
        return out


def forces_under(orgunit: OrgUnit) -> list[OrgUnit]:
    if orgunit.kind == OrgUnitKind.FORCE:
        return [orgunit]
    if orgunit.kind == OrgUnitKind.REGION:
        return list(OrgUnit.objects.filter(parent=orgunit, kind=OrgUnitKind.FORCE).order_by("name"))
    if orgunit.kind == OrgUnitKind.NATIONAL:
        return list(
            OrgUnit.objects.filter(kind=OrgUnitKind.FORCE).select_related("parent").order_by("name")
        )
    raise QueryError(f"{orgunit.name} is a partner agency and has no returns")


def _units_at(orgunit: OrgUnit, forces: list[OrgUnit]) -> list[int]:
    """The org units whose own figures (a derived source's ``unit_cells``: the unit's or a
    region's, no force's) count in ``orgunit``'s answer: itself and, for the nation, its
    regions (read from the forces, no query); none for a force."""
    if orgunit.kind == OrgUnitKind.FORCE:
        return []
    ids = [orgunit.pk]
    if orgunit.kind == OrgUnitKind.NATIONAL:
        ids += sorted({f.parent_id for f in forces if f.parent_id is not None})
    return ids


def _plus_units(value: int | None, units: dict[date, int], months: list[date]) -> int | None:
    """``value`` with the org units' own figures over ``months`` added (unchanged when there
    are none, as for every metric a force returns)."""
    extra = sum(units.get(m, 0) for m in months)
    return value if not extra else (value or 0) + extra


def _with_unit_options(
    window: _Window, metric: str, unit_ids: list[int], months: list[date], breakdown: str | None
) -> _Window:
    """``window`` with the org units' own figures split by ``breakdown`` added to its options
    (a copy; ``window`` itself unchanged, as :func:`query_many` keeps windows for reuse)."""
    extra = sources.unit_option_totals(metric, unit_ids, months, breakdown)
    if not extra:
        return window
    out = copy.copy(window)
    out.options = dict(window.options)
    for (_, option), value in extra.items():
        key = (ALL_FORCES, option)
        out.options[key] = out.options.get(key, 0) + value
    return out


def _frequency(metric: Metric, cat: Catalogue) -> str:
    ds = cat.datasets[metric.dataset]
    return ds.frequency if ds.frequency in ("monthly", "quarterly") else MONTHLY


def _first_period(metric: Metric, cat: Catalogue) -> date:
    return parse_period(_frequency(metric, cat), cat.datasets[metric.dataset].first_period)


def _expected_months(period: Period, metric: Metric, cat: Catalogue) -> list[date]:
    """The returns (first days of months, or of quarters for a quarterly dataset) the period
    covers: all of them for a flow, the last for a stock. A quarterly return counts only
    when its whole quarter lies inside the period."""
    first = _first_period(metric, cat)
    starts = starts_within(_frequency(metric, cat), period)
    if metric.is_stock:
        starts = starts[-1:]
    return [m for m in starts if m >= first]


@dataclass
class _Window:
    """Every figure of one metric for some forces and months, wherever it comes from.

    ``cells`` holds (force id, month) -> total and ``option_cells`` (force id, month,
    option) -> value. A (force, month) with a total is *received*: a return gave it, or,
    for a force on direct data entry, the register did (``derived``)."""

    months: list[date]
    cells: dict[tuple[int, date], int] = field(default_factory=dict)
    option_cells: dict[tuple[int, date, str], int] = field(default_factory=dict)
    derived: set[tuple[int, date]] = field(default_factory=set)
    # Force code -> months of the window it is expected to return (see _expects); None when
    # every force is expected every month.
    expects: dict[str, int] | None = None
    totals: dict[int, int] = field(default_factory=dict)  # force id -> value over the window
    counts: dict[int, int] = field(default_factory=dict)  # force id -> months with a value
    options: dict[tuple[int, str], int] = field(default_factory=dict)  # (force id, option)
    from_register: dict[int, int] = field(default_factory=dict)  # force id -> derived part

    def __post_init__(self) -> None:
        for (fid, month), value in self.cells.items():
            self.totals[fid] = self.totals.get(fid, 0) + value
            self.counts[fid] = self.counts.get(fid, 0) + 1
            if (fid, month) in self.derived:
                self.from_register[fid] = self.from_register.get(fid, 0) + value
        for (fid, _, option), value in self.option_cells.items():
            self.options[(fid, option)] = self.options.get((fid, option), 0) + value

    def expected_of(self, force: OrgUnit) -> int:
        """How many of the window's returns ``force`` is expected to make."""
        return len(self.months) if self.expects is None else self.expects.get(force.code, 0)

    def option_total(self, option: str) -> int | None:
        """The option's value over every force in the window; None when none has it."""
        values = [v for (_, o), v in self.options.items() if o == option]
        return sum(values) if values else None


def _window(
    metric: Metric,
    force_ids: list[int],
    months: list[date],
    breakdown: str | None,
    catalogue: Catalogue | None = None,
    *,
    per_month: bool = True,
) -> _Window:
    """The one place figures come from: forces' current submitted values, and, for a
    force a derived source covers for the metric (:mod:`msoic.metrics.sources`: the
    register, for a force on direct data entry), the source's figures from its first
    month on. A value such a force submitted for a derived month is ignored.

    ``per_month=False`` (a caller that needs each force's total over the window only) lets
    a metric no force derives from its register be summed per force in the database.
    """
    if not months:
        return _Window(months)
    adopted = sources.coverage(metric.code, force_ids)
    base = Value.objects.filter(
        metric=metric.code,
        is_current=True,
        orgunit_id__in=force_ids,
        period__gte=months[0],
        period__lte=months[-1],
    )
    if not adopted and not per_month:
        return _force_totals(base, months, breakdown)
    if adopted:
        base = base.exclude(sources.covered_filter(adopted, "orgunit_id", "period"))
    cells: dict[tuple[int, date], int] = {}
    for oid, period, total in (
        base.filter(breakdown="")
        .values_list("orgunit_id", "period")
        .annotate(t=Sum("value"))
        .values_list("orgunit_id", "period", "t")
    ):
        cells[(oid, period)] = int(total)
    option_cells: dict[tuple[int, date, str], int] = {}
    if breakdown:
        for oid, period, option, total in (
            base.filter(breakdown=breakdown)
            .values_list("orgunit_id", "period", "option")
            .annotate(t=Sum("value"))
            .values_list("orgunit_id", "period", "option", "t")
        ):
            option_cells[(oid, period, option)] = int(total)
    derived: set[tuple[int, date]] = set()
    if adopted:
        register = sources.cells(metric.code, adopted, months, breakdown, catalogue)
        cells.update(register.totals)
        option_cells.update(register.options)
        derived = set(register.totals)
    return _Window(months, cells, option_cells, derived)


def _force_totals(base: QuerySet[Value], months: list[date], breakdown: str | None) -> _Window:
    """Each force's total, months received and options over the window, summed in SQL."""
    window = _Window(months)
    for oid, total, n in (
        base.filter(breakdown="")
        .values_list("orgunit_id")
        .annotate(t=Sum("value"), n=Count("period", distinct=True))
        .values_list("orgunit_id", "t", "n")
    ):
        window.totals[oid] = int(total)
        window.counts[oid] = n
    if breakdown:
        for oid, option, total in (
            base.filter(breakdown=breakdown)
            .values_list("orgunit_id", "option")
            .annotate(t=Sum("value"))
            .values_list("orgunit_id", "option", "t")
        ):
            window.options[(oid, option)] = int(total)
    return window


def _expects(
    metric: Metric, months: list[date], dataset: str | None, cat: Catalogue
) -> dict[str, int] | None:
    """Force code -> how many of ``months`` it is expected to return ``metric`` for, when the
    catalogue says only some forces return it: every dataset that collects it (or
    ``dataset``, when the question names one) names its participants, and an operation's
    dataset is returned once, for its month, by its participating forces (an operation with
    no forces yet expects nothing). None, with no work for the caller, when every force
    returns the metric every month, as for every force-wide return."""
    if dataset is not None:
        collecting = [cat.datasets[dataset]] if dataset in cat.datasets else []
    else:
        collecting = [
            d for d in cat.datasets.values() if d.takes_returns and metric.code in d.metrics
        ]
    if not collecting or any(not d.participants and not d.is_operation for d in collecting):
        return None
    keep = set(months)
    pairs: set[tuple[str, date]] = set()
    for d in collecting:
        if d.is_operation:
            own = [m for m in [parse_period(MONTHLY, d.first_period)] if m in keep]
        else:
            frequency = d.frequency if d.frequency in ("monthly", "quarterly") else MONTHLY
            first = parse_period(frequency, d.first_period)
            own = [m for m in months if m >= first]
        pairs.update((code, m) for code in d.participants for m in own)
    out: dict[str, int] = defaultdict(int)
    for code, _ in pairs:
        out[code] += 1
    return dict(out)


def _coverage(window: _Window, forces: list[OrgUnit]) -> Coverage:
    """Returns expected and received over the window: each force's expected returns
    (every month, or as :func:`_expects` says) and how many of them it made."""
    each = {f.pk: window.expected_of(f) for f in forces}
    expected = sum(each.values())
    received = sum(min(window.counts.get(f.pk, 0), each[f.pk]) for f in forces)
    missing = [f.code for f in forces if window.counts.get(f.pk, 0) < each[f.pk]]
    register_forces = [f.code for f in forces if window.from_register.get(f.pk) is not None]
    return Coverage(
        expected,
        received,
        missing,
        from_register=len(window.derived),
        register_forces=register_forces,
        forces=len(forces),
    )


def _sum(values: list[int | None]) -> int | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def _question(
    metric_code: str, orgunit: OrgUnit, by: str | None, compare: str | None, cat: Catalogue
) -> tuple[Metric, str | None]:
    """The metric asked about and the catalogue breakdown ``by`` names (None for force,
    region or no split); a :class:`QueryError` for a question that cannot be asked."""
    metric = cat.metrics.get(metric_code)
    if metric is None:
        raise QueryError(f"unknown metric {metric_code!r}")
    if compare not in (None, "", "previous-year"):
        raise QueryError("compare must be previous-year")
    if by in ("force", "region"):
        if by == "region" and orgunit.kind != OrgUnitKind.NATIONAL:
            raise QueryError("by=region needs the national org unit")
        if orgunit.kind == OrgUnitKind.FORCE:
            raise QueryError(f"{orgunit.name} is a force: it cannot be split by {by}")
        return metric, None
    if by:
        if by not in metric.breakdowns:
            allowed = ", ".join(["force", "region", *metric.breakdowns])
            raise QueryError(f"{metric.code} cannot be split by {by!r} (allowed: {allowed})")
        return metric, by
    return metric, None


def query(
    metric_code: str,
    orgunit: OrgUnit,
    period: Period | str,
    *,
    by: str | None = None,
    compare: str | None = None,
    catalogue: Catalogue | None = None,
) -> Result:
    cat = catalogue or get_catalogue()
    if metric_code not in cat.metrics:
        raise QueryError(f"unknown metric {metric_code!r}")
    if isinstance(period, str):
        period = Period.parse(period)
    metric, breakdown = _question(metric_code, orgunit, by, compare, cat)
    if metric.is_ratio:
        num, den = (
            query(part, orgunit, period, by=by, compare=compare, catalogue=cat)
            for part in (metric.numerator, metric.denominator)
        )
        return _ratio(metric, num, den)
    forces = forces_under(orgunit)
    ids = [f.pk for f in forces]
    months = _expected_months(period, metric, cat)
    current = _window(metric, ids, months, breakdown, cat, per_month=False)
    current.expects = _expects(metric, months, None, cat)
    prev_months = _expected_months(period.previous_year(), metric, cat) if compare else []
    unit_ids = _units_at(orgunit, forces)
    units = sources.unit_totals(metric.code, unit_ids, months + prev_months)
    current = _with_unit_options(current, metric.code, unit_ids, months, breakdown)
    result = Result(
        metric=metric,
        orgunit=orgunit,
        period=period,
        value=_plus_units(_sum([current.totals.get(i) for i in ids]), units, months),
        coverage=_coverage(current, forces),
        by=by or None,
        value_from_register=_sum([current.from_register.get(i) for i in ids]),
    )
    previous: _Window | None = None
    if compare:
        prev_period = period.previous_year()
        previous = _window(metric, ids, prev_months, breakdown, cat, per_month=False)
        previous = _with_unit_options(previous, metric.code, unit_ids, prev_months, breakdown)
        previous.expects = _expects(metric, prev_months, None, cat)
        result.previous_period = prev_period
        result.previous_value = _plus_units(
            _sum([previous.totals.get(i) for i in ids]), units, prev_months
        )
        result.previous_coverage = _coverage(previous, forces)
    if by:
        result.rows = _rows(by, breakdown, metric, cat, forces, current, previous, result.value)
    return result


def query_periods(
    metric_codes: list[str],
    orgunit: OrgUnit,
    periods: list[Period],
    *,
    by: str | None = None,
    catalogue: Catalogue | None = None,
) -> dict[str, list[Result]]:
    """As :func:`query` for each metric and each of ``periods`` (e.g. a financial year and
    its quarters): the org unit's forces are looked up once and each metric's values read
    once, however many periods a page shows beside each other. ``by`` may be force or
    region. Returns metric code -> one result per period, in order."""
    cat = catalogue or get_catalogue()
    unknown = [c for c in metric_codes if c not in cat.metrics]
    if unknown:
        raise QueryError(f"unknown metric {unknown[0]!r}")
    if by not in (None, "force", "region"):
        raise QueryError("query_periods splits by force or region only")
    if by == "region" and orgunit.kind != OrgUnitKind.NATIONAL:
        raise QueryError("by=region needs the national org unit")
    if by and orgunit.kind == OrgUnitKind.FORCE:
        raise QueryError(f"{orgunit.name} is a force: it cannot be split by {by}")
    forces = forces_under(orgunit)
    regions: dict[int, OrgUnit] = {}
    if by == "region":  # forces_under(national) loads each force's region with it
        for f in forces:
            if f.parent_id is not None and f.parent is not None:
                regions[f.parent_id] = f.parent
    out: dict[str, list[Result]] = {}
    for code in metric_codes:
        metric = cat.metrics[code]
        if metric.is_ratio:
            num, den = (
                _periods_of(cat.metrics[part], forces, orgunit, periods, by, regions, cat)
                for part in (metric.numerator, metric.denominator)
            )
            out[code] = [_ratio(metric, n, d) for n, d in zip(num, den, strict=True)]
        else:
            out[code] = _periods_of(metric, forces, orgunit, periods, by, regions, cat)
    return out


def _periods_of(
    metric: Metric,
    forces: list[OrgUnit],
    orgunit: OrgUnit,
    periods: list[Period],
    by: str | None,
    regions: dict[int, OrgUnit],
    cat: Catalogue,
) -> list[Result]:
    ids = [f.pk for f in forces]
    wanted = {p: _expected_months(p, metric, cat) for p in periods}
    span = sorted({m for months in wanted.values() for m in months})
    whole = _window(metric, ids, span, None, cat)
    units = sources.unit_totals(metric.code, _units_at(orgunit, forces), span)
    results = []
    for period in periods:
        months = wanted[period]
        keep = set(months)
        window = _Window(
            months,
            {k: v for k, v in whole.cells.items() if k[1] in keep},
            {},
            {k for k in whole.derived if k[1] in keep},
            _expects(metric, months, None, cat),
        )
        result = Result(
            metric=metric,
            orgunit=orgunit,
            period=period,
            value=_plus_units(_sum([window.totals.get(i) for i in ids]), units, months),
            coverage=_coverage(window, forces),
            by=by,
            value_from_register=_sum([window.from_register.get(i) for i in ids]),
        )
        if by:
            result.rows = _rows(by, None, metric, cat, forces, window, None, result.value, regions)
        results.append(result)
    return results


def _rows(
    by: str,
    breakdown: str | None,
    metric: Metric,
    cat: Catalogue,
    forces: list[OrgUnit],
    current: _Window,
    previous: _Window | None,
    total: int | None,
    regions_by_id: dict[int, OrgUnit] | None = None,
) -> list[Row]:
    groups: list[tuple[str, str, list[OrgUnit]]] = []
    if by == "force":
        groups = [(f.code, f.name, [f]) for f in forces]
    elif by == "region":
        regions: dict[int, list[OrgUnit]] = defaultdict(list)
        for f in forces:
            regions[f.parent_id].append(f)  # type: ignore[index]
        parents = regions_by_id or {r.pk: r for r in OrgUnit.objects.filter(pk__in=list(regions))}
        groups = sorted(
            ((parents[k].code, parents[k].name, v) for k, v in regions.items()), key=lambda g: g[1]
        )
    rows: list[Row] = []
    if breakdown:
        options = sources.breakdown_options(metric.code, breakdown, current.months, cat)
        for code, label in options.items():
            row = Row(code, label, current.option_total(code))
            if previous is not None:
                row.previous_value = previous.option_total(code)
                row.change_pct = change_pct(row.value, row.previous_value)
            rows.append(row)
        if total:
            for row in rows:
                row.share = round((row.value or 0) / total, 4)
        return rows
    for code, label, members in groups:
        value = _sum([current.totals.get(f.pk) for f in members])
        complete = all(current.counts.get(f.pk, 0) >= current.expected_of(f) for f in members)
        row = Row(code, label, value, complete=complete)
        if previous is not None:
            row.previous_value = _sum([previous.totals.get(f.pk) for f in members])
            row.change_pct = change_pct(row.value, row.previous_value)
            row.previous_complete = all(
                previous.counts.get(f.pk, 0) >= previous.expected_of(f) for f in members
            )
        if total:
            row.share = round((row.value or 0) / total, 4)
        rows.append(row)
    return rows


@dataclass
class Point:
    month: date
    value: int | None
    received: int
    expected: int
    option: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "month": format_month(self.month),
            "option": self.option,
            "value": self.value,
            "received": self.received,
            "expected": self.expected,
        }


def series(
    metric_code: str,
    orgunit: OrgUnit,
    start: date,
    end: date,
    *,
    by: str | None = None,
    catalogue: Catalogue | None = None,
) -> list[Point]:
    """Month-by-month values (the monthly figure: a flow's month, a stock's month end)."""
    cat = catalogue or get_catalogue()
    metric = cat.metrics.get(metric_code)
    if metric is None:
        raise QueryError(f"unknown metric {metric_code!r}")
    if by and by not in metric.breakdowns:
        raise QueryError(f"{metric.code} cannot be split by {by!r}")
    if metric.is_ratio:
        num, den = (
            series(part, orgunit, start, end, by=by, catalogue=cat)
            for part in (metric.numerator, metric.denominator)
        )
        return _ratio_points(num, den)
    forces = forces_under(orgunit)
    ids = [f.pk for f in forces]
    months = [m for m in Period(start, end, "range").months() if m >= _first_period(metric, cat)]
    if not months:
        return []
    window = _window(metric, ids, months, by, cat)
    received: dict[date, int] = defaultdict(int)
    totals: dict[date, int] = defaultdict(int)
    for (_, m), value in window.cells.items():
        received[m] += 1
        totals[m] += value
    if not by:
        for m, value in sources.unit_totals(
            metric.code, _units_at(orgunit, forces), months
        ).items():
            totals[m] += value
    points: list[Point] = []
    if by:
        cells: dict[tuple[date, str], int] = defaultdict(int)
        for (_, m, option), value in window.option_cells.items():
            cells[(m, option)] += value
        for (m, option), value in sources.unit_option_totals(
            metric.code, _units_at(orgunit, forces), months, by
        ).items():
            cells[(m, option)] += value
        for m in months:
            for option in sources.breakdown_options(metric.code, by, months, cat):
                points.append(Point(m, cells.get((m, option)), received[m], len(forces), option))
        return points
    for m in months:
        points.append(Point(m, totals[m] if received[m] else None, received[m], len(forces)))
    return points


# --- many questions, one read -------------------------------------------------------------


@dataclass(frozen=True)
class Ask:
    """A :func:`query` question for :func:`query_many`."""

    metric: str
    period: Period
    by: str | None = None
    compare: str | None = None
    dataset: str | None = None  # only values returned against this dataset


@dataclass(frozen=True)
class SeriesAsk:
    """A :func:`series` question for :func:`query_many`."""

    metric: str
    start: date
    end: date
    by: str | None = None
    dataset: str | None = None  # only values returned against this dataset


@dataclass
class Answers:
    """What :func:`query_many` found: each question's answer, as :func:`query` or
    :func:`series` would have given it."""

    results: dict[Ask, Result] = field(default_factory=dict)
    points: dict[SeriesAsk, list[Point]] = field(default_factory=dict)

    def query(self, ask: Ask) -> Result:
        return self.results[ask]

    def series(self, ask: SeriesAsk) -> list[Point]:
        return self.points[ask]


@dataclass
class _Read:
    """One metric's figures as :func:`query_many` read them: each force's total by month,
    each (breakdown, option) summed over the forces by month, and the derived months."""

    totals: dict[date, dict[int, int]] = field(default_factory=lambda: defaultdict(dict))
    options: dict[str, dict[tuple[int, date, str], int]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    derived: set[tuple[int, date]] = field(default_factory=set)

    windows: dict[tuple[tuple[date, ...], str | None], _Window] = field(default_factory=dict)

    def window(self, months: list[date], breakdown: str | None) -> _Window:
        """The figures over ``months`` (each force's total, months received and derived
        part; the options summed), built once for each months and split asked about."""
        key = (tuple(months), breakdown)
        found = self.windows.get(key)
        if found is not None:
            return found
        window = _Window(months)
        for m in months:
            for fid, value in self.totals.get(m, {}).items():
                window.totals[fid] = window.totals.get(fid, 0) + value
                window.counts[fid] = window.counts.get(fid, 0) + 1
        if self.derived:
            keep = set(months)
            window.derived = {k for k in self.derived if k[1] in keep}
            for fid, m in window.derived:
                window.from_register[fid] = window.from_register.get(fid, 0) + self.totals[m][fid]
        if breakdown:
            keep = set(months)
            for (fid, m, option), value in self.options[breakdown].items():
                if m in keep:
                    window.options[(fid, option)] = window.options.get((fid, option), 0) + value
        self.windows[key] = window
        return window

    def points(
        self, metric: str, months: list[date], by: str | None, n_forces: int, cat: Catalogue
    ) -> list[Point]:
        """Month-by-month points, as :func:`series` gives them."""
        points: list[Point] = []
        if by:
            cells = self.options[by]
            options = sources.breakdown_options(metric, by, months, cat)
            for m in months:
                received = len(self.totals.get(m, {}))
                for option in options:
                    value = cells.get((ALL_FORCES, m, option))
                    points.append(Point(m, value, received, n_forces, option))
            return points
        for m in months:
            month = self.totals.get(m, {})
            points.append(Point(m, sum(month.values()) if month else None, len(month), n_forces))
        return points


ALL_FORCES = 0  # the force id under which options summed over every force are kept


def query_many(
    orgunit: OrgUnit,
    asks: list[Ask | SeriesAsk],
    *,
    catalogue: Catalogue | None = None,
) -> Answers:
    """As :func:`_query_many`; a ratio metric is asked as its numerator and denominator
    (read with the rest) and answered from them as :func:`query` answers it."""
    cat = catalogue or get_catalogue()
    parts: dict[Ask | SeriesAsk, tuple[Ask | SeriesAsk, Ask | SeriesAsk]] = {}
    plain: list[Ask | SeriesAsk] = []
    for ask in asks:
        metric = cat.metrics.get(ask.metric)
        if metric is None or not metric.is_ratio:
            plain.append(ask)
            continue
        if isinstance(ask, Ask):
            _question(ask.metric, orgunit, ask.by, ask.compare, cat)
        elif ask.by and ask.by not in metric.breakdowns:
            raise QueryError(f"{metric.code} cannot be split by {ask.by!r}")
        pair = (replace(ask, metric=metric.numerator), replace(ask, metric=metric.denominator))
        parts[ask] = pair
        plain += pair
    answers = _query_many(orgunit, list(dict.fromkeys(plain)), cat)
    for ask, (num, den) in parts.items():
        if isinstance(ask, Ask):
            assert isinstance(num, Ask) and isinstance(den, Ask)
            metric = cat.metrics[ask.metric]
            answers.results[ask] = _ratio(metric, answers.results[num], answers.results[den])
        else:
            assert isinstance(num, SeriesAsk) and isinstance(den, SeriesAsk)
            answers.points[ask] = _ratio_points(answers.points[num], answers.points[den])
    return answers


def _ratio(metric: Metric, num: Result, den: Result) -> Result:
    """A ratio metric's answer from its numerator's and denominator's: the value, the year
    before and each row as a whole per cent (:func:`percent_of`); coverage the
    denominator's. No share (a per cent of a per cent means nothing) and no register part."""
    compare = den.previous_period is not None
    result = Result(
        metric=metric,
        orgunit=den.orgunit,
        period=den.period,
        value=percent_of(num.value, den.value),
        coverage=den.coverage,
        by=den.by,
        previous_period=den.previous_period,
        previous_value=percent_of(num.previous_value, den.previous_value) if compare else None,
        previous_coverage=den.previous_coverage,
    )
    tops = {row.key: row for row in num.rows}
    for row in den.rows:
        top = tops.get(row.key)
        out = Row(
            row.key,
            row.label,
            percent_of(top.value if top else None, row.value),
            complete=row.complete,
        )
        if compare:
            out.previous_value = percent_of(top.previous_value if top else None, row.previous_value)
            out.change_pct = change_pct(out.value, out.previous_value)
            out.previous_complete = row.previous_complete
        result.rows.append(out)
    return result


def _ratio_points(num: list[Point], den: list[Point]) -> list[Point]:
    """A ratio metric's points from its numerator's and denominator's (month by month)."""
    tops = {(p.month, p.option): p.value for p in num}
    return [
        Point(
            p.month,
            percent_of(tops.get((p.month, p.option)), p.value),
            p.received,
            p.expected,
            p.option,
        )
        for p in den
    ]


def _query_many(orgunit: OrgUnit, asks: list[Ask | SeriesAsk], cat: Catalogue) -> Answers:
    """Answer many questions about one org unit at once, exactly as :func:`query` and
    :func:`series` answer each: a dashboard's headline figures, splits, trends and
    breakdowns for its org unit cost one grouped query over the values of every metric
    asked about (each force's totals by month, and each breakdown's options by month
    summed over the forces), plus, for metrics a derived source gives, the source's own
    queries (:mod:`msoic.metrics.sources`).

    An ask naming a ``dataset`` counts only the values returned against that dataset (a
    metric several datasets use, such as an operation's outcomes, split by return); a
    derived source's figures count whatever the dataset, as they are no dataset's return."""
    splits: dict[Ask | SeriesAsk, str | None] = {}
    months_of: dict[Ask | SeriesAsk, list[date]] = {}
    previous_of: dict[Ask, list[date]] = {}
    for ask in asks:
        if isinstance(ask, Ask):
            metric, splits[ask] = _question(ask.metric, orgunit, ask.by, ask.compare, cat)
            months_of[ask] = _expected_months(ask.period, metric, cat)
            if ask.compare:
                previous_of[ask] = _expected_months(ask.period.previous_year(), metric, cat)
        else:
            if ask.metric not in cat.metrics:
                raise QueryError(f"unknown metric {ask.metric!r}")
            metric = cat.metrics[ask.metric]
            if ask.by and ask.by not in metric.breakdowns:
                raise QueryError(f"{metric.code} cannot be split by {ask.by!r}")
            splits[ask] = ask.by
            first = _first_period(metric, cat)
            months_of[ask] = [m for m in Period(ask.start, ask.end, "range").months() if m >= first]
    forces = forces_under(orgunit)
    ids = [f.pk for f in forces]
    wanted_months: dict[tuple[str, str | None], set[date]] = defaultdict(set)
    wanted_splits: dict[str, set[str]] = defaultdict(set)
    for ask, months in months_of.items():
        key = (ask.metric, ask.dataset)
        wanted_months[key].update(months)
        if isinstance(ask, Ask):
            wanted_months[key].update(previous_of.get(ask, []))
        split = splits[ask]
        if split:
            wanted_splits[ask.metric].add(split)
    reads = _read_many(wanted_months, wanted_splits, ids, cat)
    unit_ids = _units_at(orgunit, forces)
    regions: dict[int, OrgUnit] = {}
    if any(isinstance(a, Ask) and a.by == "region" for a in asks):
        regions = {f.parent_id: f.parent for f in forces if f.parent is not None}  # type: ignore[misc]
    answers = Answers()
    for ask in asks:
        read = reads[(ask.metric, ask.dataset)]
        split = splits[ask]
        if isinstance(ask, SeriesAsk):
            points = read.points(ask.metric, months_of[ask], split, len(forces), cat)
            answers.points[ask] = points
            if not split:
                units = sources.unit_totals(ask.metric, unit_ids, months_of[ask])
                for point in points:
                    point.value = _plus_units(point.value, units, [point.month])
            else:
                own = sources.unit_option_totals(ask.metric, unit_ids, months_of[ask], split)
                for point in points:
                    extra = own.get((point.month, point.option))
                    if extra:
                        point.value = (point.value or 0) + extra
            continue
        metric = cat.metrics[ask.metric]
        current = _with_unit_options(
            read.window(months_of[ask], split), ask.metric, unit_ids, months_of[ask], split
        )
        current.expects = _expects(metric, months_of[ask], ask.dataset, cat)
        units = sources.unit_totals(ask.metric, unit_ids, months_of[ask] + previous_of.get(ask, []))
        result = Result(
            metric=metric,
            orgunit=orgunit,
            period=ask.period,
            value=_plus_units(_sum([current.totals.get(i) for i in ids]), units, months_of[ask]),
            coverage=_coverage(current, forces),
            by=ask.by or None,
            value_from_register=_sum([current.from_register.get(i) for i in ids]),
        )
        previous: _Window | None = None
        if ask.compare:
            previous = _with_unit_options(
                read.window(previous_of[ask], split), ask.metric, unit_ids, previous_of[ask], split
            )
            previous.expects = _expects(metric, previous_of[ask], ask.dataset, cat)
            result.previous_period = ask.period.previous_year()
            result.previous_value = _plus_units(
                _sum([previous.totals.get(i) for i in ids]), units, previous_of[ask]
            )
            result.previous_coverage = _coverage(previous, forces)
        if ask.by:
            result.rows = _rows(
                ask.by, split, metric, cat, forces, current, previous, result.value, regions
            )
        answers.results[ask] = result
    return answers


def _read_many(
    wanted_months: dict[tuple[str, str | None], set[date]],
    wanted_splits: dict[str, set[str]],
    force_ids: list[int],
    cat: Catalogue,
) -> dict[tuple[str, str | None], _Read]:
    """Every (metric, dataset or None)'s figures for ``force_ids`` over its months, in one
    grouped query, with the derived sources' figures in place of the months they cover."""
    reads: dict[tuple[str, str | None], _Read] = {key: _Read() for key in wanted_months}
    by_metric: dict[str, set[date]] = defaultdict(set)
    for (code, _), needed in wanted_months.items():
        by_metric[code].update(needed)
    asked = {code: sorted(months) for code, months in by_metric.items() if months}
    if not asked or not force_ids:
        return reads
    covered = sources.coverages(list(asked), force_ids)
    window = Q(pk__in=[])
    for code, months in asked.items():
        window |= Q(metric=code, period__gte=months[0], period__lte=months[-1])
    base = Value.objects.filter(window, is_current=True, orgunit_id__in=force_ids).order_by()
    derived = Q(pk__in=[])
    for code, cover in covered.items():
        derived |= Q(metric=code) & sources.covered_filter(cover, "orgunit_id", "period")
    if covered:
        base = base.exclude(derived)
    wanted = Q(breakdown="")
    for code, names in wanted_splits.items():
        if code in asked:
            wanted |= Q(metric=code, breakdown__in=sorted(names))
    # One pass over the values: a total is grouped by force, an option summed over the
    # forces (grouped under ALL_FORCES), and by dataset when an ask names one. The month is
    # read as text ('YYYY-MM-DD' on every backend) and parsed once per distinct month.
    by_dataset = any(dataset for _, dataset in wanted_months)
    group = ["metric", "month", "breakdown", "option", "oid"]
    extra: dict[str, Any] = {}
    if by_dataset:
        extra["ds"] = F("version__submission__dataset")
        group.append("ds")
    rows = (
        base.filter(wanted)
        .annotate(
            oid=Case(
                When(breakdown="", then=F("orgunit_id")),
                default=V(ALL_FORCES),
                output_field=IntegerField(),
            ),
            month=Cast("period", output_field=CharField()),
            **extra,
        )
        .values(*group)
        .annotate(t=Sum("value"))
        .values_list(*group, "t")
    )
    parsed: dict[str, date] = {}
    for row in rows:
        code, text, breakdown, option, oid = row[:5]
        total = int(row[-1])
        month = parsed.get(text)
        if month is None:
            month = parsed[text] = date.fromisoformat(text[:10])
        for read_key in {(code, None), (code, row[5] if by_dataset else None)}:
            read = reads.get(read_key)
            if read is None:
                continue
            if breakdown:
                cells = read.options[breakdown]
                cells[(oid, month, option)] = cells.get((oid, month, option), 0) + total
            else:
                month_totals = read.totals[month]
                month_totals[oid] = month_totals.get(oid, 0) + total
    for code, cover in covered.items():
        span = asked[code]
        splits: list[str | None] = [*sorted(wanted_splits.get(code, ()))] or [None]
        metric_reads = [read for (c, _), read in reads.items() if c == code]
        for i, split in enumerate(splits):
            derived_cells = sources.cells(code, cover, span, split, cat)
            for read in metric_reads:
                if i == 0:
                    for (fid, month), value in derived_cells.totals.items():
                        read.totals[month][fid] = value
                    read.derived = set(derived_cells.totals)
                if split:
                    merged = read.options[split]
                    for (_, month, option), value in derived_cells.options.items():
                        cell = (ALL_FORCES, month, option)
                        merged[cell] = merged.get(cell, 0) + value
    return reads
