"""Which returns the engine expects: every force every month for a force-wide return, and
only an operation's participating forces, once, for the operation's month, for the metrics
operations collect. The coverage (and so the partners' "not yet complete" rule) follows."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from msoic.catalogue.loader import get_catalogue
from msoic.collection.pipeline import import_file
from msoic.disclosure.values import incomplete
from msoic.metrics.engine import Ask, query, query_many, query_periods
from msoic.metrics.periods import Period
from msoic.operations.released import YEAR, year_release
from msoic.orgunits.models import OrgUnit
from tests.operations.conftest import make_operation, return_csv

pytestmark = pytest.mark.django_db

FY = Period.parse("FY2023-24")


def _return(op: Any, force: str, actor: Any, arrests: int) -> None:
    figures = {
        "op_disruptions": 1,
        "op_potential_victims": 7,
        "op_nrm_dtn_referrals": 6,
        "op_arrests": arrests,
        "op_new_investigations": 0,
        "op_sites_visited": 3,
        "op_businesses_reached": 2,
    }
    outcome = import_file(f"{op.slug}-{force}.csv", return_csv(op, force, figures), actor=actor)
    assert outcome.ok, outcome.lines()


@pytest.fixture
def two_operations(national_analyst: Any) -> tuple[Any, Any]:
    """AIDANT 41 (May 2023: kent, essex, surrey) and AIDANT 42 (June 2023: kent, cleveland)."""
    first = make_operation(
        national_analyst, number=41, forces=("kent", "essex", "surrey"), start=date(2023, 5, 8)
    )
    second = make_operation(
        national_analyst, number=42, forces=("kent", "cleveland"), start=date(2023, 6, 12)
    )
    return first, second


def _national() -> OrgUnit:
    return OrgUnit.objects.get(code="national")


def test_an_operations_metric_expects_the_participants_once_each(two_operations, national_analyst):
    first, second = two_operations
    before = query("op_arrests", _national(), FY).coverage
    assert (before.expected, before.received) == (5, 0)  # 3 + 2 participants, not 43 x 12
    assert sorted(before.missing_forces) == ["cleveland", "essex", "kent", "surrey"]

    for force in ("kent", "essex", "surrey"):
        _return(first, force, national_analyst, arrests=2)
    _return(second, "kent", national_analyst, arrests=9)
    partly = query("op_arrests", _national(), FY).coverage
    assert (partly.expected, partly.received, partly.missing_forces) == (5, 4, ["cleveland"])
    assert incomplete(partly) == "not yet complete: 4 of 5 returns"

    _return(second, "cleveland", national_analyst, arrests=1)
    done = query("op_arrests", _national(), FY).coverage
    assert (done.expected, done.received, done.missing_forces) == (5, 5, [])
    assert done.complete and incomplete(done) is None


def test_every_engine_path_agrees_on_the_expectation(two_operations, national_analyst):
    first, second = two_operations
    _return(first, "kent", national_analyst, arrests=2)
    national = _national()
    one = query("op_arrests", national, FY)
    many = query_many(national, [Ask("op_arrests", FY)]).query(Ask("op_arrests", FY))
    [periods] = query_periods(["op_arrests"], national, [FY])["op_arrests"]
    for result in (one, many, periods):
        assert (result.coverage.expected, result.coverage.received) == (5, 1)
        assert result.value == 2
    # one operation's figures (the dataset filter) expect that operation's forces only
    ask = Ask("op_arrests", FY, dataset=second.dataset_code)
    own = query_many(national, [ask]).query(ask).coverage
    assert (own.expected, own.received) == (2, 0)
    # by force: a force not on any operation is complete (nothing expected of it)
    rows = {r.key: r for r in query("op_arrests", national, FY, by="force").rows}
    assert rows["kent"].complete is False  # on both, returned one
    assert rows["essex"].complete is False
    assert rows["lancashire"].complete is True and rows["lancashire"].value is None


def test_a_year_with_no_operation_expects_nothing(two_operations):
    coverage = query("op_arrests", _national(), Period.parse("FY2021-22")).coverage
    assert (coverage.expected, coverage.received) == (0, 0)


def test_a_force_wide_return_still_expects_every_force_every_month(two_operations):
    metric = next(
        code
        for code, m in get_catalogue().metrics.items()
        if m.dataset == "ms-monthly" and not m.is_stock
    )
    coverage = query(metric, _national(), FY).coverage
    assert coverage.expected == 43 * 12


def test_a_partner_gets_the_years_total_once_every_participant_has_returned(
    two_operations, national_analyst
):
    """The year's total of people reaches partners through the overview when the
    participants' returns are in (before: withheld as incomplete, as 43 forces x 12 months
    were expected of a metric only operations collect)."""
    first, second = two_operations
    for force in ("kent", "essex", "surrey"):
        _return(first, force, national_analyst, arrests=2)
    _return(second, "kent", national_analyst, arrests=9)
    waiting = year_release(FY, get_catalogue()).shown["op_arrests"][YEAR]
    assert waiting.withheld and waiting.text == "not yet complete: 4 of 5 returns"

    _return(second, "cleveland", national_analyst, arrests=1)
    shown = year_release(FY, get_catalogue()).shown["op_arrests"][YEAR]
    assert not shown.withheld
    assert abs(shown.value - 16) <= 2  # 2 + 2 + 2 + 9 + 1, perturbed by at most 2
