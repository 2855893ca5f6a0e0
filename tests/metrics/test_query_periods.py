"""engine.query_periods answers several periods from one read, exactly as query does."""

from __future__ import annotations

import pytest

from msoic.collection.pipeline import import_file
from msoic.metrics import engine
from msoic.metrics.periods import Period
from msoic.orgunits.models import OrgUnit
from tests.conftest import csv_bytes

PERIODS = ["FY2023-24", "FY2023-24-Q1", "FY2023-24-Q2", "FY2023-24-Q3", "FY2023-24-Q4"]


@pytest.fixture
def returns(national_analyst):
    rows = []
    for force, quarters in (("kent", "1234"), ("essex", "13"), ("cleveland", "4")):
        for q in quarters:
            rows.append([force, f"FY2023-24-Q{q}", "terminus_cash_seized", "", f"{q}0.0{q}", ""])
    rows.append(["kent", "2023-05", "ms_arrests", "", 4, ""])
    rows.append(["essex", "2023-11", "ms_arrests", "", 6, ""])
    assert import_file("r.csv", csv_bytes(rows), actor=national_analyst).ok


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("metric", "orgunit", "by"),
    [
        ("terminus_cash_seized", "national", "region"),
        ("terminus_cash_seized", "eastern", "force"),
        ("terminus_cash_seized", "kent", None),
        ("ms_arrests", "national", "region"),
    ],
)
def test_each_period_is_what_query_says(returns, metric, orgunit, by):
    unit = OrgUnit.objects.get(code=orgunit)
    periods = [Period.parse(p) for p in PERIODS]
    together = engine.query_periods([metric], unit, periods, by=by)[metric]
    for period, result in zip(periods, together, strict=True):
        alone = engine.query(metric, unit, period, by=by)
        assert result.as_dict() == alone.as_dict()


@pytest.mark.django_db
def test_forces_once_and_one_read_per_metric_whatever_the_number_of_periods(
    returns, django_assert_max_num_queries
):
    national = OrgUnit.objects.get(kind="national")
    periods = [Period.parse(p) for p in PERIODS]
    codes = ["terminus_cash_seized", "terminus_fines", "terminus_lorry_stops"]
    with django_assert_max_num_queries(1 + 2 * len(codes)):  # forces; per metric: DDE, values
        answers = engine.query_periods(codes, national, periods, by="region")
    assert [len(answers[c]) for c in codes] == [5, 5, 5]


@pytest.mark.django_db
def test_unknown_metric_is_refused(returns):
    national = OrgUnit.objects.get(kind="national")
    with pytest.raises(engine.QueryError, match="unknown metric 'nope'"):
        engine.query_periods(["terminus_fines", "nope"], national, [])


@pytest.mark.django_db
def test_splits_other_than_org_units_are_refused(returns):
    national = OrgUnit.objects.get(kind="national")
    kent = OrgUnit.objects.get(code="kent")
    with pytest.raises(engine.QueryError, match="force or region only"):
        engine.query_periods(["ms_nrm_referrals"], national, [], by="age_group")
    with pytest.raises(engine.QueryError, match="is a force"):
        engine.query_periods(["terminus_cash_seized"], kent, [], by="force")
