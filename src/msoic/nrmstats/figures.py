"""The national NRM statistics as the page shows them, asked of the metric engine (one
read): each quarter's total, by first responder type and by exploitation type, and the
calendar years' totals; and the chart (the dashboards' Vega-Lite trend chart)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from msoic.catalogue.loader import get_catalogue
from msoic.dashboards import charts
from msoic.metrics import engine
from msoic.metrics.periods import QUARTERLY, format_period, is_quarter_start, month_end
from msoic.nrmstats.importer import quarter_words
from msoic.nrmstats.source import (
    NON_POLICE,
    REFERRALS,
    RESPONDER,
    first_quarter,
    national,
    stored,
)

EXPLOITATION = "exploitation_type"


@dataclass
class Quarter:
    start: date
    total: int
    responders: list[int | None] = field(default_factory=list)
    non_police: int | None = None
    exploitation: list[int | None] = field(default_factory=list)

    @property
    def code(self) -> str:
        return format_period(QUARTERLY, self.start)

    @property
    def label(self) -> str:
        return quarter_words(self.start)


@dataclass
class Series:
    quarters: list[Quarter]
    responder_labels: list[str]
    exploitation_labels: list[str]
    years: list[tuple[int, int]]  # (calendar year, total) for whole years

    @property
    def empty(self) -> bool:
        return not self.quarters


def series() -> Series:
    cat = get_catalogue()
    responders = cat.breakdowns[RESPONDER].options
    exploitation = cat.breakdowns[EXPLOITATION].options
    held = sorted(m for (m, option) in stored_all() if not option)
    if not held:
        return Series([], list(responders.values()), list(exploitation.values()), [])
    start, end = first_quarter(), month_end(held[-1])
    nation = national()
    asks = [
        engine.SeriesAsk(REFERRALS, start, end),
        engine.SeriesAsk(REFERRALS, start, end, by=RESPONDER),
        engine.SeriesAsk(REFERRALS, start, end, by=EXPLOITATION),
        engine.SeriesAsk(NON_POLICE, start, end),
    ]
    answers = engine.query_many(nation, list[engine.Ask | engine.SeriesAsk](asks))
    totals = {p.month: p.value for p in answers.series(asks[0]) if p.value is not None}
    by_responder = {(p.month, p.option): p.value for p in answers.series(asks[1])}
    by_exploitation = {(p.month, p.option): p.value for p in answers.series(asks[2])}
    non_police = {p.month: p.value for p in answers.series(asks[3])}
    quarters = [
        Quarter(
            m,
            total,
            [by_responder.get((m, o)) for o in responders],
            non_police.get(m),
            [by_exploitation.get((m, o)) for o in exploitation],
        )
        for m, total in sorted(totals.items())
        if is_quarter_start(m)
    ]
    years: dict[int, list[int]] = {}
    for q in quarters:
        years.setdefault(q.start.year, []).append(q.total)
    whole = [(y, sum(v)) for y, v in sorted(years.items()) if len(v) == 4]
    return Series(quarters, list(responders.values()), list(exploitation.values()), whole)


def stored_all() -> dict[tuple[date, str], int]:
    start = first_quarter()
    months = [start]
    latest = (
        engine.Value.objects.filter(metric=REFERRALS, is_current=True, breakdown="")
        .order_by("-period")
        .values_list("period", flat=True)
        .first()
    )
    if latest is None:
        return {}
    index = start.year * 12 + start.month - 1
    while True:
        index += 3
        m = date(index // 12, index % 12 + 1, 1)
        if m > latest:
            break
        months.append(m)
    return stored(months)


def chart(shown: Series) -> dict[str, Any]:
    """Referrals by first responder type, a line each, quarter by quarter."""
    cat = get_catalogue()
    options = cat.breakdowns[RESPONDER].options
    points = []
    for q in shown.quarters:
        for label, value in zip(options.values(), q.responders, strict=True):
            if value is not None:
                points.append(
                    {
                        "month": q.start.isoformat(),
                        "value": value,
                        "returns": charts.COMPLETE,
                        "series": label,
                    }
                )
    first, last = shown.quarters[0].label, shown.quarters[-1].label
    return charts.trend_chart(
        "National NRM referrals by first responder type, by quarter",
        f"Line chart: national referrals into the National Referral Mechanism each quarter from "
        f"{first} to {last}, one line per type of first responder. The table below has the "
        "same figures.",
        points,
        y_title="Referrals",
        series_title="First responder",
        series_order=list(options.values()),
    )
