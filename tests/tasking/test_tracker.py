"""The national tracker: discharged measures, areas of focus and org units off track, with a
quantitative measure's actual value read from the metric engine."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from msoic.collection.actions import do_submit_return
from msoic.metrics import engine
from msoic.metrics.periods import Period
from msoic.orgunits.models import OrgUnit
from msoic.tasking.actions import do_update_measure_progress
from msoic.tasking.models import MeasureProgress, Status
from msoic.tasking.tracker import build_tracker
from tests.conftest import csv_bytes
from tests.tasking.conftest import load_tasking, progress_of

pytestmark = pytest.mark.django_db


def _disruptions(actor: Any, values: dict[str, int], months: list[str]) -> None:
    rows = [[f, m, "oic_disruptions", "", v, ""] for f, v in values.items() for m in months]
    outcome = do_submit_return("disruptions.csv", csv_bytes(rows), actor=actor)
    assert outcome.status == "accepted", outcome


def test_actual_values_come_from_the_metric_engine(national_analyst: Any) -> None:
    tasking = load_tasking()
    months = [f"2022-{m:02d}" for m in range(4, 11)]
    _disruptions(national_analyst, {"kent": 2, "essex": 1, "cleveland": 1}, months)
    as_of = date(2023, 1, 31)
    tracker = build_tracker(tasking, as_of)
    m4 = next(line for line in tracker.measures if line.measure.code == "M4")
    cells = {c.orgunit.code: c for c in m4.cells}
    window = Period(date(2022, 4, 1), date(2023, 1, 1), "range")
    eastern = OrgUnit.objects.get(code="eastern")
    assert cells["eastern"].actual == engine.query("oic_disruptions", eastern, window).value == 21
    assert cells["north-east"].actual == 7
    assert cells["london"].actual is None  # no returns
    # 25 a year (revised from 60 on 16 January 2023), ten months gone: 21 expected by now
    assert m4.threshold == 25 and cells["eastern"].expected == 21
    assert cells["eastern"].off_track == ""
    assert cells["north-east"].off_track == "7 against 21 expected by now"
    assert cells["london"].off_track == "0 against 21 expected by now"
    # before the revision the first threshold applied
    assert (
        next(
            line
            for line in build_tracker(tasking, date(2023, 1, 15)).measures
            if line.measure.code == "M4"
        ).threshold
        == 60
    )


def test_discharged_measures_and_areas_of_focus_are_counted_as_at_a_date(
    national_analyst: Any,
) -> None:
    tasking = load_tasking()
    for row in MeasureProgress.objects.filter(measure__tasking=tasking, measure__code="M1"):
        do_update_measure_progress(
            row,
            actor=national_analyst,
            status=Status.DISCHARGED,
            on=date(2022, 10, 28),
            evidence="NCA",
        )
    last = progress_of(tasking, "M3", "kent")
    for row in MeasureProgress.objects.filter(measure__tasking=tasking, measure__code="M3").exclude(
        pk=last.pk
    ):
        do_update_measure_progress(
            row,
            actor=national_analyst,
            status=Status.DISCHARGED,
            on=date(2022, 7, 29),
            evidence="NCA",
        )
    tracker = build_tracker(tasking, date(2023, 3, 31))
    assert [m.measure.code for m in tracker.discharged] == ["M1"]
    assert len(tracker.areas_of_focus) == 8
    m3 = next(m for m in tracker.measures if m.measure.code == "M3")
    assert (m3.discharged, m3.applies, m3.is_discharged) == (52, 53, False)
    assert build_tracker(tasking, date(2022, 10, 27)).discharged == []


def test_met_counts_discharged_org_units_so_the_counts_agree(national_analyst: Any) -> None:
    """A discharged org unit has met the measure: "met" is never below "discharged", and a
    discharge dated after the tracker's date does not count yet (as met or discharged)."""
    tasking = load_tasking()
    m1_rows = list(MeasureProgress.objects.filter(measure__tasking=tasking, measure__code="M1"))
    for row in m1_rows:
        do_update_measure_progress(
            row,
            actor=national_analyst,
            status=Status.DISCHARGED,
            on=date(2022, 10, 28),
            evidence="NCA",
        )
    kent = progress_of(tasking, "M2", "kent")
    do_update_measure_progress(
        kent, actor=national_analyst, status=Status.MET, on=date(2022, 9, 1), evidence="Plan"
    )
    essex = progress_of(tasking, "M2", "essex")
    do_update_measure_progress(
        essex,
        actor=national_analyst,
        status=Status.DISCHARGED,
        on=date(2022, 11, 30),
        evidence="NCA",
    )

    tracker = build_tracker(tasking, date(2022, 12, 31))
    lines = {m.measure.code: m for m in tracker.measures}
    assert (lines["M1"].met, lines["M1"].discharged, lines["M1"].applies) == (
        len(m1_rows),
        len(m1_rows),
        len(m1_rows),
    )
    assert (lines["M2"].met, lines["M2"].discharged) == (2, 1)
    assert all(m.met >= m.discharged for m in tracker.measures)
    earlier = {m.measure.code: m for m in build_tracker(tasking, date(2022, 10, 1)).measures}
    assert (earlier["M1"].met, earlier["M1"].discharged) == (0, 0)
    assert (earlier["M2"].met, earlier["M2"].discharged) == (1, 0)

    client = Client()
    client.force_login(national_analyst)
    page = client.get(f"/cca-tasking/{tasking.pk}/?as_of=2022-12-31").content.decode()
    applies = len(m1_rows)
    assert f'data-figure="measure-met">{applies} of {applies}<' in page
    assert f'data-figure="measure-discharged">{applies}<' in page
    assert "2 of 43 org units met, 1 of them discharged" in page  # M2, an area of focus


def test_org_units_past_a_due_date_are_off_track(national_analyst: Any) -> None:
    tasking = load_tasking()
    row = progress_of(tasking, "M1", "eastern")
    do_update_measure_progress(
        row, actor=national_analyst, status=Status.MET, on=date(2022, 9, 1), evidence="Plan agreed"
    )
    tracker = build_tracker(tasking, date(2022, 10, 31))
    off = {o.orgunit.code: [m.code for m, _ in o.reasons] for o in tracker.off_track}
    assert "M1" not in off.get("eastern", [])
    assert "M1" in off["london"] and "M3" in off["kent"]
    assert "M2" not in off["kent"]  # due 31 December 2022
    on_the_day = build_tracker(tasking, date(2022, 12, 31)).off_track
    assert any(m.code == "M2" for o in on_the_day if o.orgunit.code == "kent" for m, _ in o.reasons)


def test_tracker_pages_show_the_figures_and_keep_their_query_count(
    national_analyst: Any, kent_user: Any
) -> None:
    tasking = load_tasking()
    client = Client()
    client.force_login(national_analyst)
    url = f"/cca-tasking/{tasking.pk}/?as_of=2023-03-31"
    with CaptureQueriesContext(connection) as before:
        page = client.get(url).content.decode()
    assert 'data-figure="measures">9<' in page and 'data-figure="areas-of-focus">9<' in page
    for row in MeasureProgress.objects.filter(measure__tasking=tasking)[:40]:
        do_update_measure_progress(
            row,
            actor=national_analyst,
            status=Status.IN_PROGRESS,
            on=date(2022, 9, 1),
            commentary="Going",
        )
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after.captured_queries) == len(before.captured_queries)
    mine = Client()
    mine.force_login(kent_user)
    text = mine.get(url).content.decode()
    assert "Kent Police" in text and "Essex Police" not in text
