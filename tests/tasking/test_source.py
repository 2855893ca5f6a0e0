"""The CCA tasking's measures discharged and open through the metric engine (the derived
source: the nation's own figures as at a month's end), as the tracker counts them."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from msoic.metrics import engine, sources
from msoic.orgunits.models import OrgUnit
from msoic.tasking.actions import do_update_measure_progress
from msoic.tasking.models import MeasureProgress, Status
from msoic.tasking.source import DISCHARGED, OPEN, TASKING_SOURCE
from msoic.tasking.tracker import build_tracker
from tests.api.conftest import bearer
from tests.tasking.conftest import load_tasking

pytestmark = pytest.mark.django_db


def ou(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


def figures(code: str, period: str) -> tuple[int | None, int | None]:
    return (
        engine.query(DISCHARGED, ou(code), period).value,
        engine.query(OPEN, ou(code), period).value,
    )


def discharge(actor: Any, measure: str, on: date, *, all_but: str | None = None) -> None:
    rows = MeasureProgress.objects.filter(measure__code=measure).select_related("orgunit")
    for row in rows:
        if row.orgunit.code != all_but:
            do_update_measure_progress(
                row, actor=actor, status=Status.DISCHARGED, on=on, evidence="NCA letter"
            )


@pytest.fixture
def tasking(national_analyst: Any) -> Any:
    """The shipped tasking (nine measures, issued October 2021): M1 discharged for every ROCU
    in November 2022, M3 in February 2023, M5 everywhere but Kent in March 2023."""
    loaded = load_tasking()
    discharge(national_analyst, "M1", date(2022, 11, 15))
    discharge(national_analyst, "M3", date(2023, 2, 28))
    discharge(national_analyst, "M5", date(2023, 3, 10), all_but="kent")
    return loaded


def test_the_source_is_registered_and_covers_every_force():
    assert sources.source_for(DISCHARGED) is sources.source_for(OPEN) is TASKING_SOURCE
    assert len(sources.coverage(OPEN)) == 43


@pytest.mark.parametrize(
    ("code", "period", "expected"),
    [
        ("national", "FY2022-23", (2, 7)),  # as at 31 March 2023: M5 waits for Kent
        ("national", "2022-11", (1, 8)),
        ("national", "2022-10", (0, 9)),
        ("national", "FY2021-22", (0, 9)),  # issued in October 2021, nothing discharged
        ("national", "2021-09", (0, 0)),  # before the tasking was issued
        ("eastern", "FY2022-23", (0, 0)),  # the tasking's figures are the nation's
        ("kent", "FY2022-23", (0, 0)),
    ],
)
def test_measures_discharged_and_open_as_at_the_periods_end(tasking, code, period, expected):
    assert figures(code, period) == expected


def test_the_engine_agrees_with_the_tracker(tasking):
    as_of = date(2023, 3, 31)
    tracker = build_tracker(tasking, as_of)
    assert figures("national", "FY2022-23") == (
        len(tracker.discharged),
        len(tracker.areas_of_focus),
    )
    result = engine.query(DISCHARGED, ou("national"), "FY2022-23")
    assert result.coverage.complete


def test_a_force_reads_its_own_zero_and_not_another_forces(tasking, personas):
    kent = Client(**bearer(personas["kent"]))
    ask = {"metric": DISCHARGED, "period": "FY2022-23"}
    own = kent.get("/api/v1/values", {**ask, "orgunit": "kent"})
    assert own.status_code == 200 and own.json()["value"] == 0
    assert kent.get("/api/v1/values", {**ask, "orgunit": "essex"}).status_code == 403
