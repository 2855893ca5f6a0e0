"""Validation of return rows against the catalogue's rules.

Every row is checked and every problem collected, so a force sees all that is wrong with
a file at once. Rule *instances* (codes, importance, messages, thresholds) come from the
catalogue; this module holds the check each rule ``kind`` names.
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from msoic.catalogue.loader import Catalogue, Metric, Rule
from msoic.collection.content import Content, content_hash, merge
from msoic.collection.readers import RawRow
from msoic.metrics.money import MoneyError, parse_pounds
from msoic.metrics.periods import (
    MONTHLY,
    QUARTERLY,
    Period,
    PeriodError,
    add_months,
    format_month,
    format_period,
    last_complete_period,
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

    def location(self, filename: str = "") -> str:
        parts = [filename] if filename else []
        if self.sheet:
            parts.append(f"sheet {self.sheet}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def as_dict(self, filename: str = "") -> dict[str, Any]:
        return {
            "severity": self.severity,
            "rule": self.rule,
            "message": self.message,
            "file": filename,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
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
    # (force code, metric) -> first month the force's register gives it (msoic.cases.dde)
    register: dict[tuple[str, str], date] = field(default_factory=dict)


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _rules(catalogue: Catalogue) -> dict[str, Rule]:
    return {r.kind: r for r in catalogue.rules}


def _problem(
    rule: Rule | None, kind: str, raw: RawRow, column: str, detail: str, key: str = ""
) -> Problem:
    severity = rule.importance if rule else "error"
    code = rule.code if rule else kind
    base = rule.message if rule else kind
    return Problem(
        severity=severity,
        rule=code,
        message=f"{base}: {detail}" if detail else base,
        sheet=raw.sheet,
        row=raw.row,
        column=raw.columns.get(column, ""),
        key=key,
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


def _row_dataset(
    raw: Any, metric: Metric, force: str, period: date | None, cat: Catalogue
) -> tuple[str, list[tuple[str, str, str]]]:
    """The dataset a row is for, and what is wrong with it: (rule kind, column, detail).

    A row may name its dataset; it must when the metric is shared by several (operations'
    returns). An operation's return takes only its participating forces and its month."""
    named = _text(raw).lower()
    code = named or metric.dataset
    ds = cat.datasets.get(code)
    if ds is None:
        return code, [("dataset_for_metric", "dataset", f"no dataset '{named}'")]
    if metric.code not in ds.metrics:
        return code, [("dataset_for_metric", "metric", f"{metric.code} is not in {ds.label}")]
    if not ds.takes_returns:
        users = [
            d.code for d in cat.datasets.values() if d.takes_returns and metric.code in d.metrics
        ]
        example = f" (e.g. {users[-1]})" if users else ""
        return code, [
            (
                "dataset_for_metric",
                "dataset",
                f"{metric.code} is returned for an operation: name its return in the "
                f"dataset column{example}",
            )
        ]
    trouble = []
    if ds.participants and force and force not in ds.participants:
        trouble.append(
            ("participating_force", "force", f"'{force}' is not taking part in {ds.label}")
        )
    if ds.is_operation and period is not None and format_month(period) != ds.first_period:
        trouble.append(
            (
                "operation_period",
                "period",
                f"{format_month(period)}: {ds.label} is returned for {ds.first_period} only",
            )
        )
    return code, trouble


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


def _period_trouble(ds: Any, period: date, kind: str, today: date) -> list[tuple[str, str]]:
    """What is wrong with a row's period for its dataset's frequency: (rule kind, detail)."""
    frequency = QUARTERLY if ds.frequency == QUARTERLY else MONTHLY
    if frequency == QUARTERLY and kind != "quarter":
        return [
            (
                "valid_period",
                f"{ds.label} is returned quarterly: write the quarter like FY2024-25-Q1, "
                f"not {format_month(period)}",
            )
        ]
    if frequency == MONTHLY and kind == "quarter":
        return [("valid_period", f"{ds.label} is returned monthly: write the month as YYYY-MM")]
    try:
        first: date | None = parse_period(frequency, ds.first_period)
    except (PeriodError, ValueError):
        first = None  # the catalogue's own check reports a bad first period
    if first is not None and period < first and not ds.is_operation:
        return [
            (
                "period_not_before_first",
                f"{format_period(frequency, period)} is before {format_period(frequency, first)}, "
                f"the first period of {ds.label}",
            )
        ]
    newest = last_complete_period(frequency, today)
    if period > newest:
        word = "quarter" if frequency == QUARTERLY else "month"
        return [
            (
                "period_not_future",
                f"{format_period(frequency, period)} (the newest {word} that can be returned "
                f"is {format_period(frequency, newest)})",
            )
        ]
    return []


def validate_rows(rows: list[RawRow], ctx: Context) -> tuple[list[Entry], list[Problem]]:
    cat = ctx.catalogue
    rules = _rules(cat)
    problems: list[Problem] = []
    entries: list[Entry] = []
    seen: dict[str, RawRow] = {}

    for raw in rows:
        cells = raw.cells
        row_ok = True
        metric_code = _text(cells.get("metric")).lower()
        metric = cat.metrics.get(metric_code)
        value_kind = "money" if metric is not None and metric.is_money else "whole_number"
        value, reason = (parse_money_value if value_kind == "money" else parse_value)(
            cells.get("value")
        )
        described = cat.metrics.get(_text(cells.get("metric")).lower())
        if described is not None and described.unit == NARRATIVE_UNIT:
            value, reason = parse_narrative(cells.get("value"), cells.get("comment"))
        if value is None and not reason:
            continue  # blank value: not provided
        if reason:
            problems.append(_problem(rules.get(value_kind), value_kind, raw, "value", reason))
            row_ok = False

        force = _text(cells.get("force")).lower()
        if force not in ctx.forces:
            problems.append(
                _problem(
                    rules.get("known_force"),
                    "known_force",
                    raw,
                    "force",
                    f"'{force}'" if force else "blank",
                )
            )
            row_ok = False
        elif force not in ctx.writable:
            problems.append(
                _problem(
                    rules.get("may_write_force"), "may_write_force", raw, "force", f"'{force}'"
                )
            )
            row_ok = False

        period: date | None = None
        period_kind = "month"
        try:
            period, period_kind = _parse_period_kind(cells.get("period"))
        except PeriodError as exc:
            problems.append(
                _problem(rules.get("valid_period"), "valid_period", raw, "period", str(exc))
            )
            row_ok = False

        if metric is None:
            problems.append(
                _problem(
                    rules.get("known_metric"),
                    "known_metric",
                    raw,
                    "metric",
                    f"'{metric_code}'" if metric_code else "blank",
                )
            )
            row_ok = False

        breakdown, option = "", ""
        cut = _text(cells.get("breakdown"))
        if cut:
            if "=" not in cut:
                problems.append(
                    _problem(
                        rules.get("known_breakdown"),
                        "known_breakdown",
                        raw,
                        "breakdown",
                        f"'{cut}' must be written name=option",
                    )
                )
                row_ok = False
            else:
                breakdown, option = (p.strip().lower() for p in cut.split("=", 1))
                if metric is not None:
                    if breakdown not in metric.breakdowns:
                        allowed = ", ".join(metric.breakdowns) or "none"
                        problems.append(
                            _problem(
                                rules.get("known_breakdown"),
                                "known_breakdown",
                                raw,
                                "breakdown",
                                f"{metric.code} has no breakdown '{breakdown}' (allowed: {allowed})",
                            )
                        )
                        row_ok = False
                    elif option not in cat.breakdowns[breakdown].options:
                        allowed = ", ".join(cat.breakdowns[breakdown].options)
                        problems.append(
                            _problem(
                                rules.get("known_breakdown"),
                                "known_breakdown",
                                raw,
                                "breakdown",
                                f"'{option}' is not an option of {breakdown} (allowed: {allowed})",
                            )
                        )
                        row_ok = False

        dataset = ""
        if metric is not None:
            dataset, trouble = _row_dataset(cells.get("dataset"), metric, force, period, cat)
            for kind, column, detail in trouble:
                problems.append(_problem(rules.get(kind), kind, raw, column, detail))
                row_ok = False
        frequency = MONTHLY
        if period is not None and dataset in cat.datasets:
            frequency = QUARTERLY if cat.datasets[dataset].frequency == QUARTERLY else MONTHLY
            for kind, detail in _period_trouble(
                cat.datasets[dataset], period, period_kind, ctx.today
            ):
                problems.append(_problem(rules.get(kind), kind, raw, "period", detail))
                row_ok = False
        if metric is not None and period is not None:
            register_from = ctx.register.get((force, metric.code))
            if register_from is not None and period >= register_from:
                problems.append(
                    _problem(
                        rules.get("from_register"),
                        "from_register",
                        raw,
                        "metric",
                        f"{force} has counted {metric.code} from its investigation register "
                        f"since {format_month(register_from)}: remove this row",
                    )
                )
                row_ok = False
        if not row_ok or metric is None or period is None or value is None:
            continue
        entry = Entry(
            dataset=dataset,
            force=force,
            period=period,
            metric=metric.code,
            breakdown=breakdown,
            option=option,
            value=value,
            comment=_text(cells.get("comment")),
            source=raw,
            frequency=frequency,
        )
        if entry.key in seen:
            first = seen[entry.key]
            where = f"row {first.row}" + (f" of sheet {first.sheet}" if first.sheet else "")
            problems.append(
                _problem(
                    rules.get("unique_key"),
                    "unique_key",
                    raw,
                    "metric",
                    f"{entry.key.replace('|', ' ')} is also on {where}",
                )
            )
            continue
        seen[entry.key] = raw
        entries.append(entry)

    entries, lock_problems = _check_locks(entries, rules.get("period_not_locked"), ctx)
    problems.extend(lock_problems)
    problems.extend(_check_breakdown_sums(entries, rules.get("breakdown_sum"), cat))
    problems.extend(_check_outliers(entries, rules.get("outlier_high"), ctx))
    return entries, problems


def _check_locks(
    entries: list[Entry], rule: Rule | None, ctx: Context
) -> tuple[list[Entry], list[Problem]]:
    """A locked return may not change; re-sending exactly what it holds is not a change.

    Entries for locked returns are taken out of the list: their returns are either
    unchanged (noted in ``ctx.unchanged_locked``) or refused with one problem each."""
    groups: dict[tuple[str, str, date], list[Entry]] = defaultdict(list)
    kept: list[Entry] = []
    for e in entries:
        (groups[e.submission_key] if e.submission_key in ctx.locked else kept).append(e)
    problems = []
    for key, group in groups.items():
        current = ctx.locked_content.get(key, {})
        if content_hash(merge(current, group)) == content_hash(current):
            ctx.unchanged_locked.append(key)
            continue
        dataset, force, _ = key
        problems.append(
            _problem(
                rule,
                "period_not_locked",
                group[0].source,
                "period",
                f"{dataset} {force} {group[0].period_code} ({len(group)} rows); "
                "ask the unit to unlock it",
            )
        )
    return kept, problems


def _check_breakdown_sums(entries: list[Entry], rule: Rule | None, cat: Catalogue) -> list[Problem]:
    if rule is None:
        return []
    totals: dict[tuple[str, date, str], Entry] = {}
    parts: dict[tuple[str, date, str, str], list[Entry]] = defaultdict(list)
    for e in entries:
        if e.breakdown:
            parts[(e.force, e.period, e.metric, e.breakdown)].append(e)
        else:
            totals[(e.force, e.period, e.metric)] = e
    problems = []
    for (force, period, metric, breakdown), cells in parts.items():
        total = totals.get((force, period, metric))
        if total is None:
            first = cells[0]
            problems.append(
                _problem(
                    rule,
                    "breakdown_sum",
                    first.source,
                    "breakdown",
                    f"{metric} for {force} {first.period_code} has a breakdown but no total row",
                )
            )
            continue
        summed = sum(c.value for c in cells)
        options = cat.breakdowns[breakdown].options
        complete = {c.option for c in cells} == set(options)
        label = f"{metric} by {breakdown} for {force} {total.period_code}"
        if complete and summed != total.value:
            problems.append(
                _problem(
                    rule,
                    "breakdown_sum",
                    total.source,
                    "value",
                    f"{label}: the options add up to {summed} but the total is {total.value}",
                )
            )
        elif not complete and summed > total.value:
            problems.append(
                _problem(
                    rule,
                    "breakdown_sum",
                    total.source,
                    "value",
                    f"{label}: the options given add up to {summed}, more than the total of {total.value}",
                )
            )
    return problems


def _check_outliers(entries: list[Entry], rule: Rule | None, ctx: Context) -> list[Problem]:
    """Warn when a total is far above the force's own median over recent months."""
    if rule is None:
        return []
    lookback = int(rule.params.get("lookback_months", 12))
    min_history = int(rule.params.get("min_history", 6))
    factor = float(rule.params.get("factor", 3))
    min_excess = float(rule.params.get("min_excess", 10))
    problems = []
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
            problems.append(
                _problem(
                    rule,
                    "outlier_high",
                    e.source,
                    "value",
                    f"{e.value} against a median of {median:g} over the previous {len(window)} months",
                    key=e.key,
                )
            )
    return problems
