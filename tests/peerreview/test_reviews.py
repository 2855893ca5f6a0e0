"""Slice 1: the schedule, findings by theme, publishing locks the report, who sees what."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from msoic.audit.models import AuditEvent
from msoic.orgunits.models import OrgUnit
from msoic.peerreview import access as review_access
from msoic.peerreview import actions
from msoic.peerreview.models import PeerReview, Recommendation, Stage
from tests.peerreview.conftest import make_review

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_unit_schedules_a_review_on_the_web_with_its_team(personas: dict[str, Any]) -> None:
    unit = personas["national"]
    response = client_for(unit).post(
        "/peer-reviews/new/",
        {
            "force": "kent",
            "stage": "planned",
            "fieldwork_start": "2024-05-06",
            "fieldwork_end": "2024-05-10",
            "report_due": "2024-06-28",
            "team": [unit.pk],
            "team_names": "DS Example",
        },
    )
    review = PeerReview.objects.get(force__code="kent")
    assert response.status_code == 302
    assert review.stage == Stage.PLANNED
    assert review.fieldwork_start == date(2024, 5, 6)
    assert list(review.team.all()) == [unit]
    assert AuditEvent.objects.filter(
        detail__step="peerreview.schedule", orgunit_code="kent"
    ).exists()


def test_schedule_refuses_fieldwork_ending_before_it_starts(personas: dict[str, Any]) -> None:
    response = client_for(personas["national"]).post(
        "/peer-reviews/new/",
        {
            "force": "kent",
            "stage": "planned",
            "fieldwork_start": "2024-05-10",
            "fieldwork_end": "2024-05-06",
        },
    )
    assert response.status_code == 200
    assert "Fieldwork cannot end before it starts" in response.content.decode()
    assert not PeerReview.objects.exists()


@pytest.mark.parametrize("persona", ["kent", "essex", "cleveland", "eastern", "partner", "admin"])
def test_only_the_unit_schedules_reviews(personas: dict[str, Any], persona: str) -> None:
    response = client_for(personas[persona]).post(
        "/peer-reviews/new/", {"force": "kent", "stage": "planned"}
    )
    assert response.status_code == 403
    assert not PeerReview.objects.exists()
    with pytest.raises(PermissionDenied):
        actions.do_schedule_peer_review(OrgUnit.objects.get(code="kent"), actor=personas[persona])


def test_a_review_is_of_a_force(personas: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        actions.do_schedule_peer_review(
            OrgUnit.objects.get(code="eastern"), actor=personas["national"]
        )


def test_unit_records_findings_under_the_five_themes(personas: dict[str, Any]) -> None:
    unit = personas["national"]
    review = make_review("kent", unit, publish=False, recs=0, good=0)
    c = client_for(unit)
    c.post(
        f"/peer-reviews/{review.pk}/recommendations/",
        {"theme": "investigations", "priority": "high", "text": "Appoint a lead"},
    )
    c.post(
        f"/peer-reviews/{review.pk}/good-practice/",
        {"theme": "training", "title": "Induction", "text": "All new staff trained"},
    )
    rec = review.recommendations.get()
    assert (rec.number, rec.theme_id, rec.priority, rec.text) == (
        1,
        "investigations",
        "high",
        "Appoint a lead",
    )
    assert review.good_practice.get().title == "Induction"
    page = c.get(f"/peer-reviews/{review.pk}/").content.decode()
    for theme in (
        "Leadership and governance",
        "Intelligence collection and development",
        "Operational response",
        "Investigations",
        "Training and awareness",
    ):
        assert theme in page
    assert AuditEvent.objects.filter(detail__step="peerreview.add_recommendation").count() == 1
    assert AuditEvent.objects.filter(detail__step="peerreview.add_good_practice").count() == 1


@pytest.mark.parametrize(
    ("field", "value"), [("theme", "victims"), ("priority", "urgent"), ("text", "  ")]
)
def test_a_recommendation_with_bad_input_is_refused(
    personas: dict[str, Any], field: str, value: str
) -> None:
    review = make_review("kent", personas["national"], publish=False, recs=0, good=0)
    data = {"theme": "investigations", "priority": "high", "text": "Do it"} | {field: value}
    with pytest.raises(ValidationError):
        actions.do_add_recommendation(review, actor=personas["national"], **data)
    response = client_for(personas["national"]).post(
        f"/peer-reviews/{review.pk}/recommendations/", data, follow=True
    )
    assert response.status_code == 200
    assert not Recommendation.objects.exists()


def test_publishing_needs_a_recommendation(personas: dict[str, Any]) -> None:
    review = make_review("kent", personas["national"], publish=False, recs=0, good=0)
    with pytest.raises(ValidationError):
        actions.do_publish_peer_review(review, actor=personas["national"], on=date(2024, 1, 1))


def test_publishing_locks_the_report(personas: dict[str, Any]) -> None:
    unit = personas["national"]
    review = make_review("kent", unit, publish=False)
    c = client_for(unit)
    assert c.post(f"/peer-reviews/{review.pk}/publish/").status_code == 302
    review.refresh_from_db()
    assert review.stage == Stage.PUBLISHED and review.published_on is not None
    assert AuditEvent.objects.filter(
        detail__step="peerreview.publish", orgunit_code="kent"
    ).exists()
    rec = review.recommendations.first()
    assert rec is not None

    # every edit of a published report is refused, on the web and in the actions
    response = c.post(
        f"/peer-reviews/{review.pk}/recommendations/",
        {"theme": "training", "priority": "low", "text": "Late addition"},
        follow=True,
    )
    assert "published and can no longer be edited" in response.content.decode()
    assert review.recommendations.count() == 2
    c.post(
        f"/peer-reviews/recommendations/{rec.pk}/edit/",
        {"theme": "training", "priority": "low", "text": "Rewritten"},
    )
    rec.refresh_from_db()
    assert rec.text == "kent recommendation 1"
    c.post(f"/peer-reviews/{review.pk}/edit/", {"stage": "planned", "summary": "changed"})
    review.refresh_from_db()
    assert review.stage == Stage.PUBLISHED and review.summary == ""
    c.post(
        f"/peer-reviews/{review.pk}/good-practice/",
        {"theme": "training", "title": "t", "text": "x"},
    )
    assert review.good_practice.count() == 1
    for change in (
        lambda: actions.do_update_peer_review(review, actor=unit, summary="x"),
        lambda: actions.do_add_recommendation(review, actor=unit, theme="training", text="x"),
        lambda: actions.do_edit_recommendation(
            rec, actor=unit, theme="training", text="x", priority="low"
        ),
        lambda: actions.do_add_good_practice(
            review, actor=unit, theme="training", title="t", text="x"
        ),
        lambda: actions.do_publish_peer_review(review, actor=unit, on=date(2024, 2, 1)),
    ):
        with pytest.raises(ValidationError):
            change()


def test_every_step_is_in_the_audit_chain_under_its_s62_kind(
    personas: dict[str, Any], reviews: dict[str, PeerReview]
) -> None:
    from msoic.audit.log import verify_chain

    kinds = dict(
        AuditEvent.objects.filter(object_type__startswith="peerreview.").values_list(
            "detail__step", "action"
        )
    )
    assert kinds == {
        "peerreview.schedule": "alteration",
        "peerreview.add_recommendation": "alteration",
        "peerreview.add_good_practice": "alteration",
        "peerreview.publish": "lock",
    }
    assert verify_chain().ok


def test_unit_edits_a_draft_review(personas: dict[str, Any]) -> None:
    review = make_review("kent", personas["national"], publish=False)
    response = client_for(personas["national"]).post(
        f"/peer-reviews/{review.pk}/edit/",
        {"stage": "drafted", "report_due": "2024-03-01", "summary": "Strong leadership"},
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.stage == Stage.DRAFTED and review.summary == "Strong leadership"
    assert AuditEvent.objects.filter(detail__step="peerreview.update").exists()


def test_the_edit_form_cannot_publish(personas: dict[str, Any]) -> None:
    review = make_review("kent", personas["national"], publish=False)
    client_for(personas["national"]).post(
        f"/peer-reviews/{review.pk}/edit/", {"stage": "published"}
    )
    review.refresh_from_db()
    assert review.stage == Stage.FIELDWORK


# Which persona sees which review (Kent, Essex, Cleveland published; Surrey a draft).
VISIBLE = {
    "kent": {"kent"},
    "essex": {"essex"},
    "cleveland": {"cleveland"},
    "eastern": {"kent", "essex"},
    "national": {"kent", "essex", "cleveland", "surrey"},
    "partner": set(),
    "admin": set(),
}


@pytest.mark.parametrize("persona", sorted(VISIBLE))
def test_each_role_sees_only_its_reviews(
    personas: dict[str, Any], reviews: dict[str, PeerReview], persona: str
) -> None:
    user = personas[persona]
    seen = {
        r.force.code for r in review_access.peer_reviews_visible_to(user).select_related("force")
    }
    assert seen == VISIBLE[persona]
    c = client_for(user)
    for force, review in reviews.items():
        status = c.get(f"/peer-reviews/{review.pk}/").status_code
        assert status == (200 if force in VISIBLE[persona] else 404), (persona, force)
        rec = review.recommendations.first()
        assert rec is not None
        status = c.get(f"/peer-reviews/recommendations/{rec.pk}/").status_code
        assert status == (200 if force in VISIBLE[persona] else 404), (persona, force)


def test_force_user_cannot_see_its_own_review_before_publication(
    personas: dict[str, Any], reviews: dict[str, PeerReview]
) -> None:
    surrey = make_review("surrey", personas["national"], publish=False)
    from msoic.accounts.actions import do_create_user

    user, _ = do_create_user(
        "surrey.user",
        role="force",
        orgunit_code="surrey",
        password="x",
        actor="tests",
        check_password=False,
    )
    assert client_for(user).get(f"/peer-reviews/{surrey.pk}/").status_code == 404


@pytest.mark.parametrize("persona", ["partner", "admin"])
def test_partners_and_admins_have_no_peer_review_pages(
    personas: dict[str, Any], reviews: dict[str, PeerReview], persona: str
) -> None:
    c = client_for(personas[persona])
    for url in ("/peer-reviews/", "/peer-reviews/tracker/", "/peer-reviews/good-practice/"):
        assert c.get(url).status_code == 403, url
    assert "Peer reviews" not in c.get("/").content.decode()


def test_schedule_lists_every_force_for_the_unit(
    personas: dict[str, Any], reviews: dict[str, PeerReview]
) -> None:
    page = client_for(personas["national"]).get("/peer-reviews/").content.decode()
    assert "Surrey" in page and "Forces not yet scheduled (39)" in page
    kent_page = client_for(personas["kent"]).get("/peer-reviews/").content.decode()
    assert "Kent" in kent_page and "Essex" not in kent_page and "not yet scheduled" not in kent_page
