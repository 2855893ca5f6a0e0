"""The audit log names people, forces and objects (issue 11 item 9): "Modern slavery monthly
return, Kent Police, January 2024" with a link to the return, not `collection.submission
3845`, the raw reference kept beside each name; links only where the viewer may follow
them; the names cost a fixed number of queries whatever the number of rows."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from msoic.accounts.actions import do_change_user_role, do_create_user, do_revoke_token
from msoic.accounts.models import ApiToken
from msoic.audit.log import record
from msoic.audit.models import AuditEvent
from msoic.audit.names import name_events, namers
from msoic.collection.actions import do_submit_return
from msoic.collection.models import Submission
from tests.collection.web_support import text
from tests.conftest import csv_bytes
from tests.query_counts import pinned_get

pytestmark = pytest.mark.django_db


def submit(actor, forces=("kent",), month="2024-01") -> dict[str, Submission]:
    rows = [[f, month, "ms_arrests", "", 2, ""] for f in forces]
    assert do_submit_return(f"{month}.csv", csv_bytes(rows), actor=actor).status == "accepted"
    return {
        f: Submission.objects.get(orgunit__code=f, dataset="ms-monthly", period=f"{month}-01")
        for f in forces
    }


@pytest.fixture
def analyst(national_analyst):
    national_analyst.first_name, national_analyst.last_name = "Nadia", "Ahmed"
    national_analyst.save(update_fields=["first_name", "last_name"])
    return national_analyst


@pytest.fixture
def browser_of(analyst) -> Client:
    client = Client()
    client.force_login(analyst)
    return client


def row_of(html: str, seq: int) -> str:
    match = re.search(rf'numeric">{seq}</td>(.*?)</tr>', html, flags=re.S)
    assert match, f"row {seq} not on the page"
    return match.group(1)


def test_a_return_its_force_and_its_sender_are_named_with_links(browser_of, analyst):
    kent = submit(analyst)["kent"]
    event = AuditEvent.objects.filter(
        object_type="collection.submission", object_id=str(kent.pk)
    ).latest("seq")
    html = browser_of.get("/audit/").content.decode()
    row = row_of(html, event.seq)
    assert (
        f'<a class="govuk-link" href="/returns/{kent.pk}/">'
        "Modern slavery monthly return, Kent Police, January 2024</a>"
    ) in row
    assert f"collection.submission {kent.pk}" in row  # the raw reference stays
    assert '<a class="govuk-link" href="/dashboards/ms/?orgunit=kent">Kent Police</a>' in row
    # A national analyst does not manage users: the sender is named, not linked.
    assert "Nadia Ahmed (national.analyst)" in row and "/admin-users/" not in row
    assert "collection.submission 3845" not in text(browser_of.get("/audit/"))


def test_accounts_and_tokens_are_named(browser_of, admin_user, kent_user):
    moved = do_change_user_role(kent_user, role="force", orgunit_code="essex", actor=admin_user)
    token, _ = ApiToken.issue(kent_user)
    do_revoke_token(token, actor=admin_user, reason="lost laptop")
    html = browser_of.get("/audit/").content.decode()
    changed = AuditEvent.objects.filter(detail__step="user role changed").latest("seq")
    row = row_of(html, changed.seq)
    assert "kent.user" in row and f"accounts.user {moved.pk}" in row
    assert '<a class="govuk-link" href="/dashboards/ms/?orgunit=essex">Essex Police</a>' in row
    revoked = AuditEvent.objects.filter(detail__step="token revoked").latest("seq")
    assert f"API token msoic_{token.prefix}… of kent.user" in row_of(html, revoked.seq)


def test_unknown_objects_and_gone_ids_keep_their_raw_reference(browser_of, analyst):
    record(actor="system", action="erasure", object_type="runtime.backup", object_id="b-7")
    record(actor=analyst, action="approve", object_type="collection.submission", object_id=999)
    page = text(browser_of.get("/audit/"))
    assert "system Erasure runtime.backup b-7" in page
    assert "Approve collection.submission 999" in page


def test_links_only_where_the_viewer_may_follow(analyst, kent_user, admin_user):
    subs = submit(analyst, forces=("kent", "essex"))
    events = list(AuditEvent.objects.filter(object_type="collection.submission"))
    for_kent = {r.event.object_id: r.obj for r in name_events(kent_user, events)}
    assert for_kent[str(subs["kent"].pk)].url == f"/returns/{subs['kent'].pk}/"
    assert for_kent[str(subs["essex"].pk)] is None  # not Kent's: not even named
    # The people: an administrator may open their page, nobody else.
    by_admin = name_events(admin_user, events)
    by_analyst = name_events(analyst, events)
    assert by_admin[0].actor.url == f"/admin-users/{analyst.pk}/"
    assert by_analyst[0].actor.url is None
    units = {r.event.orgunit_code: r.orgunit for r in name_events(kent_user, events)}
    assert units["kent"].url and units["essex"].url is None
    assert units["essex"].label == "Essex Police"


def test_the_apps_namers_are_found():
    """Each app's audit_names module registers its namers on first use."""
    assert set(namers()) >= {
        "accounts.user",
        "accounts.apitoken",
        "collection.submission",
        "peerreview.peerreview",
        "peerreview.recommendation",
        "assurance.assessment",
        "commissioning.bid",
        "cases.investigation",
    }


# The session and the viewer; the filter's org units; the count and the page of rows;
# then one batch each: the people, the tokens, the returns (after the catalogue's revision),
# the benchmarking framework and the catalogue revision the test database loaded, the org
# units; the navigation and the header (the viewer's org unit); the session saved (three
# statements).
QUERIES = 17


def test_names_cost_the_same_queries_for_a_few_rows_or_a_full_page(browser_of, analyst, admin_user):
    submit(analyst, forces=("kent",))
    do_create_user("first.new", role="force", orgunit_code="kent", password=None, actor=admin_user)
    token, _ = ApiToken.issue(analyst)
    do_revoke_token(token, actor=admin_user, reason="test")
    small = pinned_get(browser_of, "/audit/", QUERIES)
    assert AuditEvent.objects.count() < 50 and "Kent Police" in small.content.decode()

    for month in ("2024-02", "2024-03", "2024-04"):
        submit(analyst, forces=("kent", "essex", "cleveland"), month=month)
    for n in range(30):
        do_create_user(
            f"more.{n}", role="force", orgunit_code="essex", password=None, actor=admin_user
        )
    for _ in range(4):
        token, _ = ApiToken.issue(analyst)
        do_revoke_token(token, actor=admin_user, reason="test")
    # The objects of every kind the first page named appear again on the full page, so both
    # pages hold the same kinds (one batch each) and only the number of rows differs.
    named_kinds = set(namers())
    for object_type, object_id in {
        (e.object_type, e.object_id)
        for e in AuditEvent.objects.filter(object_type__in=named_kinds).exclude(
            object_type__in={"accounts.user", "accounts.apitoken", "collection.submission"}
        )
    }:
        record(actor=analyst, action="admin", object_type=object_type, object_id=object_id)
    assert AuditEvent.objects.count() >= 50  # a full page
    big = pinned_get(browser_of, "/audit/", QUERIES)
    html = big.content.decode()
    assert html.count('href="/returns/') >= 9 and "Cleveland Police" in html


def test_reviews_assessments_bids_and_investigations_are_named(
    browser_of, analyst, kent_user, essex_user
):
    from datetime import date

    from msoic.assurance.models import Assessment
    from msoic.cases.actions import do_create_investigation
    from msoic.orgunits.models import OrgUnit
    from tests.assurance.conftest import open_campaign
    from tests.commissioning.conftest import make_bid, make_envelope, make_window
    from tests.peerreview.conftest import make_review

    kent_review = make_review("kent", analyst, recs=1, good=0)
    draft = make_review("essex", analyst, publish=False, recs=0, good=0)
    campaign = open_campaign(analyst, forces=("kent", "essex"))
    bid = make_bid(make_window(analyst, make_envelope(analyst)), kent_user)
    case = do_create_investigation(
        OrgUnit.objects.get(code="kent"),
        actor=kent_user,
        crime_reference="46/1000/24",
        opened_on=date(2024, 1, 10),
        exploitation_types=["labour"],
        officer_in_charge="DC Example",
    )
    assessment = Assessment.objects.get(campaign=campaign, orgunit__code="kent")
    record(actor=analyst, action="alteration", obj=assessment, orgunit="kent")

    html = browser_of.get("/audit/").content.decode()
    for url, label in [
        (f"/peer-reviews/{kent_review.pk}/", "Peer review of Kent Police"),
        (
            f"/peer-reviews/{kent_review.pk}/",
            "Recommendation R1 of the peer review of Kent Police",
        ),
        (f"/peer-reviews/{draft.pk}/", "Peer review of Essex Police"),
        (
            f"/assurance/assessments/{assessment.pk}/",
            f"Self-assessment of Kent Police, {campaign.name}",
        ),
        (f"/commissioning/bids/{bid.pk}/", f"Bid “{bid.title}”, Kent Police"),
        (f"/investigations/{case.pk}/", "Investigation 46/1000/24, Kent Police"),
    ]:
        assert f'<a class="govuk-link" href="{url}">{label}</a>' in html, label

    # Kent's user: their own published review, assessment, bid and case; not Essex's draft.
    events = list(AuditEvent.objects.all())
    seen = {
        (r.event.object_type, r.event.object_id)
        for r in name_events(kent_user, events)
        if r.obj is not None
    }
    assert ("peerreview.peerreview", str(kent_review.pk)) in seen
    assert ("peerreview.peerreview", str(draft.pk)) not in seen
    assert ("assurance.assessment", str(assessment.pk)) in seen
    assert ("commissioning.bid", str(bid.pk)) in seen
    assert ("cases.investigation", str(case.pk)) in seen
    named_for_essex = {
        (r.event.object_type, r.event.object_id)
        for r in name_events(essex_user, events)
        if r.obj is not None
    }
    assert ("cases.investigation", str(case.pk)) not in named_for_essex
    assert ("commissioning.bid", str(bid.pk)) not in named_for_essex
