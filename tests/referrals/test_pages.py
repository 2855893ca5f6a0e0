"""Referral and SPOC pages: the Human Tissue Authority's user on every URL (the shared URL
cases try the other personas), the proforma on the web with its bad inputs, what the HTA
sees of the force's work (status and outcome, no internals), consultation rows, the SPOC
coverage table, the home page's counts, and query counts that do not grow with rows."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from msoic.audit.models import AuditEvent
from msoic.referrals.actions import (
    do_acknowledge_referral,
    do_escalate_overdue_referrals,
)
from msoic.referrals.models import Referral, Spoc, Theme
from tests.query_counts import pinned_get
from tests.referrals.conftest import SENT, add_spoc, submit

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "clinician": "Dr B. Referrer",
        "hospital": "Colchester General Hospital",
        "concern_on": "2024-05-01",
        "indicators": ["payment", "donor_vulnerable"],
        "narrative": "Donor said they were promised money and their debts cleared.",
        "donor_ref": "D-77",
        "recipient_ref": "",
        "local_authority": "E07000071",
        "force": "",
    }
    data.update(changes)
    return data


# --- the HTA user on every URL --------------------------------------------------------------------


def test_hta_user_on_every_referral_and_spoc_url(hta_user, kent_user):
    referral = submit(hta_user)
    spoc = add_spoc(kent_user, "kent")
    hta = client_for(hta_user)
    expected = [
        ("get", "/referrals/", 200),
        ("get", "/referrals/?show=closed", 200),
        ("get", "/referrals/new/", 200),
        ("get", f"/referrals/{referral.pk}/", 200),
        ("post", f"/referrals/{referral.pk}/acknowledge/", 403),
        ("post", f"/referrals/{referral.pk}/assign/", 403),
        ("get", f"/referrals/{referral.pk}/outcome/", 403),
        ("post", f"/referrals/{referral.pk}/outcome/", 403),
        ("post", f"/referrals/{referral.pk}/reroute/", 403),
        ("get", "/spocs/", 403),
        ("get", "/spocs/coverage/", 403),
        ("get", "/spocs/new/", 403),
        ("get", f"/spocs/{spoc.pk}/edit/", 404),
    ]
    got = [(m, url, getattr(hta, m)(url).status_code) for m, url, _ in expected]
    assert got == expected
    referral.refresh_from_db()
    assert referral.status == "submitted"


def test_the_nca_partner_is_not_a_referrer(partner_user):
    nca = client_for(partner_user)
    assert nca.get("/referrals/").status_code == 403
    assert nca.get("/referrals/new/").status_code == 403
    assert nca.post("/referrals/new/", form_data()).status_code == 403
    assert not Referral.objects.exists()


# --- the proforma on the web ----------------------------------------------------------------------


def test_hta_submits_on_the_web_and_the_referral_goes_to_the_districts_force(hta_user, essex_user):
    add_spoc(essex_user, "essex", name="DI Essex Organ")
    response = client_for(hta_user).post("/referrals/new/", form_data(), follow=True)
    referral = Referral.objects.get()
    assert response.redirect_chain[-1][0] == f"/referrals/{referral.pk}/"
    assert referral.force.code == "essex" and referral.spoc.name == "DI Essex Organ"
    assert f"Referral {referral.reference} sent to Essex Police" in response.content.decode()


@pytest.mark.parametrize(
    ("changes", "shown"),
    [
        ({"local_authority": "E07000999"}, "Unknown local authority &#x27;E07000999&#x27;"),
        ({"concern_on": "2099-01-01"}, "is in the future"),
        ({"indicators": []}, "Tick at least one indicator observed"),
        ({"donor_ref": "Maria Lopez"}, "must be a reference, not a name"),
        ({"local_authority": "", "force": ""}, "or choose the force when it is not known"),
        ({"concern_on": "yesterday"}, "Enter a valid date"),
    ],
)
def test_bad_proforma_on_the_web_shows_the_problem_and_stores_nothing(hta_user, changes, shown):
    response = client_for(hta_user).post("/referrals/new/", form_data(**changes))
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and shown in page
    assert not Referral.objects.exists()


def test_place_not_known_the_referrer_chooses_the_force_on_the_web(hta_user):
    client_for(hta_user).post("/referrals/new/", form_data(local_authority="", force="cleveland"))
    referral = Referral.objects.get()
    assert (referral.force.code, referral.routing) == ("cleveland", "manual")


# --- the force's work, and what the HTA sees of it -------------------------------------------------


def test_force_works_the_referral_and_hta_sees_the_status_only(hta_user, kent_user):
    add_spoc(kent_user, "kent", name="DI Kent Organ")
    referral = submit(hta_user, at=timezone.now() - timedelta(hours=1))
    kent, hta = client_for(kent_user), client_for(hta_user)
    page = kent.get(f"/referrals/{referral.pk}/").content.decode()
    assert "Guidance for investigators" in page and "Acknowledge within 48 hours" in page
    assert "DI Kent Organ" in page
    assert kent.post(f"/referrals/{referral.pk}/acknowledge/").status_code == 302
    kent.post(f"/referrals/{referral.pk}/assign/", {"assignee": kent_user.username})
    response = kent.post(
        f"/referrals/{referral.pk}/outcome/",
        {"outcome": "crime_recorded", "reference": "46/9999/24", "note": "Suspect identified"},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert (referral.status, referral.assigned_to, referral.outcome) == (
        "closed",
        kent_user,
        "crime_recorded",
    )
    seen = hta.get(f"/referrals/{referral.pk}/").content.decode()
    assert "Crime recorded" in seen and "Kent Police" in seen
    for internal in (
        "46/9999/24",
        "Suspect identified",
        kent_user.username,
        "DI Kent Organ",
        "Guidance for investigators",
    ):
        assert internal not in seen, internal
    listing = hta.get("/referrals/?show=closed").content.decode()
    assert referral.reference in listing and "Crime recorded" in listing
    assert "?show=escalated" not in listing  # the force's timeliness is not the HTA's to see


def test_outcome_form_refuses_a_crime_without_its_reference(hta_user, kent_user):
    referral = do_acknowledge_referral(submit(hta_user), actor=kent_user, at=SENT)
    response = client_for(kent_user).post(
        f"/referrals/{referral.pk}/outcome/", {"outcome": "crime_recorded", "reference": ""}
    )
    assert "Give the crime reference" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == "acknowledged"


def test_escalated_referral_shows_for_the_unit(hta_user, national_analyst):
    referral = submit(hta_user)
    do_escalate_overdue_referrals(now=SENT + timedelta(hours=48))
    unit = client_for(national_analyst)
    listing = unit.get("/referrals/?show=escalated").content.decode()
    assert referral.reference in listing and "Escalated" in listing
    page = unit.get(f"/referrals/{referral.pk}/").content.decode()
    assert "Escalated to the national unit" in page
    # the unit reads; the force acknowledges
    assert f"/referrals/{referral.pk}/acknowledge/" not in page


# --- audit: consultation rows where a person's details appear -----------------------------------


def test_opening_a_referral_writes_a_consultation_row_naming_its_people(
    hta_user, eastern_coordinator
):
    referral = submit(hta_user)
    client_for(eastern_coordinator).get(f"/referrals/{referral.pk}/")
    row = AuditEvent.objects.filter(action="consultation").get()
    assert row.actor == eastern_coordinator
    assert row.object_id == str(referral.pk) and row.orgunit_code == "kent"
    assert row.detail["people"] == [
        f"{referral.reference}:D-2024-0001",
        f"{referral.reference}:R-2024-0001",
    ]
    assert row.justification


def test_spoc_list_writes_a_consultation_row_naming_the_spocs_shown(
    kent_user, essex_user, eastern_coordinator
):
    kent = add_spoc(kent_user, "kent")
    essex = add_spoc(essex_user, "essex")
    client_for(kent_user).get("/spocs/")
    row = AuditEvent.objects.filter(action="consultation").get()
    assert row.detail["people"] == [f"spoc:{kent.pk}"] and row.detail["owners"] == ["kent"]
    client_for(eastern_coordinator).get("/spocs/")
    latest = AuditEvent.objects.filter(action="consultation").order_by("-seq").first()
    # In key order (numbers, not text: spoc:9 before spoc:10, as keys fall under xdist).
    assert latest.detail["people"] == [f"spoc:{pk}" for pk in sorted([kent.pk, essex.pk])]


# --- SPOCs --------------------------------------------------------------------------------------


def test_force_adds_and_ends_its_spoc_and_the_coverage_shows_the_gap(kent_user, national_analyst):
    kent = client_for(kent_user)
    response = kent.post(
        "/spocs/new/",
        {"force": "kent", "theme": "pnc_marker", "name": "PS Marker", "starts_on": "2024-01-01"},
    )
    assert response.status_code == 302
    spoc = Spoc.objects.get()
    coverage = client_for(national_analyst).get("/spocs/coverage/").content.decode()
    assert 'data-gap="kent:pnc_marker"' not in coverage
    assert 'data-gap="kent:innerste"' in coverage
    yesterday = timezone.localdate() - timedelta(days=1)
    kent.post(
        f"/spocs/{spoc.pk}/edit/",
        {"name": "PS Marker", "starts_on": "2024-01-01", "ends_on": yesterday.isoformat()},
    )
    coverage = client_for(national_analyst).get("/spocs/coverage/").content.decode()
    assert 'data-gap="kent:pnc_marker"' in coverage
    # 43 forces x 6 themes, none in post
    assert f"{43 * len(Theme.values)} gaps" in coverage


def test_unit_reads_spocs_but_does_not_keep_them(national_analyst, kent_user):
    spoc = add_spoc(kent_user, "kent")
    unit = client_for(national_analyst)
    assert unit.get("/spocs/").status_code == 200
    assert unit.get("/spocs/new/").status_code == 403
    assert unit.get(f"/spocs/{spoc.pk}/edit/").status_code == 403


def test_spoc_end_before_start_is_refused(kent_user):
    response = client_for(kent_user).post(
        "/spocs/new/",
        {
            "force": "kent",
            "theme": "ms_lead",
            "name": "DI Lead",
            "starts_on": "2024-05-01",
            "ends_on": "2024-04-01",
        },
    )
    assert "The end date is before the start date" in response.content.decode()
    assert not Spoc.objects.exists()


# --- the home page ---------------------------------------------------------------------------------


def _home_line(page: str, label: str) -> str:
    start = page.index(label)
    return page[start : start + 400]


def test_home_pages_count_referrals_and_spoc_gaps(hta_user, kent_user, national_analyst):
    for theme in Theme.values:
        add_spoc(kent_user, "kent", theme=theme)
    submit(hta_user)
    do_escalate_overdue_referrals(now=SENT + timedelta(hours=48))
    unit = client_for(national_analyst).get("/").content.decode()
    assert "Organ-harvesting referrals and SPOCs" in unit
    assert "1 referral" in _home_line(unit, "Referrals escalated")
    gaps = 42 * len(Theme.values)  # every force but Kent lacks every SPOC
    assert f"{gaps:,} gaps" in _home_line(unit, "SPOC gaps")
    kent = client_for(kent_user).get("/").content.decode()
    assert "1 referral" in _home_line(kent, "Referrals awaiting your acknowledgement")
    assert "0 gaps" in _home_line(kent, "SPOC gaps")
    hta = client_for(hta_user).get("/").content.decode()
    assert "1 referral" in _home_line(hta, "Your referrals with the police")


def test_navigation_offers_referrals_and_spocs_to_whom_it_may(hta_user, kent_user, partner_user):
    def nav(user: Any) -> str:
        page = client_for(user).get("/").content.decode()
        return page[page.index('aria-label="Main"') : page.index("</nav>")]

    assert "Referrals" in nav(hta_user) and "SPOCs" not in nav(hta_user)
    assert "Referrals" in nav(kent_user) and "SPOCs" in nav(kent_user)
    assert "Referrals" not in nav(partner_user)


# --- query counts -----------------------------------------------------------------------------------


def _queries(client: Client, url: str) -> int:
    client.get(url)  # warm the per-process caches
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return len(ctx.captured_queries)


def test_lists_make_as_many_queries_for_many_rows_as_for_one(
    hta_user, kent_user, essex_user, cleveland_user, national_analyst
):
    submit(hta_user)
    add_spoc(kent_user, "kent")
    unit = client_for(national_analyst)
    pins = {url: _queries(unit, url) for url in ("/referrals/", "/spocs/", "/spocs/coverage/")}
    for n in range(8):
        submit(hta_user, local_authority=["E06000001", "E07000071", "E09000030"][n % 3])
    for user in (essex_user, cleveland_user):
        for theme in Theme.values:
            add_spoc(user, user.orgunit.code, theme=theme, starts_on=date(2022, 1, 1))
    for url, queries in pins.items():
        pinned_get(unit, url, queries)


def test_enqueue_hourly_queues_the_escalation(db):
    from django_tasks_db.models import DBTaskResult

    call_command("enqueue_hourly")
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "msoic.referrals.tasks.escalate_referrals_task"


def test_unit_reroutes_a_referral_on_the_web(hta_user, national_analyst, essex_user):
    add_spoc(essex_user, "essex", name="DI Essex Organ")
    referral = submit(hta_user)
    unit = client_for(national_analyst)
    assert "Re-route the referral" in unit.get(f"/referrals/{referral.pk}/").content.decode()
    unit.post(f"/referrals/{referral.pk}/reroute/", {"force": "essex", "reason": "Essex, not Kent"})
    referral.refresh_from_db()
    assert (referral.force.code, referral.routing, referral.spoc.name) == (
        "essex",
        "unit",
        "DI Essex Organ",
    )
    seen = client_for(hta_user).get(f"/referrals/{referral.pk}/").content.decode()
    assert "Essex Police" in seen and "Re-routed by the national unit" in seen


def test_coverage_and_spoc_keeping_follow_the_users_scope(
    kent_user, eastern_coordinator, national_analyst
):
    from django.core.exceptions import PermissionDenied

    def forces_on(user: Any) -> set[str]:
        page = client_for(user).get("/spocs/coverage/").content.decode()
        return set(re.findall(r'data-gap="([a-z-]+):innerste"', page))

    assert forces_on(kent_user) == {"kent"}
    eastern = {
        "bedfordshire",
        "cambridgeshire",
        "essex",
        "hertfordshire",
        "kent",
        "norfolk",
        "suffolk",
    }
    assert forces_on(eastern_coordinator) == eastern
    assert len(forces_on(national_analyst)) == 43
    add_spoc(eastern_coordinator, "norfolk")  # a coordinator keeps their region's SPOCs
    with pytest.raises(PermissionDenied):
        add_spoc(eastern_coordinator, "cleveland")
    with pytest.raises(PermissionDenied):
        add_spoc(kent_user, "essex")
    with pytest.raises(PermissionDenied):
        add_spoc(national_analyst, "kent")
    assert list(Spoc.objects.values_list("force__code", flat=True)) == ["norfolk"]
