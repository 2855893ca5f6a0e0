"""The engine's answers for a breakdown whose options are records, a ratio metric and a
source's own figures split by breakdown (ADR 0015), with a made-up source: ``query``,
``query_many``, ``query_periods`` and ``series`` agree."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import date

import pytest

from msoic.catalogue.loader import Catalogue, build, parse_sources, read_sources
from msoic.metrics import engine, sources
from msoic.metrics.engine import Ask, SeriesAsk
from msoic.metrics.periods import Period
from msoic.metrics.sources import Cells, covered_months
from msoic.orgunits.models import OrgUnit

pytestmark = pytest.mark.django_db

EXTRA = """
breakdowns:
  thing:
    label: Thing
    options: records
dataset:
  code: things
  label: Things
  frequency: library
  due_day: 28
  first_period: "2021-04"
metrics:
  - {code: t_whole, label: Whole, aggregation: flow, breakdowns: [thing]}
  - {code: t_part, label: Part, aggregation: flow, breakdowns: [thing]}
  - code: t_pct
    label: Part of whole
    aggregation: flow
    unit: percent
    breakdowns: [thing]
    ratio: {numerator: t_part, denominator: t_whole}
"""
JUNE = date(2023, 6, 1)


def ou(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


class Things:
    """Kent: each month 10 whole (6 of thing a, 4 of b) and 3 part (all a). The nation's own
    figures: June 2023, 20 whole and 15 part, all of thing a."""

    label = "things"

    def __init__(self) -> None:
        self.kent = ou("kent").pk
        self.nation = ou("national").pk

    def metrics(self) -> frozenset[str]:
        return frozenset({"t_whole", "t_part"})

    def coverage(
        self, metrics: Collection[str], orgunit_ids: Collection[int] | None = None
    ) -> dict[str, dict[int, date]]:
        ids = (
            orgunit_ids
            if orgunit_ids is not None
            else OrgUnit.objects.forces().values_list("pk", flat=True)
        )
        return {m: dict.fromkeys(ids, date(2021, 4, 1)) for m in metrics if m in self.metrics()}

    def all_coverage(self) -> dict[tuple[str, str], date]:
        return {}

    def cells(
        self,
        metric: str,
        coverage: dict[int, date],
        months: list[date],
        breakdown: str | None,
        catalogue: Catalogue | None = None,
    ) -> Cells:
        out = Cells()
        per = {"t_whole": {"a": 6, "b": 4}, "t_part": {"a": 3, "b": 0}}[metric]
        for fid, month in covered_months(coverage, months):
            mine = fid == self.kent
            out.totals[(fid, month)] = sum(per.values()) if mine else 0
            if mine and breakdown == "thing":
                for option, value in per.items():
                    out.options[(fid, month, option)] = value
        return out

    def unit_cells(
        self, metric: str, orgunit_ids: list[int], months: list[date]
    ) -> dict[tuple[int, date], int]:
        if self.nation not in orgunit_ids or JUNE not in months:
            return {}
        return {(self.nation, JUNE): 20 if metric == "t_whole" else 15}

    def unit_option_cells(
        self, metric: str, orgunit_ids: list[int], months: list[date], breakdown: str | None
    ) -> dict[tuple[int, date, str], int]:
        if breakdown != "thing" or self.nation not in orgunit_ids or JUNE not in months:
            return {}
        return {(self.nation, JUNE, "a"): 20 if metric == "t_whole" else 15}

    def breakdown_options(self, metric: str, breakdown: str, months: list[date]) -> dict[str, str]:
        return {"a": "Thing A", "b": "Thing B"} if breakdown == "thing" else {}


@pytest.fixture
def cat() -> Iterator[Catalogue]:
    source = Things()
    sources.register(source)
    yield build(parse_sources({**read_sources(), "zz-things.yaml": EXTRA}), None)
    sources.unregister(source)


def test_a_ratio_by_a_breakdown_of_records(cat):
    fy = Period.parse("FY2023-24")
    nation = ou("national")
    result = engine.query("t_pct", nation, fy, by="thing", catalogue=cat)
    # whole: Kent 12 x 10 + the nation's 20 = 140; part: 12 x 3 + 15 = 51: 36.4%
    assert result.value == 36 and result.metric.code == "t_pct"
    # a: 51 of 12 x 6 + 20 = 92 (55.4%); b: 0 of 48
    assert [(r.key, r.label, r.value) for r in result.rows] == [
        ("a", "Thing A", 55),
        ("b", "Thing B", 0),
    ]
    assert result.coverage.complete
    # The parts themselves, with the nation's own figures in the split.
    whole = engine.query("t_whole", nation, fy, by="thing", catalogue=cat)
    assert whole.value == 140 and [r.value for r in whole.rows] == [92, 48]
    # Kent: its own cells only (30%; a 50%).
    kent = engine.query("t_pct", ou("kent"), fy, by="thing", catalogue=cat)
    assert kent.value == 30 and [r.value for r in kent.rows] == [50, 0]
    # The year before: no figures of the nation's own.
    before = engine.query("t_pct", nation, fy, compare="previous-year", catalogue=cat)
    assert (before.value, before.previous_value) == (36, 30)


def test_query_many_query_periods_and_series_agree(cat):
    fy = Period.parse("FY2023-24")
    nation = ou("national")
    ask = Ask("t_pct", fy, by="thing")
    trend = SeriesAsk("t_pct", JUNE, date(2023, 7, 1), by="thing")
    answers = engine.query_many(nation, [ask, trend], catalogue=cat)
    one = engine.query("t_pct", nation, fy, by="thing", catalogue=cat)
    many = answers.query(ask)
    assert (many.value, [(r.key, r.value) for r in many.rows]) == (
        one.value,
        [(r.key, r.value) for r in one.rows],
    )
    points = {(p.month, p.option): p.value for p in answers.series(trend)}
    # June: a 18 of 26 (69%), July: a 3 of 6 (50%); b 0 of 4 each month
    assert points == {
        (JUNE, "a"): 69,
        (JUNE, "b"): 0,
        (date(2023, 7, 1), "a"): 50,
        (date(2023, 7, 1), "b"): 0,
    }
    alone = engine.series("t_pct", nation, JUNE, date(2023, 7, 1), by="thing", catalogue=cat)
    assert {(p.month, p.option): p.value for p in alone} == points
    periods = engine.query_periods(["t_pct"], nation, [fy], catalogue=cat)["t_pct"]
    assert periods[0].value == 36


def test_a_split_the_ratio_has_not_is_refused(cat):
    with pytest.raises(engine.QueryError, match="cannot be split by 'age_group'"):
        engine.query("t_pct", ou("national"), "FY2023-24", by="age_group", catalogue=cat)
