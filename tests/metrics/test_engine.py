"""The metric engine: flows sum, stocks take the last month, forces roll up, change is
computed to one decimal place and flagged when either side is incomplete."""

from __future__ import annotations

from datetime import date

import pytest

from msoic.collection.pipeline import import_file
from msoic.metrics.engine import QueryError, change_pct, query, series
from msoic.metrics.periods import Period, add_months, format_month
from msoic.orgunits.models import OrgUnit
from tests.conftest import csv_bytes


def load(rows: list[list]) -> None:
    outcome = import_file("engine.csv", csv_bytes(rows), actor=None)
    assert outcome.ok, outcome.lines()


def monthly(
    force: str, metric: str, start: str, months: int, value, breakdown_rows=None
) -> list[list]:
    first = Period.parse(start).start
    rows = []
    for i in range(months):
        m = format_month(add_months(first, i))
        v = value(i) if callable(value) else value
        rows.append([force, m, metric, "", v, ""])
        for cut, cv in (breakdown_rows or {}).items():
            rows.append([force, m, metric, cut, cv, ""])
    return rows


def ou(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


@pytest.mark.parametrize(
    ("current", "previous", "expected"),
    [
        (3552, 3884, -8.5),
        (9197, 10315, -10.8),
        (3604, 3592, 0.3),
        (614, 370, 65.9),
        (78, 54, 44.4),
        (5, 0, None),
        (None, 5, None),
        (101, 200, -49.5),
        (3, 8, -62.5),  # half away from zero
    ],
)
def test_change_pct_rounds_to_one_decimal(current, previous, expected):
    assert change_pct(current, previous) == expected


@pytest.mark.django_db
def test_flow_sums_over_the_period_and_stock_takes_its_last_month():
    load(monthly("kent", "ms_recorded_crimes", "2023-03", 12, lambda i: i + 1))
    load(monthly("kent", "ms_live_investigations", "2023-03", 12, lambda i: 100 + i))
    assert query("ms_recorded_crimes", ou("kent"), "R12-2024-02").value == sum(range(1, 13))
    assert query("ms_live_investigations", ou("kent"), "R12-2024-02").value == 111
    assert query("ms_live_investigations", ou("kent"), "2023-07").value == 104


@pytest.mark.django_db
def test_forces_roll_up_to_region_and_nation():
    load(
        monthly("kent", "ms_arrests", "2024-01", 1, 3)
        + monthly("essex", "ms_arrests", "2024-01", 1, 4)
        + monthly("cleveland", "ms_arrests", "2024-01", 1, 5)
    )
    assert query("ms_arrests", ou("eastern"), "2024-01").value == 7
    assert query("ms_arrests", ou("national"), "2024-01").value == 12
    by_region = {
        r.key: r.value for r in query("ms_arrests", ou("national"), "2024-01", by="region").rows
    }
    assert by_region["eastern"] == 7 and by_region["north-east"] == 5
    assert by_region["london"] is None  # nothing returned is not zero
    by_force = {
        r.key: r.value for r in query("ms_arrests", ou("eastern"), "2024-01", by="force").rows
    }
    assert by_force["kent"] == 3 and by_force["essex"] == 4 and len(by_force) == 7


@pytest.mark.django_db
def test_year_on_year_change_and_incomplete_flag():
    load(monthly("kent", "oic_disruptions", "2022-04", 24, lambda i: 2 if i < 12 else 3))
    result = query("oic_disruptions", ou("kent"), "FY2023-24", compare="previous-year")
    assert (result.previous_value, result.value, result.change_pct) == (24, 36, 50.0)
    assert not result.incomplete
    data = result.as_dict()
    assert data["previous_value"] == 24 and data["change_pct"] == 50.0 and data["change_flag"] == ""
    national = query("oic_disruptions", ou("national"), "FY2023-24", compare="previous-year")
    assert national.incomplete  # 42 forces have not returned
    assert national.as_dict()["change_flag"] == "incomplete"
    assert "essex" in national.coverage.missing_forces


@pytest.mark.django_db
def test_a_missing_month_makes_a_force_incomplete():
    rows = monthly("kent", "ms_recorded_crimes", "2023-03", 12, 5)
    del rows[4]
    load(rows)
    result = query("ms_recorded_crimes", ou("kent"), "R12-2024-02")
    assert result.value == 55
    assert not result.coverage.complete
    assert (result.coverage.expected, result.coverage.received) == (12, 11)


@pytest.mark.django_db
def test_breakdown_rows_and_shares():
    load(
        monthly(
            "kent",
            "ms_live_investigations",
            "2024-02",
            1,
            100,
            {
                "exploitation_type=criminal": 60,
                "exploitation_type=sexual": 17,
                "exploitation_type=labour": 16,
                "exploitation_type=domestic_servitude": 3,
                "exploitation_type=organ_harvesting": 0,
                "exploitation_type=other": 4,
            },
        )
    )
    result = query("ms_live_investigations", ou("kent"), "2024-02", by="exploitation_type")
    shares = {r.key: r.share for r in result.rows}
    assert (
        shares["criminal"] == 0.6
        and shares["sexual"] == 0.17
        and shares["domestic_servitude"] == 0.03
    )
    assert [r.key for r in result.rows][:2] == ["criminal", "sexual"]
    assert result.as_dict()["rows"][0] == {
        "key": "criminal",
        "label": "Criminal exploitation",
        "value": 60,
        "complete": True,
        "share": 0.6,
    }


@pytest.mark.django_db
def test_corrected_return_replaces_the_figure_and_keeps_the_old_version():
    load(monthly("kent", "ms_charges", "2024-01", 1, 3))
    load(monthly("kent", "ms_charges", "2024-01", 1, 8))
    assert query("ms_charges", ou("kent"), "2024-01").value == 8
    from msoic.collection.models import Value

    assert sorted(Value.objects.filter(metric="ms_charges").values_list("value", "is_current")) == [
        (3, False),
        (8, True),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("metric", "orgunit", "by", "message"),
    [
        ("nope", "national", None, "unknown metric"),
        ("ms_recorded_crimes", "national", "exploitation_type", "cannot be split"),
        ("ms_recorded_crimes", "kent", "force", "is a force"),
        ("ms_recorded_crimes", "eastern", "region", "national"),
        ("ms_recorded_crimes", "nca", None, "partner"),
    ],
)
def test_questions_that_cannot_be_asked(metric, orgunit, by, message):
    with pytest.raises(QueryError, match=message):
        query(metric, ou(orgunit), "2024-01", by=by)


@pytest.mark.django_db
def test_series_gives_one_point_per_month_with_coverage():
    load(monthly("kent", "ms_dtn_reports", "2024-01", 3, lambda i: i * 2))
    points = series("ms_dtn_reports", ou("national"), date(2023, 12, 1), date(2024, 3, 1))
    assert [(format_month(p.month), p.value, p.received) for p in points] == [
        ("2023-12", None, 0),
        ("2024-01", 0, 1),
        ("2024-02", 2, 1),
        ("2024-03", 4, 1),
    ]
    assert points[0].expected == 43


@pytest.mark.django_db
def test_engine_queries_are_few(django_assert_max_num_queries):
    load(monthly("kent", "ms_nrm_referrals", "2023-03", 12, 4))
    national = ou("national")
    with django_assert_max_num_queries(8):
        query("ms_nrm_referrals", national, "R12-2024-02", by="age_group", compare="previous-year")
