"""Validation of return rows against the catalogue's rules.

Every row is checked and every problem collected, so a force sees all that is wrong with
a file at once. Rule *instances* (codes, importance, messages, thresholds) come from the
catalogue; this module holds the check each rule ``kind`` names, as a table
(:data:`CHECKS`): each check is a small function registered under its kind, and
:func:`validate_rows` runs the table. A kind the catalogue names without a check here is
refused when the catalogue is loaded.
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple, TypeVar

from django.utils import timezone

from msoic.catalogue.loader import RULE_KINDS, Catalogue, Dataset, Metric, Rule
from msoic.collection.content import Content, content_hash, merge
from msoic.collection.readers import RawRow
from msoic.collection.words import figure_label, return_label
from msoic.metrics import sources
from msoic.metrics.money import MONEY_UNIT, MoneyError, format_figure, parse_pounds
from msoic.metrics.periods import (
    MONTHLY,
    QUARTERLY,
    Period,
    PeriodError,
    add_months,
    format_month,
    format_period,
    last_complete_period,
    month_label,
    parse_month,
    parse_period,
)

WHOLE = re.compile(r"^\d+$")
# A narrative metric (e.g. an operation's highlights) carries its text in the comment
# column; its stored value is 1, so summing it counts the returns that have one.
NARRATIVE_UNIT = "narrative"


@dataclass
class Problem:
    severity: str  # error | warning
    rule: str
    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""
    key: str = ""  # identifies the value a warning is about, for acknowledgement
    figure: str = ""  # the figure the row carries, by its label (words.figure_label)

    def location(self, filename: str = "") -> str:
        parts = [filename] if filename else []
        if self.sheet:
            parts.append(f"sheet {self.sheet}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def where(self) -> str:
        """Where the problem is, in words: "Sheet 'Return', row 8, Live modern slavery
        investigations – criminal exploitation, column E" ("Row 8, …" in a CSV file)."""
        parts = []
        if self.sheet:
            parts.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.figure:
            parts.append(self.figure)
        if self.column:
            parts.append(f"column {self.column}")
        text = ", ".join(parts)
        return text[:1].upper() + text[1:]

    def as_dict(self, filename: str = "") -> dict[str, Any]:
        return {
            "severity": self.severity,
            "rule": self.rule,
            "message": self.message,
            "file": filename,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "figure": self.figure,
            "where": self.where(),
            "key": self.key,
        }


@dataclass
class Entry:
    """A row that parsed: one value for one key."""

    dataset: str
    force: str
    period: date
    metric: str
    breakdown: str
    option: str
    value: int
    comment: str
    source: RawRow
    frequency: str = MONTHLY  # the dataset's: how ``period`` is written

    @property
    def period_code(self) -> str:
        return format_period(self.frequency, self.period)

    @property
    def key(self) -> str:
        cut = f"{self.breakdown}={self.option}" if self.breakdown else ""
        return f"{self.force}|{self.period_code}|{self.metric}|{cut}"

    @property
    def submission_key(self) -> tuple[str, str, date]:
        return (self.dataset, self.force, self.period)


@dataclass
class Context:
    """What validation needs to know beyond the rows: the user's rights, locks, history."""

    catalogue: Catalogue
    forces: dict[str, Any]  # force code -> OrgUnit
    writable: set[str]  # force codes the submitter may write
    locked: set[tuple[str, str, date]] = field(default_factory=set)
    locked_content: dict[tuple[str, str, date], Content] = field(default_factory=dict)
    unchanged_locked: list[tuple[str, str, date]] = field(default_factory=list)
    history: dict[tuple[str, str], dict[date, int]] = field(
        default_factory=dict
    )  # (force, metric) -> month -> total
    today: date = field(default_factory=lambda: timezone.localdate())
    # (force code, metric) -> first month the force's register gives it (msoic.cases.register.dde)
    register: dict[tuple[str, str], date] = field(default_factory=dict)


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _force_name(ctx: Context, code: str) -> str:
    force = ctx.forces.get(code)
    return str(getattr(force, "name", code))


def _return_words(ctx: Context, entry: Entry) -> str:
    """The return an entry belongs to: "Modern slavery monthly return, Kent Police, January
    2024"."""
    return return_label(ctx.catalogue, entry.dataset, _force_name(ctx, entry.force), entry.period)


def _rules(catalogue: Catalogue) -> dict[str, Rule]:
    return {r.kind: r for r in catalogue.rules}


def _problem(
    rule: Rule | None,
    kind: str,
    raw: RawRow,
    column: str,
    detail: str,
    key: str = "",
    catalogue: Catalogue | None = None,
) -> Problem:
    severity = rule.importance if rule else "error"
    code = rule.code if rule else kind
    base = rule.message if rule else kind
    figure = (
        figure_label(catalogue, _text(raw.cells.get("metric")), _text(raw.cells.get("breakdown")))
        if catalogue is not None
        else ""
    )
    return Problem(
        severity=severity,
        rule=code,
        message=f"{base}: {detail}" if detail else base,
        sheet=raw.sheet,
        row=raw.row,
        column=raw.columns.get(column, ""),
        key=key,
        figure=figure,
    )


def parse_value(raw: Any) -> tuple[int | None, str]:
    """Return (value, reason-if-bad). A blank returns (None, '') and means 'not provided'."""
    if raw is None:
        return None, ""
    if isinstance(raw, bool):
        return None, f"'{raw}' is true/false, not a number"
    if isinstance(raw, int):
        return (raw, "") if raw >= 0 else (None, f"{raw} is negative")
    if isinstance(raw, float):
        if not raw.is_integer():
            return None, f"{raw:g} is not a whole number"
        return (int(raw), "") if raw >= 0 else (None, f"{raw:g} is negative")
    if isinstance(raw, datetime | date):
        return None, f"'{raw}' is a date, not a number (check the cell format)"
    text = str(raw).strip()
    if text == "":
        return None, ""
    if WHOLE.match(text):
        return int(text), ""
    if text[0] in "=+@" or text.startswith("-="):
        return None, f"'{text}' looks like a formula; type the number itself"
    if re.fullmatch(r"-\d+(\.\d+)?", text):
        return None, f"{text} is negative"
    if re.fullmatch(r"\d+\.\d+", text):
        return None, f"{text} is not a whole number"
    if re.fullmatch(r"\d{1,3}(,\d{3})+", text):
        return None, f"'{text}' has a thousands separator; write {text.replace(',', '')}"
    if text.upper() in {"NA", "N/A", "NULL", "NONE", "-", "?", "UNKNOWN", "NIL"}:
        return None, f"'{text}' is not a number; leave the cell blank if the figure is not known"
    return None, f"'{text}' is not a number"


def parse_money_value(raw: Any) -> tuple[int | None, str]:
    """As :func:`parse_value`, for a money metric: pence, or the reason it is refused."""
    try:
        return parse_pounds(raw), ""
    except MoneyError as exc:
        return None, str(exc)


def parse_narrative(raw_value: Any, raw_comment: Any) -> tuple[int | None, str]:
    """A narrative row: blank (not provided) unless the comment holds text."""
    text = _text(raw_value)
    if text not in ("", "1"):
        return None, f"'{text}': write the text in the comment column and leave the value blank"
    return (1, "") if _text(raw_comment) else (None, "")


def _parse_period(raw: Any) -> date:
    return _parse_period_kind(raw)[0]


def _parse_period_kind(raw: Any) -> tuple[date, str]:
    """The first day of the period a cell names, and whether it is a month or a quarter."""
    if isinstance(raw, datetime):
        raw = raw.date()
    if isinstance(raw, date):
        if raw.day != 1:
            raise PeriodError(f"'{raw.isoformat()}' is a day, not a month; write YYYY-MM")
        return raw, "month"
    text = _text(raw)
    if text.upper().startswith("FY") and "-Q" in text.upper():
        period = Period.parse(text.upper())
        return period.start, period.kind
    return parse_month(text), "month"


# --- the table of checks --------------------------------------------------------------------


class Finding(NamedTuple):
    """One problem a check found: the column it is in and what is wrong. A check over the
    whole file also names the row the problem is shown on (``source``) and, for a warning
    that can be acknowledged, the value it is about (``key``)."""

    column: str
    detail: str
    source: RawRow | None = None
    key: str = ""


@dataclass
class Row:
    """A row with a value, as read: what the row checks look at."""

    raw: RawRow
    value: int | None
    value_kind: str  # the rule kind a bad value breaks: whole_number or money
    value_reason: str
    force: str
    period: date | None
    period_kind: str  # month or quarter, as written
    period_error: str
    metric_code: str
    metric: Metric | None
    cut: str  # the breakdown cell as written
    breakdown: str
    option: str
    dataset_named: str
    dataset: str  # the dataset named, else the metric's own; "" for an unknown metric

    def entry(self, cat: Catalogue) -> Entry | None:
        """The entry this row gives, once every row check has passed."""
        if self.metric is None or self.period is None or self.value is None:
            return None
        ds = cat.datasets.get(self.dataset)
        return Entry(
            dataset=self.dataset,
            force=self.force,
            period=self.period,
            metric=self.metric.code,
            breakdown=self.breakdown,
            option=self.option,
            value=self.value,
            comment=_text(self.raw.cells.get("comment")),
            source=self.raw,
            frequency=_frequency(ds) if ds is not None else MONTHLY,
        )


def read_row(raw: RawRow, cat: Catalogue) -> Row | None:
    """Read a row's cells; None when its value is blank (not provided: nothing to check)."""
    cells = raw.cells
    metric_code = _text(cells.get("metric")).lower()
    metric = cat.metrics.get(metric_code)
    value_kind = "money" if metric is not None and metric.is_money else "whole_number"
    if metric is not None and metric.unit == NARRATIVE_UNIT:
        value, reason = parse_narrative(cells.get("value"), cells.get("comment"))
    elif value_kind == "money":
        value, reason = parse_money_value(cells.get("value"))
    else:
        value, reason = parse_value(cells.get("value"))
    if value is None and not reason:
        return None
    period: date | None = None
    period_kind, period_error = "month", ""
    try:
        period, period_kind = _parse_period_kind(cells.get("period"))
    except PeriodError as exc:
        period_error = str(exc)
    cut = _text(cells.get("breakdown"))
    breakdown, option = "", ""
    if "=" in cut:
        breakdown, option = (p.strip().lower() for p in cut.split("=", 1))
    named = _text(cells.get("dataset")).lower()
    return Row(
        raw=raw,
        value=value,
        value_kind=value_kind,
        value_reason=reason,
        force=_text(cells.get("force")).lower(),
        period=period,
        period_kind=period_kind,
        period_error=period_error,
        metric_code=metric_code,
        metric=metric,
        cut=cut,
        breakdown=breakdown,
        option=option,
        dataset_named=named,
        dataset=(named or metric.dataset) if metric is not None else "",
    )


# A row check looks at one row; an entry check at a row that passed, beside the entries
# accepted before it; a file check at every entry, and passes on the entries that go on
# to the later checks and to the store (the lock check holds back locked returns').
RowCheck = Callable[[Row, Context], Iterator[Finding]]
EntryCheck = Callable[[Entry, Mapping[str, Entry], Context], Iterator[Finding]]
FileCheck = Callable[[list[Entry], Rule | None, Context], tuple[list[Entry], list[Finding]]]
C = TypeVar("C")


@dataclass
class RuleTable:
    """The check each rule ``kind`` of the catalogue names, in the order they run (which is
    the order of the problems a file gets back). A kind may have more than one check when
    its rule covers two moments: ``valid_period`` is checked when the cell is read and
    again against the dataset's frequency. Registering a kind tells the catalogue's loader
    that YAML may name it (:data:`msoic.catalogue.loader.RULE_KINDS`)."""

    row_checks: list[tuple[str, RowCheck]] = field(default_factory=list)
    entry_checks: list[tuple[str, EntryCheck]] = field(default_factory=list)
    file_checks: list[tuple[str, FileCheck]] = field(default_factory=list)

    def kinds(self) -> set[str]:
        return {k for k, _ in [*self.row_checks, *self.entry_checks, *self.file_checks]}

    def row(self, kind: str) -> Callable[[RowCheck], RowCheck]:
        return self._adder(kind, self.row_checks)

    def entry(self, kind: str) -> Callable[[EntryCheck], EntryCheck]:
        return self._adder(kind, self.entry_checks)

    def file(self, kind: str) -> Callable[[FileCheck], FileCheck]:
        return self._adder(kind, self.file_checks)

    @staticmethod
    def _adder(kind: str, checks: list[tuple[str, C]]) -> Callable[[C], C]:
        def add(check: C) -> C:
            checks.append((kind, check))
            RULE_KINDS.add(kind)
            return check

        return add


CHECKS = RuleTable()


def validate_rows(rows: list[RawRow], ctx: Context) -> tuple[list[Entry], list[Problem]]:
    """Run every check of :data:`CHECKS` over the rows; returns the entries that passed and
    every problem found, each naming its rule, sheet, row and column."""
    cat = ctx.catalogue
    rules = _rules(cat)
    problems: list[Problem] = []
    accepted: dict[str, Entry] = {}

    def report(kind: str, finding: Finding, raw: RawRow) -> None:
        where = finding.source or raw
        problems.append(
            _problem(rules.get(kind), kind, where, finding.column, finding.detail, finding.key, cat)
        )

    for raw in rows:
        row = read_row(raw, cat)
        if row is None:
            continue  # blank value: not provided
        found = [(kind, f) for kind, check in CHECKS.row_checks for f in check(row, ctx)]
        for kind, finding in found:
            report(kind, finding, raw)
        entry = None if found else row.entry(cat)
        if entry is None:
            continue
        refused = [
            (kind, f) for kind, check in CHECKS.entry_checks for f in check(entry, accepted, ctx)
        ]
        for kind, finding in refused:
            report(kind, finding, raw)
        if not refused:
            accepted[entry.key] = entry

    entries = list(accepted.values())
    for kind, file_check in CHECKS.file_checks:
        entries, found_in_file = file_check(entries, rules.get(kind), ctx)
        for finding in found_in_file:
            assert finding.source is not None, f"{kind}: a file check names the row"
            report(kind, finding, finding.source)
    return entries, problems


# --- row checks, in the order they run --------------------------------------------------------


@CHECKS.row("whole_number")
def value_is_whole_number(row: Row, ctx: Context) -> Iterator[Finding]:
    if row.value_reason and row.value_kind == "whole_number":
        yield Finding("value", row.value_reason)


@CHECKS.row("money")
def value_is_money(row: Row, ctx: Context) -> Iterator[Finding]:
    if row.value_reason and row.value_kind == "money":
        yield Finding("value", row.value_reason)


@CHECKS.row("known_force")
def force_is_known(row: Row, ctx: Context) -> Iterator[Finding]:
    if row.force not in ctx.forces:
        yield Finding("force", f"'{row.force}'" if row.force else "blank")


@CHECKS.row("may_write_force")
def force_is_writable(row: Row, ctx: Context) -> Iterator[Finding]:
    if row.force in ctx.forces and row.force not in ctx.writable:
        yield Finding("force", f"'{row.force}'")


@CHECKS.row("valid_period")
def period_is_readable(row: Row, ctx: Context) -> Iterator[Finding]:
    if row.period_error:
        yield Finding("period", row.period_error)


@CHECKS.row("known_metric")
def metric_is_known(row: Row, ctx: Context) -> Iterator[Finding]:
    if row.metric is None:
        yield Finding("metric", f"'{row.metric_code}'" if row.metric_code else "blank")


@CHECKS.row("known_breakdown")
def breakdown_is_known(row: Row, ctx: Context) -> Iterator[Finding]:
    if not row.cut:
        return
    if "=" not in row.cut:
        yield Finding("breakdown", f"'{row.cut}' must be written name=option")
        return
    metric = row.metric
    if metric is None:
        return  # the unknown metric is the problem
    if row.breakdown not in metric.breakdowns:
        allowed = ", ".join(metric.breakdowns) or "none"
        yield Finding(
            "breakdown",
            f"{metric.label} has no breakdown '{row.breakdown}' (allowed: {allowed})",
        )
        return
    options = ctx.catalogue.breakdowns[row.breakdown].options
    if row.option not in options:
        allowed = ", ".join(options)
        yield Finding(
            "breakdown", f"'{row.option}' is not an option of {row.breakdown} (allowed: {allowed})"
        )


@CHECKS.row("dataset_for_metric")
def dataset_matches_metric(row: Row, ctx: Context) -> Iterator[Finding]:
    """A row may name its dataset; it must when the metric is shared by several
    (operations' returns)."""
    metric, cat = row.metric, ctx.catalogue
    if metric is None:
        return
    ds = cat.datasets.get(row.dataset)
    if ds is None:
        yield Finding("dataset", f"no dataset '{row.dataset_named}'")
    elif metric.code not in ds.metrics:
        yield Finding("metric", f"{metric.label} ({metric.code}) is not in {ds.label}")
    elif not ds.takes_returns:
        users = [
            d.code for d in cat.datasets.values() if d.takes_returns and metric.code in d.metrics
        ]
        example = f" (e.g. {users[-1]})" if users else ""
        yield Finding(
            "dataset",
            f"{metric.label} is returned for an operation: name its return in the "
            f"dataset column{example}",
        )


def _returned_dataset(row: Row, cat: Catalogue) -> Dataset | None:
    """The row's dataset when it is one that takes returns of the row's metric."""
    ds = cat.datasets.get(row.dataset)
    if row.metric is None or ds is None or row.metric.code not in ds.metrics:
        return None
    return ds if ds.takes_returns else None


@CHECKS.row("participating_force")
def force_takes_part(row: Row, ctx: Context) -> Iterator[Finding]:
    """An operation's return takes only its participating forces."""
    ds = _returned_dataset(row, ctx.catalogue)
    if ds is not None and ds.participants and row.force and row.force not in ds.participants:
        yield Finding("force", f"'{row.force}' is not taking part in {ds.label}")


@CHECKS.row("operation_period")
def period_is_operations_month(row: Row, ctx: Context) -> Iterator[Finding]:
    """An operation's return is for the operation's month only."""
    ds = _returned_dataset(row, ctx.catalogue)
    if ds is None or not ds.is_operation or row.period is None:
        return
    if format_month(row.period) != ds.first_period:
        yield Finding(
            "period",
            f"{format_month(row.period)}: {ds.label} is returned for {ds.first_period} only",
        )


def _frequency(ds: Dataset) -> str:
    """How the dataset's periods are written (operations' and libraries' by month)."""
    return QUARTERLY if ds.frequency == QUARTERLY else MONTHLY


def _period_dataset(row: Row, cat: Catalogue) -> tuple[date, Dataset] | None:
    """The row's period and dataset, when the period is read and the dataset exists (the
    period checks against the dataset)."""
    ds = cat.datasets.get(row.dataset)
    return (row.period, ds) if row.period is not None and ds is not None else None


def _fits_frequency(row: Row, ds: Dataset) -> bool:
    quarter = row.period_kind == "quarter"
    return quarter if _frequency(ds) == QUARTERLY else not quarter


def _first_period_after(period: date, ds: Dataset) -> date | None:
    """The dataset's first period when ``period`` is before it (operations excepted: their
    own check names their month)."""
    try:
        first = parse_period(_frequency(ds), ds.first_period)
    except (PeriodError, ValueError):
        return None  # the catalogue's own check reports a bad first period
    return first if period < first and not ds.is_operation else None


@CHECKS.row("valid_period")
def period_fits_frequency(row: Row, ctx: Context) -> Iterator[Finding]:
    found = _period_dataset(row, ctx.catalogue)
    if found is None or _fits_frequency(row, found[1]):
        return
    period, ds = found
    if _frequency(ds) == QUARTERLY:
        yield Finding(
            "period",
            f"{ds.label} is returned quarterly: write the quarter like FY2024-25-Q1, "
            f"not {format_month(period)}",
        )
    else:
        yield Finding("period", f"{ds.label} is returned monthly: write the month as YYYY-MM")


@CHECKS.row("period_not_before_first")
def period_not_before_first(row: Row, ctx: Context) -> Iterator[Finding]:
    found = _period_dataset(row, ctx.catalogue)
    if found is None or not _fits_frequency(row, found[1]):
        return
    period, ds = found
    first = _first_period_after(period, ds)
    if first is not None:
        frequency = _frequency(ds)
        yield Finding(
            "period",
            f"{format_period(frequency, period)} is before {format_period(frequency, first)}, "
            f"the first period of {ds.label}",
        )


@CHECKS.row("period_not_future")
def period_not_future(row: Row, ctx: Context) -> Iterator[Finding]:
    found = _period_dataset(row, ctx.catalogue)
    if found is None or not _fits_frequency(row, found[1]):
        return
    period, ds = found
    if _first_period_after(period, ds) is not None:
        return  # one problem with the period is enough
    frequency = _frequency(ds)
    newest = last_complete_period(frequency, ctx.today)
    if period > newest:
        word = "quarter" if frequency == QUARTERLY else "month"
        yield Finding(
            "period",
            f"{format_period(frequency, period)} (the newest {word} that can be returned "
            f"is {format_period(frequency, newest)})",
        )


@CHECKS.row("from_register")
def not_from_register(row: Row, ctx: Context) -> Iterator[Finding]:
    """A metric a derived source gives a force (its investigation register on direct data
    entry, its intelligence logs...) is not returned by it (msoic.metrics.sources)."""
    if row.metric is None or row.period is None:
        return
    register_from = ctx.register.get((row.force, row.metric.code))
    if register_from is not None and row.period >= register_from:
        source = sources.source_for(row.metric.code)
        where = source.label if source is not None else "investigation register"
        yield Finding(
            "metric",
            f"{_force_name(ctx, row.force)} has counted {row.metric.label} from its "
            f"{where} since {month_label(register_from)}: remove this row",
        )


# --- entry checks -----------------------------------------------------------------------------


@CHECKS.entry("unique_key")
def key_is_unique(entry: Entry, accepted: Mapping[str, Entry], ctx: Context) -> Iterator[Finding]:
    first = accepted.get(entry.key)
    if first is not None:
        raw = first.source
        where = f"row {raw.row}" + (f" of sheet '{raw.sheet}'" if raw.sheet else "")
        yield Finding(
            "metric", f"the same figure of {_return_words(ctx, entry)} is also on {where}"
        )


# --- file checks, in the order they run --------------------------------------------------------


@CHECKS.file("period_not_locked")
def period_not_locked(
    entries: list[Entry], rule: Rule | None, ctx: Context
) -> tuple[list[Entry], list[Finding]]:
    """A locked return may not change; re-sending exactly what it holds is not a change.

    Entries for locked returns are held back: their returns are either unchanged (noted in
    ``ctx.unchanged_locked``) or refused with one problem each."""
    groups: dict[tuple[str, str, date], list[Entry]] = defaultdict(list)
    kept: list[Entry] = []
    for e in entries:
        (groups[e.submission_key] if e.submission_key in ctx.locked else kept).append(e)
    found = []
    for key, group in groups.items():
        current = ctx.locked_content.get(key, {})
        if content_hash(merge(current, group)) == content_hash(current):
            ctx.unchanged_locked.append(key)
            continue
        found.append(
            Finding(
                "period",
                f"{_return_words(ctx, group[0])} ({len(group)} row{'s' if len(group) != 1 else ''}"
                "); ask the national team to unlock it",
                source=group[0].source,
            )
        )
    return kept, found


@CHECKS.file("breakdown_sum")
def breakdown_adds_up(
    entries: list[Entry], rule: Rule | None, ctx: Context
) -> tuple[list[Entry], list[Finding]]:
    """Applied only when the catalogue has the rule."""
    if rule is None:
        return entries, []
    totals: dict[tuple[str, date, str], Entry] = {}
    parts: dict[tuple[str, date, str, str], list[Entry]] = defaultdict(list)
    for e in entries:
        if e.breakdown:
            parts[(e.force, e.period, e.metric, e.breakdown)].append(e)
        else:
            totals[(e.force, e.period, e.metric)] = e
    found = []
    for (force, period, metric, breakdown), cells in parts.items():
        total = totals.get((force, period, metric))
        known = ctx.catalogue.metrics.get(metric)
        metric_label = known.label if known else metric
        unit = known.unit if known else ""
        if total is None:
            first = cells[0]
            found.append(
                Finding(
                    "breakdown",
                    f"{_return_words(ctx, first)}: {metric_label} has a breakdown but no total row",
                    source=first.source,
                )
            )
            continue
        summed = sum(c.value for c in cells)
        by = ctx.catalogue.breakdowns[breakdown]
        complete = {c.option for c in cells} == set(by.options)
        label = f"{_return_words(ctx, total)}: the options of {by.label.lower()}"
        shown, shown_total = format_figure(summed, unit), format_figure(total.value, unit)
        if complete and summed != total.value:
            detail = f"{label} add up to {shown} but the total is {shown_total}"
            found.append(Finding("value", detail, source=total.source))
        elif not complete and summed > total.value:
            detail = f"{label} given add up to {shown}, more than the total of {shown_total}"
            found.append(Finding("value", detail, source=total.source))
    return entries, found


@CHECKS.file("outlier_high")
def not_an_outlier(
    entries: list[Entry], rule: Rule | None, ctx: Context
) -> tuple[list[Entry], list[Finding]]:
    """Warn when a total is far above the force's own median over recent months (applied
    only when the catalogue has the rule, whose parameters are the thresholds)."""
    if rule is None:
        return entries, []
    lookback = int(rule.params.get("lookback_months", 12))
    min_history = int(rule.params.get("min_history", 6))
    factor = float(rule.params.get("factor", 3))
    min_excess = float(rule.params.get("min_excess", 10))
    found = []
    for e in entries:
        if e.breakdown:
            continue
        series = ctx.history.get((e.force, e.metric), {})
        window = [
            series[m] for i in range(1, lookback + 1) if (m := add_months(e.period, -i)) in series
        ]
        if len(window) < min_history:
            continue
        median = statistics.median(window)
        if e.value > factor * median and e.value - median > min_excess:
            known = ctx.catalogue.metrics.get(e.metric)
            unit = known.unit if known else ""
            typical = format_figure(round(median), unit) if unit == MONEY_UNIT else f"{median:,g}"
            detail = (
                f"{format_figure(e.value, unit)} against a median of {typical} over the "
                f"previous {len(window)} months"
            )
            found.append(Finding("value", detail, source=e.source, key=e.key))
    return entries, found
