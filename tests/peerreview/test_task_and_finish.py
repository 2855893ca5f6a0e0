"""Slice 2: task-and-finish groups, recommendation progress, verified closure, overdue."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from msoic.audit.models import AuditEvent
from msoic.orgunits.models import OrgUnit
from msoic.peerreview import actions
from msoic.peerreview.models import Recommendation, RecStatus, TaskGroup
from tests.peerreview.conftest import make_review

pytestmark = pytest.mark.django_db
DAY = date(2024, 3, 1)


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def kent_rec(personas: dict[str, Any]) -> Recommendation:
    review = make_review("kent", personas["national"])
    rec = review.recommendations.first()
    assert rec is not None
    return rec


def progress(rec: Recommendation, user: Any, status: str, **extra: Any) -> Any:
    return actions.do_update_recommendation(rec, actor=user, status=status, on=DAY, **extra)


def test_force_sets_up_its_task_and_finish_group(
    personas: dict[str, Any], kent_rec: Recommendation
) -> None:
    c = client_for(personas["kent"])
    response = c.post(
        f"/peer-reviews/{kent_rec.review_id}/group/",
        {"chair": "ACC Example", "members": "DI One\n\nDS Two\n"},
    )
    assert response.status_code == 302
    group = TaskGroup.objects.get(force__code="kent")
    assert group.chair == "ACC Example" and group.member_list() == ["DI One", "DS Two"]
    assert "ACC Example" in c.get(f"/peer-reviews/{kent_rec.review_id}/").content.decode()
    assert AuditEvent.objects.filter(detail__step="peerreview.set_task_group").exists()


def test_a_group_needs_a_chair(personas: dict[str, Any], kent_rec: Recommendation) -> None:
    with pytest.raises(ValidationError):
        actions.do_set_task_group(
            OrgUnit.objects.get(code="kent"), actor=personas["kent"], chair=" ", members=""
        )


@pytest.mark.parametrize("persona", ["essex", "eastern", "partner"])
def test_others_cannot_set_a_forces_group(
    personas: dict[str, Any], kent_rec: Recommendation, persona: str
) -> None:
    with pytest.raises(PermissionDenied):
        actions.do_set_task_group(
            OrgUnit.objects.get(code="kent"), actor=personas[persona], chair="X", members=""
        )


def test_force_plans_and_moves_its_recommendation_to_implemented(
    personas: dict[str, Any], kent_rec: Recommendation
) -> None:
    c = client_for(personas["kent"])
    url = f"/peer-reviews/recommendations/{kent_rec.pk}"
    c.post(f"{url}/plan/", {"owner": "DCI Owner", "due_date": "2024-09-30"})
    c.post(f"{url}/progress/", {"status": "in_progress", "on": "2024-02-01", "note": "Started"})
    c.post(
        f"{url}/progress/",
        {"status": "implemented", "on": "2024-03-01", "evidence": "Policy v2 signed off"},
    )
    kent_rec.refresh_from_db()
    assert kent_rec.owner == "DCI Owner" and kent_rec.due_date == date(2024, 9, 30)
    assert kent_rec.status == RecStatus.IMPLEMENTED
    updates = list(kent_rec.updates.values_list("on", "status_from", "status_to", "evidence"))
    assert updates == [
        (date(2024, 2, 1), "open", "in_progress", ""),
        (date(2024, 3, 1), "in_progress", "implemented", "Policy v2 signed off"),
    ]
    assert AuditEvent.objects.filter(detail__step="peerreview.update_recommendation").count() == 2
    assert AuditEvent.objects.filter(detail__step="peerreview.plan_recommendation").count() == 1
    page = c.get(f"{url}/").content.decode()
    assert "Policy v2 signed off" in page and "DCI Owner" in page


def test_implemented_needs_evidence(personas: dict[str, Any], kent_rec: Recommendation) -> None:
    with pytest.raises(ValidationError):
        progress(kent_rec, personas["kent"], RecStatus.IMPLEMENTED)


def test_force_cannot_close_its_own_recommendation(
    personas: dict[str, Any], kent_rec: Recommendation
) -> None:
    progress(kent_rec, personas["kent"], RecStatus.IMPLEMENTED, evidence="done")
    with pytest.raises(PermissionDenied):
        progress(kent_rec, personas["kent"], RecStatus.CLOSED, evidence="done")
    response = client_for(personas["kent"]).post(
        f"/peer-reviews/recommendations/{kent_rec.pk}/progress/",
        {"status": "closed", "on": "2024-03-02", "evidence": "done"},
    )
    assert response.status_code == 403
    kent_rec.refresh_from_db()
    assert kent_rec.status == RecStatus.IMPLEMENTED


@pytest.mark.parametrize("current", [RecStatus.OPEN, RecStatus.IN_PROGRESS])
def test_unit_cannot_close_without_verification_of_an_implemented_item(
    personas: dict[str, Any], kent_rec: Recommendation, current: str
) -> None:
    if current == RecStatus.IN_PROGRESS:
        progress(kent_rec, personas["kent"], RecStatus.IN_PROGRESS)
    response = client_for(personas["national"]).post(
        f"/peer-reviews/recommendations/{kent_rec.pk}/progress/",
        {"status": "closed", "on": "2024-03-02", "evidence": "looked"},
        follow=True,
    )
    assert "closed only after the force reports it implemented" in response.content.decode()
    kent_rec.refresh_from_db()
    assert kent_rec.status == current


def test_unit_verifies_and_closes_an_implemented_recommendation(
    personas: dict[str, Any], kent_rec: Recommendation
) -> None:
    progress(kent_rec, personas["kent"], RecStatus.IMPLEMENTED, evidence="Policy v2")
    unit = personas["national"]
    response = client_for(unit).post(
        f"/peer-reviews/recommendations/{kent_rec.pk}/progress/",
        {"status": "closed", "on": "2024-03-10", "note": "Dip-sampled 10 cases"},
    )
    assert response.status_code == 302
    kent_rec.refresh_from_db()
    assert kent_rec.status == RecStatus.CLOSED
    assert (kent_rec.verified_by, kent_rec.verified_on) == (unit, date(2024, 3, 10))
    verified = AuditEvent.objects.get(detail__step="peerreview.verify_recommendation")
    assert (verified.action, verified.orgunit_code, verified.actor) == ("approve", "kent", unit)
    # a verified recommendation no longer moves, whoever asks
    for user in (personas["kent"], unit):
        with pytest.raises(ValidationError):
            progress(kent_rec, user, RecStatus.IN_PROGRESS)


def test_not_accepted_needs_a_reason_and_is_the_units_call(
    personas: dict[str, Any], kent_rec: Recommendation
) -> None:
    with pytest.raises(PermissionDenied):
        progress(kent_rec, personas["kent"], RecStatus.NOT_ACCEPTED, reason="Too costly")
    with pytest.raises(ValidationError):
        progress(kent_rec, personas["national"], RecStatus.NOT_ACCEPTED)
    progress(kent_rec, personas["national"], RecStatus.NOT_ACCEPTED, reason="Superseded by NPCC")
    kent_rec.refresh_from_db()
    assert kent_rec.status == RecStatus.NOT_ACCEPTED and kent_rec.reason == "Superseded by NPCC"
    with pytest.raises(ValidationError):
        progress(kent_rec, personas["kent"], RecStatus.IN_PROGRESS)


@pytest.mark.parametrize("persona", ["essex", "cleveland", "partner", "admin"])
def test_other_forces_cannot_touch_kents_recommendations(
    personas: dict[str, Any], kent_rec: Recommendation, persona: str
) -> None:
    c = client_for(personas[persona])
    url = f"/peer-reviews/recommendations/{kent_rec.pk}"
    assert c.get(f"{url}/").status_code == 404
    assert (
        c.post(f"{url}/progress/", {"status": "in_progress", "on": "2024-03-01"}).status_code == 404
    )
    with pytest.raises(PermissionDenied):
        progress(kent_rec, personas[persona], RecStatus.IN_PROGRESS)


def test_coordinator_reads_but_does_not_update(
    personas: dict[str, Any], kent_rec: Recommendation
) -> None:
    c = client_for(personas["eastern"])
    assert c.get(f"/peer-reviews/recommendations/{kent_rec.pk}/").status_code == 200
    assert (
        c.post(
            f"/peer-reviews/recommendations/{kent_rec.pk}/progress/",
            {"status": "in_progress", "on": "2024-03-01"},
        ).status_code
        == 403
    )


def test_no_progress_on_a_draft_report(personas: dict[str, Any]) -> None:
    review = make_review("kent", personas["national"], publish=False)
    rec = review.recommendations.first()
    assert rec is not None
    with pytest.raises(PermissionDenied):
        progress(rec, personas["national"], RecStatus.IN_PROGRESS)


@pytest.mark.parametrize(
    ("due", "status", "overdue"),
    [
        (None, RecStatus.OPEN, False),
        (date(2024, 2, 29), RecStatus.OPEN, True),
        (date(2024, 2, 29), RecStatus.IN_PROGRESS, True),
        (date(2024, 3, 1), RecStatus.OPEN, False),  # due today is not yet overdue
        (date(2024, 2, 29), RecStatus.IMPLEMENTED, False),  # the force has delivered
        (date(2024, 2, 29), RecStatus.CLOSED, False),
        (date(2024, 2, 29), RecStatus.NOT_ACCEPTED, False),
    ],
)
def test_is_overdue(due: date | None, status: str, overdue: bool) -> None:
    assert Recommendation(due_date=due, status=status).is_overdue(DAY) is overdue


def test_overdue_items_are_flagged_on_the_review(
    personas: dict[str, Any], kent_rec: Recommendation
) -> None:
    actions.do_plan_recommendation(
        kent_rec, actor=personas["kent"], owner="DI Late", due_date=date(2020, 1, 1)
    )
    other = kent_rec.review.recommendations.exclude(pk=kent_rec.pk).get()
    actions.do_plan_recommendation(
        other, actor=personas["kent"], owner="DI Early", due_date=date(2099, 1, 1)
    )
    page = client_for(personas["kent"]).get(f"/peer-reviews/{kent_rec.review_id}/")
    assert page.content.decode().count(">Overdue<") == 1


def test_plan_of_a_closed_recommendation_is_refused(
    personas: dict[str, Any], kent_rec: Recommendation
) -> None:
    progress(kent_rec, personas["national"], RecStatus.NOT_ACCEPTED, reason="n/a")
    with pytest.raises(ValidationError):
        actions.do_plan_recommendation(kent_rec, actor=personas["kent"], owner="x", due_date=None)


def test_a_progress_form_without_a_date_says_which_field(
    personas: dict[str, Any], kent_rec: Recommendation
) -> None:
    response = client_for(personas["kent"]).post(
        f"/peer-reviews/recommendations/{kent_rec.pk}/progress/",
        {"status": "in_progress"},
        follow=True,
    )
    assert "Date: This field is required." in response.content.decode()
    assert not kent_rec.updates.exists()


def test_the_progress_form_offers_today_as_an_iso_date(
    personas: dict[str, Any], kent_rec: Recommendation
) -> None:
    from django.utils import timezone

    page = client_for(personas["kent"]).get(f"/peer-reviews/recommendations/{kent_rec.pk}/")
    assert f'value="{timezone.localdate().isoformat()}"' in page.content.decode()
