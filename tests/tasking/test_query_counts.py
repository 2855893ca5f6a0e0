"""The CCA tasking pages make the same number of queries before and after the year's work is
recorded (progress, evidence and discharges for most org units, thresholds revised) and for
one tasking as for two: an N+1 (a query per measure, org unit, revision or tasking) fails
here. The pins are exact, so a new query is a decision, not an accident."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from msoic.tasking.actions import do_revise_threshold, do_update_measure_progress
from msoic.tasking.loader import load_tasking_text
from msoic.tasking.models import MeasureProgress, Status, Tasking
from tests.query_counts import pinned_get
from tests.tasking.conftest import TASKING_FILE, load_tasking

pytestmark = pytest.mark.django_db

AS_OF = {"as_of": "2023-03-31"}


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def the_years_work(tasking: Tasking, unit: Any) -> None:
    """Most org units' progress recorded, a third met and a third discharged, with evidence;
    two thresholds revised."""
    rows = MeasureProgress.objects.filter(measure__tasking=tasking).order_by("pk")
    for n, row in enumerate(rows):
        status = (Status.IN_PROGRESS, Status.MET, Status.DISCHARGED)[n % 3]
        do_update_measure_progress(
            row, actor=unit, status=status, on=date(2023, 3, 1), evidence=f"Evidence {n}"
        )
    for measure in tasking.measures.exclude(threshold=None)[:2]:
        do_revise_threshold(
            measure,
            actor=unit,
            new_value=(measure.threshold or 0) + 5,
            reason="Raised at the year-end review",
            effective_from=date(2023, 1, 1),
        )


def next_years_tasking() -> Tasking:
    text = TASKING_FILE.read_text(encoding="utf-8")
    text = text.replace("tasking: cca-oic-2022-23", "tasking: cca-oic-2023-24")
    text = text.replace("period: FY2022-23", "period: FY2023-24").replace("2022/23", "2023/24")
    tasking, _ = load_tasking_text("cca-oic-2023-24.yaml", text, actor="tests")
    return tasking  # type: ignore[no-any-return]


@pytest.mark.parametrize(("persona", "queries"), [("national", 9), ("eastern", 8), ("kent", 9)])
def test_list_queries_do_not_grow_with_taskings(
    personas: dict[str, Any], persona: str, queries: int
) -> None:
    load_tasking()
    c = client_for(personas[persona])
    pinned_get(c, "/cca-tasking/", queries)
    next_years_tasking()
    html = pinned_get(c, "/cca-tasking/", queries).content.decode()
    assert "2022/23" in html and "2023/24" in html


@pytest.mark.parametrize(("persona", "queries"), [("national", 18), ("eastern", 17), ("kent", 18)])
def test_tracker_queries_do_not_grow_with_the_years_work(
    personas: dict[str, Any], persona: str, queries: int
) -> None:
    tasking = load_tasking()
    c = client_for(personas[persona])
    pinned_get(c, f"/cca-tasking/{tasking.pk}/", queries, **AS_OF)
    the_years_work(tasking, personas["national"])
    pinned_get(c, f"/cca-tasking/{tasking.pk}/", queries, **AS_OF)


@pytest.mark.parametrize(("persona", "queries"), [("national", 17), ("kent", 17)])
def test_measure_page_queries_do_not_grow_with_the_years_work(
    personas: dict[str, Any], persona: str, queries: int
) -> None:
    tasking = load_tasking()
    c = client_for(personas[persona])
    for measure in tasking.measures.order_by("position")[:3]:
        pinned_get(c, f"/cca-tasking/measures/{measure.pk}/", queries, **AS_OF)
    the_years_work(tasking, personas["national"])
    for measure in tasking.measures.order_by("position")[:3]:
        pinned_get(c, f"/cca-tasking/measures/{measure.pk}/", queries, **AS_OF)
