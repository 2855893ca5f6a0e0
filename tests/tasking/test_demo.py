"""The demo reproduces the annual report's CCA tasking figures from its records."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from msoic.tasking.demo import build_tasking_demo, load_plan
from msoic.tasking.models import ProgressUpdate, ThresholdRevision

pytestmark = pytest.mark.django_db


def test_seven_discharged_two_areas_of_focus_one_revised_threshold(
    personas: dict[str, Any],
) -> None:
    targets = load_plan()["targets"]
    assert targets == {
        "measures": 9,
        "discharged": 7,
        "areas_of_focus": 2,
        "threshold_revisions": 1,
    }
    report = build_tasking_demo(personas["national"])
    assert report.figures() == targets
    # the annual report's two areas of focus: intelligence collection and OIC disruptions
    # (the ROCUs' disruption measure, whose threshold was revised, is not discharged)
    focus = {m.measure.code: m.measure.title for m in report.tracker.areas_of_focus}
    assert focus == {"M2": "OIC intelligence collection", "M4": "ROCU OIC disruptions"}
    # every discharged measure has every org unit met; no measure has more discharged than met
    for line in report.tracker.measures:
        assert line.met >= line.discharged
        if line.is_discharged:
            assert line.met == line.discharged == line.applies
    # at the year end, the org units that have not met an area of focus are off track
    reasons = {m.code for o in report.tracker.off_track for m, _ in o.reasons}
    assert reasons == {"M2", "M4"} and len(report.tracker.off_track) > 10

    revision = ThresholdRevision.objects.get()
    assert revision.measure.metric == "oic_disruptions"
    assert (revision.old_value, revision.new_value) == (60, 25)
    assert "unachievable" in revision.reason and revision.version.number == 2

    client = Client()
    client.force_login(personas["national"])
    page = client.get(f"/cca-tasking/{report.tasking.pk}/?as_of=2023-03-31").content.decode()
    assert 'data-figure="measures">9<' in page
    assert 'data-figure="discharged">7<' in page
    assert 'data-figure="areas-of-focus">2<' in page
    assert 'data-figure="threshold-revisions">1<' in page
    # a year earlier nothing had been discharged
    before = client.get(f"/cca-tasking/{report.tasking.pk}/?as_of=2022-06-30").content.decode()
    assert 'data-figure="discharged">0<' in before

    updates = ProgressUpdate.objects.count()
    again = build_tasking_demo(personas["national"])
    assert again.figures() == targets
    assert again.updated == 0 and ProgressUpdate.objects.count() == updates
