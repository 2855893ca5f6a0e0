"""The home page, one per role: what waits for each user, counted from the records within
their scope, each count linking to where they act on it (issue 11 item 5)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from msoic.assurance.models import Assessment
from msoic.cases.cleanse import actions as cleanse
from msoic.collection.actions import do_approve_submission, do_create_import_job, run_import_job
from msoic.collection.models import Submission
from msoic.collection.pipeline import import_file
from msoic.metrics.periods import (
    add_months,
    format_month,
    last_complete_month,
    period_due_date,
)
from msoic.orgunits.models import OrgUnit
from msoic.web.home import Line, home_panels
from tests.assurance.conftest import submitted_campaign
from tests.capability.conftest import attend, make_event, make_session
from tests.cases.cleanse_world import make_case, make_person
from tests.conftest import csv_bytes
from tests.documents.conftest import publish
from tests.partnerships.conftest import make_partnership
from tests.peerreview.conftest import make_review
from tests.query_counts import pinned_get
from tests.security.test_url_access import NAMED, own_world  # noqa: F401 (a fixture)

TODAY = timezone.localdate()
NEWEST = last_complete_month(TODAY)
# A month inside the home page's twelve months whose deadline (the 15th after) has passed.
OVERDUE_MONTH = add_months(NEWEST, -3)


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def lines(user: Any) -> list[Line]:
    return [line for panel in home_panels(user)["panels"] for line in panel.lines]


def line(user: Any, starts: str) -> Line:
    found = [x for x in lines(user) if x.label.startswith(starts)]
    assert len(found) == 1, (starts, [x.label for x in lines(user)])
    return found[0]


def send(actor: Any, rows: list[list[Any]], name: str = "r.csv") -> None:
    outcome = import_file(name, csv_bytes(rows), actor=actor)
    assert outcome.ok, outcome.problems


def text_of(response: Any) -> str:
    body = response.content.decode()
    main = body[body.index("<main") : body.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


# --- every role -------------------------------------------------------------------------

PANELS = {
    "kent": ["Your returns", "Investigation register", "Peer review recommendations"],
    "eastern": ["Your region's returns", "Benchmarking", "Investigation register"],
    "national": ["Returns", "Benchmarking", "This year at a glance"],
    "partner": ["Figures you can see"],
    "admin": ["Administration"],
}


@pytest.mark.parametrize("persona", sorted(PANELS))
def test_each_role_has_a_home_with_its_own_panels(personas, persona):
    response = client_for(personas[persona]).get(reverse("home"))
    assert response.status_code == 200
    headings = re.findall(
        r'<h2 class="govuk-heading-m"[^>]*>([^<]+)</h2>', response.content.decode()
    )
    for title in PANELS[persona]:
        assert title.replace("'", "&#x27;") in headings, (persona, title, headings)
    # the dashboards: in their own part, or described in a partner's or administrator's panel
    assert ("Dashboards" in headings) == (persona in {"kent", "eastern", "national"})
    assert f'href="{reverse("dashboard-ms")}?orgunit=' in response.content.decode()


@pytest.mark.parametrize("persona", ["partner", "admin"])
def test_partners_and_administrators_see_no_record_level_work(personas, persona):
    text = text_of(client_for(personas[persona]).get(reverse("home")))
    for word in ("Your returns", "Investigation register", "Peer review", "awaiting approval"):
        assert word not in text


def test_the_home_page_is_in_the_navigation_beside_the_dashboards(personas):
    for user in personas.values():
        body = client_for(user).get(reverse("home")).content.decode()
        nav = body[body.index('aria-label="Main"') :]
        assert 'aria-current="page">Home</a>' in nav
        assert reverse("dashboard-ms") in nav and reverse("dashboard-oic") in nav


def test_approvals_are_in_the_navigation_for_the_unit_only(personas):
    for name, user in personas.items():
        nav = client_for(user).get(reverse("home")).content.decode()
        assert (reverse("returns-approvals") in nav) == (name == "national"), name


def test_home_names_only_forces_the_persona_may_see(own_world):  # noqa: F811
    world = own_world
    for persona in world.users:
        text = world.client(persona).get(reverse("home")).content.decode()
        for name, allowed in NAMED.items():
            assert name not in text or persona in allowed, (persona, name)


# --- a force user -------------------------------------------------------------------------


def test_sending_an_overdue_return_takes_it_off_overdue_and_puts_it_in_waiting(
    kent_user, national_analyst
):
    overdue = line(kent_user, "Overdue").count
    waiting = line(kent_user, "Received, waiting").count
    assert overdue > 0 and line(kent_user, "Overdue").attention
    send(kent_user, [["kent", format_month(OVERDUE_MONTH), "ms_arrests", "", 2, ""]])
    assert line(kent_user, "Overdue").count == overdue - 1
    assert line(kent_user, "Received, waiting").count == waiting + 1
    do_approve_submission(Submission.objects.get(orgunit__code="kent"), actor=national_analyst)
    assert line(kent_user, "Received, waiting").count == waiting


def test_another_forces_returns_do_not_count_on_kents_home(kent_user, essex_user):
    before = [(x.label, x.count) for x in lines(kent_user)]
    send(essex_user, [["essex", format_month(OVERDUE_MONTH), "ms_arrests", "", 2, ""]])
    assert [(x.label, x.count) for x in lines(kent_user)] == before


def test_the_return_due_next_links_to_its_form(kent_user):
    due = [x for x in lines(kent_user) if x.label.startswith("Due by")]
    for x in due:
        assert x.url.startswith("/returns/enter/") and "/kent/" in x.url
        assert client_for(kent_user).get(x.url).status_code == 200


def test_a_refused_upload_is_counted_and_links_to_that_upload(kent_user):
    assert line(kent_user, "Uploads refused").count == 0
    bad = csv_bytes([["kent", format_month(OVERDUE_MONTH), "ms_arrests", "", "12.5", ""]])
    job = run_import_job(do_create_import_job([("bad.csv", bad)], actor=kent_user).pk)
    refused = line(kent_user, "Uploads refused")
    assert refused.count == 1 and refused.attention
    assert refused.url == reverse("returns-job", args=[job.pk])


def test_cleanse_and_marker_worklists_count_the_forces_own_cases(
    kent_user, essex_user, eastern_coordinator, national_analyst
):
    stale = TODAY - timedelta(days=400)
    for force, ref in (("kent", "K1"), ("kent", "K2"), ("essex", "E1"), ("cleveland", "C1")):
        inv = make_case(force, ref, stale, last_reviewed_on=stale)
        make_person(
            inv,
            nrm_referred_on=stale,
            rg_decision="positive",
            rg_decided_on=stale,
            cg_decision="positive",
            cg_decided_on=stale + timedelta(days=30),
        )
    opened = cleanse.do_open_cleanse(
        title="Winter cleanse",
        criteria={"stale_days": 180},
        deadline=TODAY + timedelta(days=30),
        actor=national_analyst,
    )
    kent_cleanse = line(kent_user, "Data cleanse")
    assert kent_cleanse.count == 2
    assert kent_cleanse.url == f"{reverse('cleanse-worklist', args=[opened.pk])}?force=kent"
    assert line(essex_user, "Data cleanse").count == 1
    assert line(eastern_coordinator, "Data cleanse").count == 3
    assert line(national_analyst, "Data cleanse").count == 4
    assert line(kent_user, "PNC vulnerability marker").count == 2
    assert line(eastern_coordinator, "PNC vulnerability marker").count == 3
    page = client_for(kent_user).get(kent_cleanse.url)
    assert page.status_code == 200


def test_open_recommendations_are_the_forces_own_with_due_dates(kent_user, national_analyst):
    kent = make_review("kent", national_analyst, recs=3)
    make_review("essex", national_analyst, recs=2)
    make_review("surrey", national_analyst, recs=4, publish=False)  # not yet published
    assert line(kent_user, "Open or in progress").count == 3
    panel = next(
        p for p in home_panels(kent_user)["panels"] if p.title == "Peer review recommendations"
    )
    assert [i.text.split(":")[0] for i in panel.items] == [
        "Kent Police R1",
        "Kent Police R2",
        "Kent Police R3",
    ]
    due = kent.recommendations.first().due_date
    assert all(i.when == due for i in panel.items)
    assert all(i.overdue == (due < TODAY) for i in panel.items)
    assert line(kent_user, "Past their due date").count == (3 if due < TODAY else 0)
    assert line(national_analyst, "Open or in progress").count == 5


# --- a regional coordinator and the unit ------------------------------------------------


def region_returns(user: Any, dataset: str) -> list[int]:
    """The coordinator's table row for a return: overdue, received late, awaiting approval
    (the first column, due, is the region's forces for the month just over)."""
    panel = next(p for p in home_panels(user)["panels"] if p.title == "Your region's returns")
    assert panel.table is not None
    return next(
        [c.count for c in cells[1:]] for label, cells in panel.table.rows if label == dataset
    )


def test_a_coordinator_sees_the_regions_returns_and_assessments_to_challenge(
    eastern_coordinator, kent_user, cleveland_user, national_analyst
):
    ms = "Modern slavery monthly return"
    overdue, late, awaiting = region_returns(eastern_coordinator, ms)
    month = format_month(OVERDUE_MONTH)
    send(cleveland_user, [["cleveland", month, "ms_arrests", "", 2, ""]])
    assert region_returns(eastern_coordinator, ms) == [overdue, late, awaiting]
    send(kent_user, [["kent", month, "ms_arrests", "", 2, ""]])  # sent today: late
    assert region_returns(eastern_coordinator, ms) == [overdue - 1, late + 1, awaiting + 1]
    panel = next(
        p for p in home_panels(eastern_coordinator)["panels"] if p.title.startswith("Your")
    )
    due = next(cells[0].count for label, cells in panel.table.rows if label == ms)
    # the month just over is due from the region's seven forces until its deadline
    assert due == (7 if TODAY <= period_due_date("monthly", NEWEST, 15) else 0)
    body = client_for(eastern_coordinator).get(reverse("home")).content.decode()
    assert f'href="{reverse("completeness")}?dataset=ms-monthly"' in body

    campaign = submitted_campaign(national_analyst, {"kent": {}, "cleveland": {}})
    review = line(eastern_coordinator, "Self-assessments waiting for your review")
    assert review.count == 1
    panel = next(p for p in home_panels(eastern_coordinator)["panels"] if p.title == "Benchmarking")
    kent = Assessment.objects.get(campaign=campaign, orgunit__code="kent")
    assert [i.url for i in panel.items] == [reverse("benchmarking-assessment", args=[kent.pk])]
    assert line(national_analyst, "Self-assessments submitted").count == 2


def _returns_for(month: date, forces: list[str], actor: Any) -> None:
    send(actor, [[f, format_month(month), "ms_arrests", "", 1, ""] for f in forces], "m.csv")


def test_the_unit_sees_approvals_waiting_and_forces_yet_to_return_the_newest_month(
    national_analyst, kent_user
):
    forces = list(OrgUnit.objects.forces().order_by("code").values_list("code", flat=True))
    month = add_months(NEWEST, -2)
    _returns_for(month, [f for f in forces if f not in ("kent", "essex")], national_analyst)
    # one force's early return for the next month must not move the month shown
    send(kent_user, [["kent", format_month(add_months(month, 1)), "ms_arrests", "", 1, ""]])
    waiting = line(national_analyst, "Awaiting your approval")
    assert waiting.count == len(forces) - 1
    assert waiting.url == reverse("returns-approvals")
    panel = next(p for p in home_panels(national_analyst)["panels"] if p.title == "Returns")
    row = dict(panel.table.rows)[f"Modern slavery monthly return, {month:%B %Y}"]
    yet, late = row
    assert yet.count == 2 and yet.attention
    assert f"end={format_month(month)}" in yet.url
    # received today, after the deadline: all late, and not yet approved
    assert late.count == len(forces) - 2


def test_the_year_at_a_glance_counts_the_years_records(national_analyst):
    forces = list(OrgUnit.objects.forces().values_list("code", flat=True))
    _returns_for(date(2024, 2, 1), forces, national_analyst)  # the newest month most returned
    for force in ("kent", "essex"):
        make_review(force, national_analyst)  # published 15 January 2024
    make_review("surrey", national_analyst, publish=False)
    glance = home_panels(national_analyst)["glance"]
    assert glance["years"] == [
        "Financial year 2022/23",
        "Financial year 2023/24 (to February 2024)",
    ]
    reviews = next(r for r in glance["rows"] if r["label"] == "Peer reviews published")
    assert [n for n, _url, _year in reviews["cells"]] == [0, 2]


def test_the_glance_gives_training_documents_and_partnerships_from_their_records(
    national_analyst,
):
    forces = list(OrgUnit.objects.forces().values_list("code", flat=True))
    _returns_for(date(2024, 2, 1), forces, national_analyst)  # the year shown: 2023/24
    client = client_for(national_analyst)
    pinned_get(client, reverse("home"), PINS["national"])
    # 2023/24: one course, two sessions; p1 comes to both (one person, counted once)
    course = make_event(national_analyst, title="Investigators' course")
    attend(
        make_session(course, national_analyst, date(2023, 6, 14)),
        national_analyst,
        [["p1@x.uk", "kent", "officer"], ["p2@x.uk", "essex", "staff"]],
    )
    attend(
        make_session(course, national_analyst, date(2023, 9, 20)),
        national_analyst,
        [["p1@x.uk", "kent", "officer"], ["p3@x.uk", "surrey", "officer"]],
        name="second.csv",
    )
    # 2022/23: a webinar for one person
    webinar = make_event(national_analyst, title="Webinar", kind="webinar")
    attend(
        make_session(webinar, national_analyst, date(2022, 11, 2)),
        national_analyst,
        [["p4@x.uk", "kent", "staff"]],
    )
    publish(national_analyst, on=date(2023, 6, 1))
    publish(national_analyst, title="Cultural guide", on=date(2023, 12, 1), name="g.pdf")
    publish(national_analyst, title="Old profile", on=date(2022, 5, 1), name="p.pdf")
    make_partnership(national_analyst, forces=("kent", "essex"), started_on=date(2022, 4, 1))
    make_partnership(
        national_analyst,
        name="Surrey partnership",
        area="south-east",
        forces=("surrey", "essex"),
        started_on=date(2023, 10, 1),
    )
    # the same number of queries, however many records
    response = pinned_get(client, reverse("home"), PINS["national"])
    glance = home_panels(national_analyst)["glance"]
    rows = {r["label"]: r["cells"] for r in glance["rows"]}
    expected = {
        "Officers and staff trained": ([1, 3], "capability-list"),
        "Training courses and events held": ([1, 1], "capability-list"),
        "Documents produced": ([1, 2], "documents-list"),
        "Forces in an anti-slavery partnership (at the year's end)": ([2, 3], "partnerships-list"),
    }
    for label, (counts, page) in expected.items():
        assert [n for n, _url, _year in rows[label]] == counts, label
        assert {url for _n, url, _year in rows[label]} == {reverse(page)}, label
    text = text_of(response)
    assert "Officers and staff trained 1 in Financial year 2022/23 3 in" in text


def test_every_link_on_each_home_opens(personas, national_analyst):
    make_review("kent", national_analyst)
    for name, user in personas.items():
        client = client_for(user)
        body = client.get(reverse("home")).content.decode()
        main = body[body.index("<main") : body.index("</main>")]
        for href in set(re.findall(r'href="([^"#]+)"', main)):
            url = href.replace("&amp;", "&")
            assert client.get(url).status_code == 200, (name, url)


# --- queries ------------------------------------------------------------------------------

# Queries per home page (with the session, the user and the catalogue revision), the same on
# larger data. Three of the police users' are the referrals panel (its counts, the forces
# read, their SPOCs in post).
PINS = {"kent": 20, "eastern": 18, "national": 37, "partner": 8, "admin": 11}


@pytest.mark.parametrize("persona", sorted(PINS))
def test_home_query_count_does_not_grow_with_the_data(personas, national_analyst, persona):
    client = client_for(personas[persona])
    forces = list(OrgUnit.objects.forces().values_list("code", flat=True))
    _returns_for(add_months(NEWEST, -2), forces, national_analyst)
    make_review("kent", national_analyst, recs=1)
    make_review("essex", national_analyst, recs=1)
    pinned_get(client, reverse("home"), PINS[persona])
    for back in range(3, 7):
        _returns_for(add_months(NEWEST, -back), forces, national_analyst)
    for force in ("cleveland", "surrey", "norfolk"):
        make_review(force, national_analyst, recs=4)
    pinned_get(client, reverse("home"), PINS[persona])
