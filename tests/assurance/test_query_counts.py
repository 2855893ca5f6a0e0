"""Benchmarking's lists and dashboards make the same number of queries for two forces as
for ten, and for one campaign as for three: an N+1 (a query per campaign, per assessment or
per standard) fails here. The pins are exact, so a new query is a decision, not an accident."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from msoic.assurance.actions import do_attach_evidence
from msoic.assurance.models import Campaign
from tests.assurance.conftest import grade_all, submitted_campaign
from tests.assurance.test_attachments import PDF
from tests.query_counts import pinned_get

pytestmark = pytest.mark.django_db

SMALL = ("kent", "essex")
LARGE = ("kent", "essex", "cleveland", "cumbria", "durham", "dorset", "gwent", "suffolk")


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def campaigns(unit: Any) -> tuple[Campaign, Campaign]:
    small = submitted_campaign(unit, {f: {} for f in SMALL}, name="Small")
    large = submitted_campaign(
        unit, {f: {"LG1": "red", "TR1": "amber"} for f in LARGE}, name="Large"
    )
    return small, large


@pytest.mark.parametrize(("persona", "queries"), [("national", 9), ("eastern", 8), ("kent", 9)])
def test_hub_queries_do_not_grow_with_campaigns(
    personas: dict[str, Any], persona: str, queries: int
) -> None:
    unit = personas["national"]
    c = client_for(personas[persona])
    submitted_campaign(unit, {f: {} for f in SMALL}, name="Small")
    pinned_get(c, "/assurance/", queries)
    submitted_campaign(unit, {f: {"LG1": "red"} for f in LARGE}, name="Large")
    submitted_campaign(unit, {f: {} for f in LARGE[2:]}, name="Other forces")
    html = pinned_get(c, "/assurance/", queries).content.decode()
    assert all(name in html for name in ("Small", "Large", "Other forces"))


@pytest.mark.parametrize(
    ("persona", "page", "queries"),
    [
        ("national", "", 9),
        ("eastern", "", 8),
        ("kent", "", 9),
        ("national", "results/", 13),
        ("eastern", "results/", 11),
        ("national", "summary/", 11),
    ],
)
def test_campaign_pages_queries_do_not_grow_with_forces(
    personas: dict[str, Any], persona: str, page: str, queries: int
) -> None:
    small, large = campaigns(personas["national"])
    c = client_for(personas[persona])
    for campaign in (small, large):
        pinned_get(c, f"/assurance/campaigns/{campaign.pk}/{page}", queries)


@pytest.mark.parametrize(("persona", "queries"), [("national", 11), ("kent", 11)])
def test_assessment_page_queries_do_not_grow_with_evidence_files(
    personas: dict[str, Any], campaign: Campaign, persona: str, queries: int
) -> None:
    kent = campaign.assessments.get(orgunit__code="kent")
    grade_all(kent, personas["kent"])
    c = client_for(personas[persona])
    pinned_get(c, f"/assurance/assessments/{kent.pk}/", queries)
    for n, grade in enumerate(kent.grades.all()[:6]):
        do_attach_evidence(kent, grade.standard_id, f"minutes-{n}.pdf", PDF, actor=personas["kent"])
    html = pinned_get(c, f"/assurance/assessments/{kent.pk}/", queries).content.decode()
    assert "minutes-5.pdf" in html
