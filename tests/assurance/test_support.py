"""Support packages: proposed from a force's Red and Amber standards, edited and agreed by
its coordinator, delivery tracked; the force reads its own."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from msoic.assurance.actions import (
    AssessmentError,
    do_add_support_offer,
    do_agree_support_package,
    do_challenge_grade,
    do_propose_support_package,
    do_record_support_delivery,
)
from msoic.assurance.loader import FrameworkError
from msoic.assurance.models import Assessment, Campaign, SupportOffer, SupportPackage
from msoic.assurance.support import OFFERS_FILE, load_offers, parse_offers
from tests.assurance.conftest import submitted_campaign

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def campaign(national_analyst: Any) -> Campaign:
    return submitted_campaign(
        national_analyst,
        {"kent": {"INT5": "red", "LG9": "amber"}, "essex": {}, "cleveland": {"TR4": "red"}},
    )


def kent(campaign: Campaign) -> Assessment:
    return campaign.assessments.get(orgunit__code="kent")


def test_shipped_offers_are_loaded_and_map_only_known_standards() -> None:
    from msoic.assurance.models import FrameworkVersion

    refs = set(
        FrameworkVersion.objects.get(version="2023-24").standards.values_list(
            "reference", flat=True
        )
    )
    offers = parse_offers(OFFERS_FILE.name, OFFERS_FILE.read_text())
    assert SupportOffer.objects.filter(active=True).count() == len(offers)
    assert {k for o in offers for k in o["standards"]} <= refs
    assert {o["kind"] for o in offers} == {"training", "guidance", "workshop"}


def test_bad_offers_file_names_the_line(tmp_path: Path) -> None:
    text = (
        "offers:\n  - {code: a, kind: training, title: A}\n  - {code: b, kind: lecture, title: B}\n"
    )
    with pytest.raises(FrameworkError, match="offers.yaml line 3: unknown kind 'lecture'"):
        parse_offers("offers.yaml", text)
    dup = "offers:\n  - {code: a, kind: training, title: A}\n  - {code: a, kind: training, title: B}\n"
    with pytest.raises(FrameworkError, match="line 3: duplicate offer code"):
        parse_offers("offers.yaml", dup)


def test_offers_dropped_from_the_file_are_retired(tmp_path: Path) -> None:
    path = tmp_path / "offers.yaml"
    path.write_text("offers:\n  - {code: osint-course, kind: training, title: OSINT}\n")
    load_offers(path)
    assert list(SupportOffer.objects.filter(active=True).values_list("code", flat=True)) == [
        "osint-course"
    ]


def test_package_is_proposed_from_red_and_amber_standards(
    campaign: Campaign, eastern_coordinator: Any, national_analyst: Any
) -> None:
    a = kent(campaign)
    g = a.grades.select_related("standard").get(standard__reference="TR4")
    do_challenge_grade(g, "amber", "Call audit shows gaps", actor=national_analyst)
    package = do_propose_support_package(a, actor=eastern_coordinator)
    got = {i.offer.code: i.standards for i in package.items.select_related("offer")}
    assert got == {"osint-course": ["INT5"], "supply-chain": ["LG9"], "contact-centre": ["TR4"]}
    with pytest.raises(AssessmentError, match="already has"):
        do_propose_support_package(a, actor=eastern_coordinator)


def test_draft_assessment_gets_no_package(national_analyst: Any) -> None:
    from tests.assurance.conftest import open_campaign

    draft = open_campaign(national_analyst, ("kent",)).assessments.get()
    with pytest.raises(AssessmentError, match="submitted"):
        do_propose_support_package(draft, actor=national_analyst)


def test_coordinator_edits_and_agrees_then_delivery_is_tracked_on_the_web(
    campaign: Campaign, eastern_coordinator: Any, kent_user: Any
) -> None:
    a = kent(campaign)
    coord = client_for(eastern_coordinator)
    url = f"/assurance/assessments/{a.pk}/support/"
    assert coord.post(url, {"op": "propose"}).status_code == 302
    package = SupportPackage.objects.get(assessment=a)
    assert coord.post(url, {"op": "add", "offer": "senior-leaders"}).status_code == 302
    supply = package.items.get(offer__code="supply-chain")
    assert coord.post(url, {"op": "remove", "item": supply.pk}).status_code == 302
    assert set(package.items.values_list("offer__code", flat=True)) == {
        "osint-course",
        "senior-leaders",
    }
    # the force reads its package but cannot change it
    force = client_for(kent_user)
    page = force.get(url)
    assert page.status_code == 200 and b"Open-source research" in page.content
    assert force.post(url, {"op": "agree"}).status_code == 403
    assert coord.post(url, {"op": "agree"}).status_code == 302
    package.refresh_from_db()
    assert package.status == "agreed"
    r = coord.post(url, {"op": "add", "offer": "tna-toolkit"})
    assert r.status_code == 400 and b"agreed" in r.content
    item = package.items.get(offer__code="osint-course")
    delivery = f"/assurance/assessments/{a.pk}/support/items/{item.pk}/"
    assert force.post(delivery, {"delivery": "delivered"}).status_code == 403
    coord.post(delivery, {"delivery": "delivered", "delivered_on": ""})
    item.refresh_from_db()
    assert item.delivery == "planned"  # a delivery needs its date
    coord.post(delivery, {"delivery": "delivered", "delivered_on": "2024-06-12"})
    item.refresh_from_db()
    assert (item.delivery, item.delivered_on) == ("delivered", date(2024, 6, 12))


def test_delivery_only_once_agreed_and_agree_needs_an_offer(
    campaign: Campaign, national_analyst: Any
) -> None:
    a = campaign.assessments.get(orgunit__code="essex")  # all Green: nothing proposed
    package = do_propose_support_package(a, actor=national_analyst)
    assert not package.items.exists()
    with pytest.raises(AssessmentError, match="at least one"):
        do_agree_support_package(package, actor=national_analyst)
    item = do_add_support_offer(
        package, SupportOffer.objects.get(code="tna-toolkit"), actor=national_analyst
    )
    with pytest.raises(AssessmentError, match="once the package is agreed"):
        do_record_support_delivery(item, "delivered", date(2024, 1, 1), actor=national_analyst)


def test_other_forces_package_is_404(campaign: Campaign, essex_user: Any) -> None:
    a = kent(campaign)
    assert client_for(essex_user).get(f"/assurance/assessments/{a.pk}/support/").status_code == 404
