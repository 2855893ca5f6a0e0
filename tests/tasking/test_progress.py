"""Thresholds (revised only with a reason, by the unit) and progress per org unit (a force its
own; another force's evidence is 404; only the unit records a discharge)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from msoic.audit.models import AuditEvent
from msoic.tasking.actions import do_revise_threshold, do_update_measure_progress
from msoic.tasking.models import Status, ThresholdRevision
from tests.tasking.conftest import load_tasking, progress_of

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_threshold_change_without_a_reason_is_refused(
    national_analyst: Any, reason: str | None
) -> None:
    m4 = load_tasking().measures.get(code="M4")
    with pytest.raises(ValidationError, match="without a reason is refused"):
        do_revise_threshold(
            m4,
            actor=national_analyst,
            new_value=20,
            reason=reason,
            effective_from=date(2023, 1, 1),  # type: ignore[arg-type]
        )
    m4.refresh_from_db()
    assert m4.threshold == 25 and ThresholdRevision.objects.count() == 1


def test_the_web_refuses_a_threshold_change_without_a_reason(national_analyst: Any) -> None:
    m4 = load_tasking().measures.get(code="M4")
    client = _client(national_analyst)
    url = f"/cca-tasking/measures/{m4.pk}/threshold/"
    response = client.post(url, {"new_value": "20", "effective_from": "2023-01-01", "reason": ""})
    assert response.status_code == 200
    assert "Say why the threshold changes" in response.content.decode()
    m4.refresh_from_db()
    assert m4.threshold == 25


def test_the_unit_revises_a_threshold_and_the_history_says_who_when_why(
    national_analyst: Any,
) -> None:
    m4 = load_tasking().measures.get(code="M4")
    client = _client(national_analyst)
    response = client.post(
        f"/cca-tasking/measures/{m4.pk}/threshold/",
        {"new_value": "20", "effective_from": "2023-02-06", "reason": "Two ROCUs merged teams"},
    )
    assert response.status_code == 302
    revision = ThresholdRevision.objects.latest("pk")
    assert (revision.old_value, revision.new_value) == (25, 20)
    assert revision.changed_by == national_analyst and revision.reason == "Two ROCUs merged teams"
    event = AuditEvent.objects.filter(detail__step="tasking.revise_threshold").latest("seq")
    assert event.actor == national_analyst and event.detail["reason"] == "Two ROCUs merged teams"
    page = client.get(f"/cca-tasking/measures/{m4.pk}/?as_of=2023-03-31").content.decode()
    assert "Two ROCUs merged teams" in page and "unachievable" in page
    m4.refresh_from_db()
    # the threshold in force depends on the date
    assert [
        m4.threshold_as_at(d) for d in (date(2022, 5, 1), date(2023, 1, 20), date(2023, 2, 10))
    ] == [60, 25, 20]


def test_only_the_unit_revises_thresholds(eastern_coordinator: Any, kent_user: Any) -> None:
    m4 = load_tasking().measures.get(code="M4")
    for user in (eastern_coordinator, kent_user):
        with pytest.raises(PermissionDenied):
            do_revise_threshold(
                m4, actor=user, new_value=5, reason="lower", effective_from=date(2023, 1, 1)
            )


def test_a_force_records_its_own_progress_but_not_a_discharge(kent_user: Any) -> None:
    tasking = load_tasking()
    row = progress_of(tasking, "M2", "kent")
    do_update_measure_progress(
        row, actor=kent_user, status=Status.IN_PROGRESS, on=date(2022, 9, 1), commentary="Started"
    )
    with pytest.raises(ValidationError, match="Give the evidence"):
        do_update_measure_progress(row, actor=kent_user, status=Status.MET, on=date(2022, 10, 1))
    do_update_measure_progress(
        row, actor=kent_user, status=Status.MET, on=date(2022, 10, 1), evidence="Dip sample"
    )
    with pytest.raises(ValidationError, match="Only the unit records"):
        do_update_measure_progress(
            row, actor=kent_user, status=Status.DISCHARGED, on=date(2022, 11, 1)
        )
    row.refresh_from_db()
    assert (row.status, row.evidence, row.updates.count()) == (Status.MET, "Dip sample", 2)


def test_the_unit_records_a_discharge_and_the_force_cannot_undo_it(
    kent_user: Any, national_analyst: Any
) -> None:
    row = progress_of(load_tasking(), "M2", "kent")
    do_update_measure_progress(
        row,
        actor=national_analyst,
        status=Status.DISCHARGED,
        on=date(2023, 1, 31),
        evidence="NCA letter",
    )
    row.refresh_from_db()
    assert row.discharged_on == date(2023, 1, 31) and row.is_discharged_by(date(2023, 3, 31))
    assert not row.is_discharged_by(date(2023, 1, 30))
    with pytest.raises(ValidationError, match="only the unit can change it"):
        do_update_measure_progress(
            row, actor=kent_user, status=Status.IN_PROGRESS, on=date(2023, 2, 1), commentary="x"
        )


def test_another_forces_evidence_is_not_found(kent_user: Any, essex_user: Any) -> None:
    tasking = load_tasking()
    essex = progress_of(tasking, "M2", "essex")
    do_update_measure_progress(
        essex,
        actor=essex_user,
        status=Status.IN_PROGRESS,
        on=date(2022, 9, 1),
        evidence="Essex secret evidence",
    )
    kent = _client(kent_user)
    assert kent.get(f"/cca-tasking/progress/{essex.pk}/").status_code == 404
    post = {"status": "met", "on": "2022-10-01", "evidence": "forged"}
    assert kent.post(f"/cca-tasking/progress/{essex.pk}/", post).status_code == 404
    m2 = tasking.measures.get(code="M2")
    page = kent.get(f"/cca-tasking/measures/{m2.pk}/").content.decode()
    assert "Kent Police" in page and "Essex Police" not in page
    tracker = kent.get(f"/cca-tasking/{tasking.pk}/tracker.csv?as_of=2023-03-31").content.decode()
    assert "Essex" not in tracker and "Kent Police" in tracker
    essex.refresh_from_db()
    assert essex.status == Status.IN_PROGRESS


def test_a_coordinator_reads_their_forces_but_records_only_for_their_rocu(
    eastern_coordinator: Any,
) -> None:
    tasking = load_tasking()
    kent = progress_of(tasking, "M2", "kent")
    rocu = progress_of(tasking, "M1", "eastern")
    client = _client(eastern_coordinator)
    assert client.get(f"/cca-tasking/progress/{kent.pk}/").status_code == 200
    post = {"status": "in_progress", "on": "2022-09-01", "commentary": "Lead named"}
    assert client.post(f"/cca-tasking/progress/{kent.pk}/", post).status_code == 403
    assert client.post(f"/cca-tasking/progress/{rocu.pk}/", post).status_code == 302
    rocu.refresh_from_db()
    assert rocu.status == Status.IN_PROGRESS and rocu.commentary == "Lead named"


def test_the_force_form_offers_no_discharge(kent_user: Any) -> None:
    row = progress_of(load_tasking(), "M2", "kent")
    page = _client(kent_user).get(f"/cca-tasking/progress/{row.pk}/").content.decode()
    assert 'value="met"' in page and 'value="discharged"' not in page
