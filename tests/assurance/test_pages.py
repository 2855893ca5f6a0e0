"""Benchmarking on the web: a force fills in and submits, the coordinator challenges and
reviews, the unit finalises; each page shows only what the user may see."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from msoic.assurance.models import Assessment, AssessmentStatus, Campaign
from tests.assurance.conftest import grade_all

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def form_data(a: Assessment, grade: str, evidence: str = "Minutes") -> dict[str, str]:
    data = {}
    for s in a.campaign.framework_version.standards.all():
        data[f"grade-{s.pk}"] = grade
        data[f"evidence-{s.pk}"] = evidence
        data[f"actions-{s.pk}"] = ""
    return data


def test_national_analyst_opens_a_campaign_on_the_web(
    national_analyst: Any, kent_user: Any
) -> None:
    c = client_for(national_analyst)
    page = c.get("/assurance/campaigns/new/")
    assert b"Forces taking part" in page.content
    from msoic.assurance.models import FrameworkVersion
    from msoic.orgunits.models import OrgUnit

    version = FrameworkVersion.objects.get(version="2023-24")
    forces = list(OrgUnit.objects.filter(code__in=["kent", "essex"]).values_list("pk", flat=True))
    bad = c.post("/assurance/campaigns/new/", {"name": "x", "framework_version": version.pk})
    assert bad.status_code == 200 and b"There is a problem" in bad.content
    r = c.post(
        "/assurance/campaigns/new/",
        {
            "name": "Benchmarking 2023/24",
            "framework_version": version.pk,
            "deadline": "2024-03-31",
            "forces": forces,
            "start_from_previous": "on",
        },
    )
    assert r.status_code == 302
    campaign = Campaign.objects.get(name="Benchmarking 2023/24")
    assert campaign.assessments.count() == 2
    hub = client_for(kent_user).get("/assurance/")
    assert b"Benchmarking 2023/24" in hub.content and b"Kent" in hub.content
    assert b"Essex" not in hub.content


def test_force_fills_in_and_submits_acknowledging_green_without_evidence(
    assessments: dict[str, Assessment], kent_user: Any
) -> None:
    kent = assessments["kent"]
    c = client_for(kent_user)
    url = f"/assurance/assessments/{kent.pk}/"
    assert b"Good evidence:" in c.get(url).content
    data = form_data(kent, "green", evidence="")
    data[next(k for k in data if k.startswith("grade-"))] = ""
    r = c.post(url, {**data, "action": "submit"})
    assert r.status_code == 400 and b"1 standard(s) not graded" in r.content
    data = form_data(kent, "green", evidence="")
    r = c.post(url, {**data, "action": "submit"})
    assert r.status_code == 200 and b"Green without evidence" in r.content
    kent.refresh_from_db()
    assert kent.status == AssessmentStatus.DRAFT
    r = c.post(url, {**data, "action": "submit", "acknowledge": "yes"})
    assert r.status_code == 302
    kent.refresh_from_db()
    assert kent.status == AssessmentStatus.SUBMITTED


def test_grade_outside_the_scale_on_the_web_is_refused(
    assessments: dict[str, Assessment], kent_user: Any
) -> None:
    kent = assessments["kent"]
    r = client_for(kent_user).post(
        f"/assurance/assessments/{kent.pk}/", {**form_data(kent, "purple"), "action": "save"}
    )
    assert r.status_code == 400 and b"not a grade on the scale" in r.content
    assert not kent.grades.exclude(grade="").exists()


def test_coordinator_challenges_reviews_and_unit_finalises_then_edits_are_refused(
    assessments: dict[str, Assessment],
    kent_user: Any,
    eastern_coordinator: Any,
    national_analyst: Any,
) -> None:
    kent = assessments["kent"]
    grade_all(kent, kent_user, grade="green")
    from msoic.assurance.actions import do_submit_assessment

    do_submit_assessment(kent, actor=kent_user)
    coord = client_for(eastern_coordinator)
    lg1 = kent.grades.get(standard__reference="LG1")
    r = coord.post(
        f"/assurance/assessments/{kent.pk}/challenge/",
        {"standard": lg1.standard_id, "agreed_grade": "amber", "reason": "No board since May"},
    )
    assert r.status_code == 302
    page = coord.get(f"/assurance/assessments/{kent.pk}/")
    assert b"Reason: No board since May" in page.content
    assert coord.post(f"/assurance/assessments/{kent.pk}/review/").status_code == 302
    assert coord.post(f"/assurance/assessments/{kent.pk}/finalise/").status_code == 403
    unit = client_for(national_analyst)
    assert unit.post(f"/assurance/assessments/{kent.pk}/finalise/").status_code == 302
    kent.refresh_from_db()
    assert kent.status == AssessmentStatus.FINALISED
    r = client_for(kent_user).post(
        f"/assurance/assessments/{kent.pk}/", {**form_data(kent, "red"), "action": "save"}
    )
    assert r.status_code == 400 and b"finalised and locked" in r.content
    assert not kent.grades.filter(grade="red").exists()
    assert unit.post(f"/assurance/assessments/{kent.pk}/finalise/").status_code == 400


def test_force_user_gets_404_for_another_forces_assessment(
    assessments: dict[str, Assessment], kent_user: Any, eastern_coordinator: Any
) -> None:
    c = client_for(kent_user)
    assert c.get(f"/assurance/assessments/{assessments['essex'].pk}/").status_code == 404
    coord = client_for(eastern_coordinator)
    assert coord.get(f"/assurance/assessments/{assessments['essex'].pk}/").status_code == 200
    assert coord.get(f"/assurance/assessments/{assessments['cleveland'].pk}/").status_code == 404


def test_nav_shows_benchmarking_to_forces_not_partners(
    kent_user: Any, partner_user: Any, admin_user: Any
) -> None:
    assert b'href="/assurance/"' in client_for(kent_user).get("/assurance/").content
    for user in (partner_user, admin_user):
        assert client_for(user).get("/assurance/").status_code == 403
