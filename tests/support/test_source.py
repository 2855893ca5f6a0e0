"""Operations supported and reparation orders through the metric engine (the derived source),
and the API's scope: a force reads its own figure, not another force's."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from msoic.metrics import engine, sources
from msoic.orgunits.models import OrgUnit
from msoic.support.actions import do_add_financial_outcome
from msoic.support.source import OPERATIONS, REPARATION, SUPPORT_SOURCE
from tests.api.conftest import bearer
from tests.support.conftest import make_operation

pytestmark = pytest.mark.django_db


def ou(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


def value(metric: str, code: str, period: str) -> int | None:
    return engine.query(metric, ou(code), period).value


@pytest.fixture
def year(personas: dict[str, Any]) -> None:
    """Kent: operations begun in March 2023, June 2023 (a £198,000 reparation order made in
    January 2024, and a confiscation) and April 2024; Essex: June 2023 (a reparation order
    with no date: it counts in the support's month); Cleveland: August 2023."""
    unit = personas["national"]
    make_operation("kent", unit, name="Op Early", start=date(2023, 3, 20))
    houston = make_operation("kent", unit, name="Op Houston", start=date(2023, 6, 5))
    do_add_financial_outcome(
        houston, actor=unit, kind="reparation", amount="£198,000", made_on=date(2024, 1, 26)
    )
    do_add_financial_outcome(houston, actor=unit, kind="confiscation", amount="5000")
    make_operation("kent", unit, name="Op Later", start=date(2024, 4, 2))
    essex = make_operation("essex", unit, name="Op Essex", start=date(2023, 6, 30))
    do_add_financial_outcome(essex, actor=unit, kind="reparation", amount="1,500.50")
    make_operation("cleveland", unit, name="Op North", start=date(2023, 8, 1))


def test_the_source_is_registered_and_covers_every_force():
    assert sources.source_for(OPERATIONS) is SUPPORT_SOURCE
    assert sources.source_for(REPARATION) is SUPPORT_SOURCE
    covered = sources.coverage(OPERATIONS)
    assert len(covered) == OrgUnit.objects.forces().count() == 43
    assert set(covered.values()) == {date(2021, 4, 1)}


@pytest.mark.parametrize(
    ("code", "period", "operations"),
    [
        ("national", "FY2023-24", 3),  # the year of the support's start: not March, not April
        ("national", "FY2022-23", 1),
        ("national", "FY2024-25", 1),
        ("kent", "FY2023-24", 1),
        ("eastern", "FY2023-24", 2),  # Kent and Essex
        ("north-east", "FY2023-24", 1),
        ("national", "2023-06", 2),
        ("national", "2023-07", 0),
    ],
)
def test_operations_count_in_the_month_their_support_began(year, code, period, operations):
    assert value(OPERATIONS, code, period) == operations


def test_reparation_orders_by_the_day_made_or_the_support_began(year):
    assert value(REPARATION, "national", "FY2023-24") == 19_800_000 + 150_050
    assert value(REPARATION, "kent", "FY2023-24") == 19_800_000  # the confiscation is not one
    assert value(REPARATION, "kent", "2024-01") == 19_800_000
    assert value(REPARATION, "essex", "2023-06") == 150_050  # no date: the support's month
    assert value(REPARATION, "national", "FY2022-23") == 0


def test_a_year_is_complete_and_compared_with_the_one_before(year):
    result = engine.query(OPERATIONS, ou("national"), "FY2023-24", compare="previous-year")
    assert result.coverage.complete and result.coverage.expected == 43 * 12
    assert (result.value, result.previous_value) == (3, 1)
    rows = engine.query(OPERATIONS, ou("national"), "FY2023-24", by="region").rows
    assert {r.key: r.value for r in rows if r.value} == {"eastern": 2, "north-east": 1}


def test_a_force_reads_its_own_figure_and_not_another_forces(year, personas):
    kent = Client(**bearer(personas["kent"]))
    own = kent.get(
        "/api/v1/values", {"metric": OPERATIONS, "orgunit": "kent", "period": "FY2023-24"}
    )
    assert own.status_code == 200 and own.json()["value"] == 1
    other = kent.get(
        "/api/v1/values", {"metric": OPERATIONS, "orgunit": "essex", "period": "FY2023-24"}
    )
    assert other.status_code == 403
