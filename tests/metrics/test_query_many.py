"""Many questions at once: ``query_many`` gives each question exactly the answer
``query`` or ``series`` gives it alone (returns, gaps, corrections, breakdowns, forces on
the register, stocks and flows), in a fixed number of queries however many it is asked."""

from __future__ import annotations

from datetime import date

import pytest

from msoic.catalogue.loader import get_catalogue
from msoic.metrics.engine import Ask, QueryError, SeriesAsk, query, query_many, series
from msoic.metrics.periods import Period
from msoic.orgunits.models import OrgUnit
from tests.cases.test_dde_engine import adopt, inv, victim
from tests.metrics.test_engine import load

pytestmark = pytest.mark.django_db


def ou(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


@pytest.fixture
def returns_and_register():
    """Two years of returns for three forces (Essex misses a month, Kent corrects one),
    with Cleveland deriving live investigations and NRM referrals from its register."""
    rows = []
    for force, scale in (("kent", 1), ("essex", 2), ("cleveland", 3)):
        for i, month in enumerate(
            Period.parse("R12-2024-02").previous_year().months()
            + Period.parse("R12-2024-02").months()
        ):
            if force == "essex" and month == date(2023, 6, 1):
                continue  # Essex missed June 2023
            m = month.strftime("%Y-%m")
            live = 20 * scale + i
            rows += [
                [force, m, "ms_live_investigations", "", live, ""],
                [force, m, "ms_live_investigations", "exploitation_type=criminal", live - 2, ""],
                [force, m, "ms_live_investigations", "exploitation_type=labour", 2, ""],
                [force, m, "ms_recorded_crimes", "", scale + i % 5, ""],
                [force, m, "ms_nrm_referrals", "", 2 * scale, ""],
                [force, m, "ms_nrm_referrals", "age_group=adult", scale, ""],
                [force, m, "ms_nrm_referrals", "age_group=child", scale, ""],
            ]
    load(rows)
    load([["kent", "2023-01", "ms_recorded_crimes", "", 50, "corrected"]])
    adopt("cleveland", "ms_live_investigations", "2023-07")
    adopt("cleveland", "ms_nrm_referrals", "2023-10")
    case = inv("cleveland", date(2023, 5, 1), primary="sexual")
    inv("cleveland", date(2023, 8, 1), date(2024, 1, 10))
    victim(case, nrm_referred_on=date(2023, 11, 2), nrm_referred_by_police=True, age_group="child")
    victim(case, nrm_referred_on=date(2024, 1, 9), nrm_referred_by_police=True)


def _asks(unit: OrgUnit) -> list[Ask | SeriesAsk]:
    periods = [Period.parse(p) for p in ("R12-2024-02", "FY2022-23", "2023-09", "2024-01")]
    bys: list[str | None] = [None]
    if unit.kind != "force":
        bys.append("force")
    if unit.kind == "national":
        bys.append("region")
    asks: list[Ask | SeriesAsk] = []
    cat = get_catalogue()
    for code in ("ms_live_investigations", "ms_recorded_crimes", "ms_nrm_referrals"):
        splits = [*bys, *cat.metrics[code].breakdowns]
        for period in periods:
            for by in splits:
                for compare in (None, "previous-year"):
                    asks.append(Ask(code, period, by, compare))
        asks.append(SeriesAsk(code, date(2021, 12, 1), date(2024, 3, 1)))
        for b in cat.metrics[code].breakdowns:
            asks.append(SeriesAsk(code, date(2022, 6, 1), date(2024, 2, 1), b))
    return asks


@pytest.mark.parametrize("unit_code", ["national", "eastern", "kent", "cleveland"])
def test_each_answer_is_what_the_engine_gives_alone(returns_and_register, unit_code):
    unit = ou(unit_code)
    asks = _asks(unit)
    answers = query_many(unit, asks)
    for ask in asks:
        if isinstance(ask, SeriesAsk):
            alone = series(ask.metric, unit, ask.start, ask.end, by=ask.by)
            assert answers.series(ask) == alone, ask
        else:
            alone = query(ask.metric, unit, ask.period, by=ask.by, compare=ask.compare)
            assert answers.query(ask).as_dict() == alone.as_dict(), ask


def test_the_register_shows_in_the_answers(returns_and_register):
    ask = Ask("ms_live_investigations", Period.parse("2023-09"), "exploitation_type")
    result = query_many(ou("cleveland"), [ask]).query(ask)
    # Both cases were live at the end of September 2023: one sexual, one criminal.
    assert result.value == 2 and result.value_from_register == 2
    assert {r.key: r.value for r in result.rows if r.value} == {"sexual": 1, "criminal": 1}


def test_the_number_of_queries_does_not_grow_with_the_questions(
    returns_and_register, django_assert_max_num_queries
):
    national = ou("national")
    get_catalogue()
    asks = _asks(national)
    assert len(asks) > 90
    # catalogue revision check, forces, the register's adoptions, the values (one grouped
    # query), and the register's figures for each of its two metrics
    with django_assert_max_num_queries(6):
        query_many(national, asks)


def test_a_question_that_cannot_be_asked_is_refused_naming_it(returns_and_register):
    with pytest.raises(QueryError, match="ms_recorded_crimes cannot be split by 'age_group'"):
        query_many(
            ou("national"), [Ask("ms_recorded_crimes", Period.parse("2024-01"), "age_group")]
        )
    with pytest.raises(QueryError, match="by=region needs the national org unit"):
        query_many(ou("eastern"), [Ask("ms_recorded_crimes", Period.parse("2024-01"), "region")])
    with pytest.raises(QueryError, match="unknown metric 'nope'"):
        query_many(ou("kent"), [SeriesAsk("nope", date(2024, 1, 1), date(2024, 2, 1))])


def test_a_dataset_filter_counts_only_the_returns_made_against_that_dataset(national_analyst):
    from msoic.collection.pipeline import import_file
    from tests.operations.conftest import make_operation, return_csv

    may_33 = make_operation(national_analyst, number=33, start=date(2023, 5, 2))
    may_34 = make_operation(national_analyst, number=34, start=date(2023, 5, 20))
    for op, kent, essex in ((may_33, 5, 1), (may_34, 2, None)):
        for force, n in (("kent", kent), ("essex", essex)):
            if n is not None:
                data = return_csv(op, force, {"op_disruptions": n})
                assert import_file(f"{force}.csv", data, actor=national_analyst).ok
    may = Period.parse("2023-05")
    asks: list[Ask | SeriesAsk] = [
        Ask("op_disruptions", may, "force", dataset=may_33.dataset_code),
        Ask("op_disruptions", may, "force", dataset=may_34.dataset_code),
        Ask("op_disruptions", may, "force"),
        SeriesAsk(
            "op_disruptions", date(2023, 4, 1), date(2023, 6, 1), dataset=may_34.dataset_code
        ),
    ]
    answers = query_many(ou("national"), asks)
    by_force = [
        {r.key: r.value for r in answers.query(a).rows if r.value is not None} for a in asks[:3]
    ]
    assert by_force == [{"kent": 5, "essex": 1}, {"kent": 2}, {"kent": 7, "essex": 1}]
    assert [p.value for p in answers.series(asks[3])] == [None, 2, None]
    # Every operation together is what the engine gives alone.
    assert (
        answers.query(asks[2]).as_dict()
        == query("op_disruptions", ou("national"), may, by="force").as_dict()
    )
