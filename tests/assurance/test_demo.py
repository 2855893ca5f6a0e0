"""The benchmarking demo: the report's figures (38 forces, 47 standards in 2023/24) come
from the records, with weak standards, challenges, interventions and support packages."""

from __future__ import annotations

from typing import Any

import pytest

from msoic.assurance.collation import collate, previous_campaign, year_on_year
from msoic.assurance.demo import CURRENT, build_benchmarking_demo, summary
from msoic.assurance.models import Assessment, Campaign, Grade
from tests.conftest import _make, module_data

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Any:
    """Built once for the module (it takes a while on PostgreSQL), rolled back after it."""
    with module_data(django_db_blocker):
        national = _make("national.analyst", "national", None)
        _make("eastern.coordinator", "regional", "eastern")
        yield build_benchmarking_demo(national)


def test_figures_are_counted_from_the_records(demo: Any) -> None:
    campaign = Campaign.objects.get(name=CURRENT[0])
    assert Assessment.objects.filter(campaign=campaign).count() == 38
    assert campaign.framework_version.standards.count() == 47
    assert (demo.forces_2023_24, demo.standards_2023_24) == (38, 47)
    assert "38 forces took part, 47 standards" in demo.lines()[1]


def test_some_standards_are_weak_in_many_forces_and_some_grades_challenged(demo: Any) -> None:
    campaign = Campaign.objects.get(name=CURRENT[0])
    c = collate(campaign)
    vc2 = campaign.framework_version.standards.get(reference="VC2")
    assert c.counts(vc2.pk)["red"] >= 8
    assert demo.interventions == len(c.over_threshold()) >= 3
    assert Grade.objects.filter(assessment__campaign=campaign).exclude(agreed_grade="").exists()
    assert demo.packages >= 30


def test_two_years_with_year_on_year_change(demo: Any) -> None:
    current = Campaign.objects.get(name=CURRENT[0])
    before = previous_campaign(current)
    assert before is not None and before.framework_version.version == "2022-23"
    assert before.framework_version.standards.count() == 45
    yoy = year_on_year(collate(current), collate(before))
    new = [r["standard"].reference for r in yoy["standards"] if not r["before_refs"]]
    assert new == ["INV10", "INV11"]
    assert all(a["change"] is not None for a in yoy["areas"])


def test_demo_users_forces_are_at_review_stages(demo: Any) -> None:
    current = Campaign.objects.get(name=CURRENT[0])
    status = dict(current.assessments.values_list("orgunit__code", "status"))
    assert (status["kent"], status["essex"]) == ("submitted", "reviewed")


def test_running_again_changes_nothing(demo: Any, national_analyst: Any) -> None:
    grades = Grade.objects.count()
    again = build_benchmarking_demo(national_analyst)
    assert again.created == [] and Grade.objects.count() == grades
    assert summary([]).forces_2023_24 == 38


def test_demo_pages_render_for_each_role(
    demo: Any, national_analyst: Any, eastern_coordinator: Any, kent_user: Any
) -> None:
    from django.test import Client

    current = Campaign.objects.get(name=CURRENT[0])
    kent = current.assessments.get(orgunit__code="kent")
    essex = current.assessments.get(orgunit__code="essex")
    for user, urls in (
        (national_analyst, ["results/", "summary/"]),
        (eastern_coordinator, ["results/"]),
        (kent_user, ["results/"]),
    ):
        c = Client()
        c.force_login(user)
        for tail in urls:
            assert c.get(f"/assurance/campaigns/{current.pk}/{tail}").status_code == 200
        for a in (kent, essex):
            expect = 404 if user == kent_user and a == essex else 200
            assert c.get(f"/assurance/assessments/{a.pk}/").status_code == expect
            assert c.get(f"/assurance/assessments/{a.pk}/support/").status_code == expect
            assert c.get(f"/assurance/assessments/{a.pk}/report/").status_code == expect
    c = Client()
    c.force_login(eastern_coordinator)
    page = c.get(f"/assurance/assessments/{kent.pk}/").content.decode()
    assert "Mark as reviewed" in page and "Challenge LG1" in page
