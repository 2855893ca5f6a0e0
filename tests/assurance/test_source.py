"""Forces benchmarked and the framework's standards through the metric engine (the derived
source), and the API's scope: a force reads its own figure, not another force's."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from msoic.assurance.source import BENCHMARKING_SOURCE, FORCES_ASSESSED, STANDARDS
from msoic.metrics import engine, sources
from msoic.orgunits.models import OrgUnit
from tests.api.conftest import bearer
from tests.assurance.conftest import framework, open_campaign, submitted_campaign

pytestmark = pytest.mark.django_db


def ou(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


def value(metric: str, code: str, period: str) -> int | None:
    return engine.query(metric, ou(code), period).value


@pytest.fixture
def campaigns(personas: dict[str, Any]) -> None:
    """2022/23 (deadline March 2023): Kent submitted. 2023/24 (March 2024): Kent, Essex and
    Cleveland submitted; Surrey taking part but still in draft."""
    unit = personas["national"]
    submitted_campaign(unit, {"kent": {}}, name="Benchmarking 2022/23", deadline=date(2023, 3, 31))
    submitted_campaign(unit, {"kent": {}, "essex": {}, "cleveland": {}})
    open_campaign(unit, ("surrey",), name="Surrey 2023/24", deadline=date(2024, 3, 15))


def test_the_source_is_registered_and_covers_every_force():
    assert sources.source_for(FORCES_ASSESSED) is sources.source_for(STANDARDS)
    assert sources.source_for(STANDARDS) is BENCHMARKING_SOURCE
    assert len(sources.coverage(FORCES_ASSESSED)) == 43


@pytest.mark.parametrize(
    ("code", "period", "forces"),
    [
        ("national", "FY2023-24", 3),  # Surrey's draft is no assessment yet
        ("national", "FY2022-23", 1),
        ("national", "2024-03", 3),
        ("national", "2024-02", 0),  # counted in the month of the deadline
        ("eastern", "FY2023-24", 2),  # Kent and Essex
        ("kent", "FY2023-24", 1),
        ("surrey", "FY2023-24", 0),
    ],
)
def test_forces_benchmarked_in_the_year_of_the_campaigns_deadline(campaigns, code, period, forces):
    assert value(FORCES_ASSESSED, code, period) == forces


def test_the_standards_are_the_latest_campaigns_framework_for_the_nation(campaigns):
    standards = framework().standards.count()
    assert value(STANDARDS, "national", "FY2023-24") == standards
    assert value(STANDARDS, "national", "2024-06") == standards  # until the next campaign
    assert value(STANDARDS, "national", "FY2021-22") == 0  # before any deadline
    assert value(STANDARDS, "eastern", "FY2023-24") == 0
    assert value(STANDARDS, "kent", "FY2023-24") == 0


def test_a_year_compares_with_the_one_before_and_is_complete(campaigns):
    result = engine.query(FORCES_ASSESSED, ou("national"), "FY2023-24", compare="previous-year")
    assert (result.value, result.previous_value) == (3, 1)
    assert result.coverage.complete


def test_a_force_reads_its_own_figure_and_not_another_forces(campaigns, personas):
    kent = Client(**bearer(personas["kent"]))
    ask = {"metric": FORCES_ASSESSED, "period": "FY2023-24"}
    own = kent.get("/api/v1/values", {**ask, "orgunit": "kent"})
    assert own.status_code == 200 and own.json()["value"] == 1
    assert kent.get("/api/v1/values", {**ask, "orgunit": "essex"}).status_code == 403
