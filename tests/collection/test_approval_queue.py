"""The approval worklist (issue 11 item 3): returns awaiting approval, oldest first, by
return, period and region, with warnings and comments; several approved at once after
review, all or none, each through the approval action; "next" from a return's page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from msoic.audit.models import AuditAction, AuditEvent
from msoic.collection.actions import do_approve_submission
from msoic.collection.models import Submission
from msoic.collection.pipeline import import_file
from msoic.orgunits.models import OrgUnit
from tests.conftest import csv_bytes
from tests.query_counts import pinned_get

QUEUE = reverse("returns-approvals")


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def send(actor: Any, rows: list[list[Any]], name: str = "r.csv") -> None:
    outcome = import_file(name, csv_bytes(rows), actor=actor)
    assert outcome.ok, outcome.problems


@pytest.fixture
def waiting(national_analyst, kent_user) -> dict[str, Submission]:
    """Kent, Essex and Cleveland's modern slavery returns for January and February 2024 and
    Kent's OIC return for January, none approved; Kent's January arrests carry a comment."""
    rows = [
        [f, m, "ms_arrests", "", 2, ""]
        for f in ("essex", "cleveland")
        for m in ("2024-01", "2024-02")
    ]
    send(national_analyst, rows)
    send(kent_user, [["kent", "2024-02", "ms_arrests", "", 1, ""]])
    send(kent_user, [["kent", "2024-01", "ms_arrests", "", 3, "a recount after an audit"]])
    send(kent_user, [["kent", "2024-01", "oic_disruptions", "", 1, ""]])
    return {
        f"{s.orgunit.code}-{s.dataset}-{s.period:%m}": s
        for s in Submission.objects.select_related("orgunit", "current_version")
    }


def listed(response: Any) -> list[str]:
    """The returns listed, as "force, return, period" in page order."""
    body = response.content.decode()
    rows = re.findall(
        r'<span class="govuk-visually-hidden">Approve ([^<]+), version \d+</span>', body
    )
    return rows


def choice(sub: Submission) -> str:
    sub.refresh_from_db()
    return f"{sub.pk}:{sub.current_version.number}"


# --- who may use it -----------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["kent", "eastern", "partner", "admin"])
def test_only_the_unit_has_the_worklist(personas, waiting, persona):
    client = client_for(personas[persona])
    assert client.get(QUEUE).status_code == 403
    sub = waiting["kent-ms-monthly-01"]
    assert client.post(QUEUE, {"approve": choice(sub)}).status_code == 403
    sub.refresh_from_db()
    assert not sub.locked


# --- the list -----------------------------------------------------------------------------


def test_returns_awaiting_approval_are_listed_oldest_first(national_analyst, waiting):
    do_approve_submission(waiting["essex-ms-monthly-02"], actor=national_analyst)
    rows = listed(client_for(national_analyst).get(QUEUE))
    # by period, then return, then region (Eastern before North East), then force
    assert rows == [
        "Essex Police, Modern slavery monthly return, January 2024",
        "Kent Police, Modern slavery monthly return, January 2024",
        "Cleveland Police, Modern slavery monthly return, January 2024",
        "Kent Police, Organised immigration crime monthly return, January 2024",
        "Kent Police, Modern slavery monthly return, February 2024",
        "Cleveland Police, Modern slavery monthly return, February 2024",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            {"dataset": "oic-monthly"},
            ["Kent Police, Organised immigration crime monthly return, January 2024"],
        ),
        (
            {"period": "2024-02"},
            [
                "Essex Police, Modern slavery monthly return, February 2024",
                "Kent Police, Modern slavery monthly return, February 2024",
                "Cleveland Police, Modern slavery monthly return, February 2024",
            ],
        ),
        (
            {"region": "north-east"},
            [
                "Cleveland Police, Modern slavery monthly return, January 2024",
                "Cleveland Police, Modern slavery monthly return, February 2024",
            ],
        ),
        (
            {"region": "eastern", "period": "2024-01", "dataset": "ms-monthly"},
            [
                "Essex Police, Modern slavery monthly return, January 2024",
                "Kent Police, Modern slavery monthly return, January 2024",
            ],
        ),
        (
            {"region": "no-such-region"},
            [
                "Essex Police, Modern slavery monthly return, January 2024",
                "Kent Police, Modern slavery monthly return, January 2024",
                "Cleveland Police, Modern slavery monthly return, January 2024",
                "Kent Police, Organised immigration crime monthly return, January 2024",
                "Essex Police, Modern slavery monthly return, February 2024",
                "Kent Police, Modern slavery monthly return, February 2024",
                "Cleveland Police, Modern slavery monthly return, February 2024",
            ],
        ),
    ],
)
def test_the_worklist_filters_by_return_period_and_region(
    national_analyst, waiting, query, expected
):
    assert listed(client_for(national_analyst).get(QUEUE, query)) == expected


def test_each_return_shows_its_comments_and_explained_warnings(
    national_analyst, kent_user, waiting
):
    sub = waiting["kent-ms-monthly-01"]
    version = sub.current_version
    version.acknowledged_warnings = [
        {
            "key": "k",
            "message": "Arrests are far above Kent's usual level",
            "comment": "one operation",
        }
    ]
    version.save(update_fields=["acknowledged_warnings"])
    text = re.sub(
        r"\s+",
        " ",
        re.sub(r"<[^>]+>", " ", client_for(national_analyst).get(QUEUE).content.decode()),
    )
    assert ": a recount after an audit" in text
    assert "Warning: Arrests are far above Kent's usual level" in text.replace("&#x27;", "'")
    assert "Comment: one operation" in text


# --- approving several --------------------------------------------------------------------


def test_approving_several_locks_each_and_audits_each(national_analyst, waiting):
    chosen = [waiting["kent-ms-monthly-01"], waiting["essex-ms-monthly-01"]]
    before = AuditEvent.objects.filter(action=AuditAction.APPROVE).count()
    response = client_for(national_analyst).post(
        f"{QUEUE}?period=2024-01", {"approve": [choice(s) for s in chosen]}
    )
    assert response.status_code == 302 and response["Location"] == f"{QUEUE}?period=2024-01"
    for sub in chosen:
        sub.refresh_from_db()
        assert sub.locked and sub.approved_by == national_analyst
    assert AuditEvent.objects.filter(action=AuditAction.APPROVE).count() == before + 2
    assert not Submission.objects.get(pk=waiting["cleveland-ms-monthly-01"].pk).locked


def _nothing_approved(waiting: dict[str, Submission], but: set[int] = frozenset()) -> None:
    locked = set(Submission.objects.filter(locked=True).values_list("pk", flat=True))
    assert locked == set(but)


def test_a_selection_with_one_already_approved_is_refused_whole(national_analyst, waiting):
    done = waiting["essex-ms-monthly-01"]
    do_approve_submission(done, actor=national_analyst)
    response = client_for(national_analyst).post(
        QUEUE, {"approve": [choice(waiting["kent-ms-monthly-01"]), f"{done.pk}:1"]}
    )
    assert response.status_code == 400
    assert "cannot be approved by you" in response.content.decode()
    assert "nothing was approved" in response.content.decode()
    _nothing_approved(waiting, but={done.pk})


def test_a_return_corrected_since_review_is_refused_and_nothing_is_approved(
    national_analyst, kent_user, waiting
):
    kent = waiting["kent-ms-monthly-02"]
    seen = choice(kent)
    send(kent_user, [["kent", "2024-02", "ms_arrests", "", 5, "corrected"]])
    response = client_for(national_analyst).post(
        QUEUE, {"approve": [choice(waiting["essex-ms-monthly-02"]), seen]}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert (
        "Kent Police, Modern slavery monthly return, February 2024: version 2 arrived after you reviewed version 1"
        in body
    )
    _nothing_approved(waiting)


@pytest.mark.parametrize("bad", ["999999:1", "abc", ""])
def test_an_unknown_or_malformed_choice_is_refused(national_analyst, waiting, bad):
    data = {"approve": [choice(waiting["kent-ms-monthly-01"]), bad]} if bad else {}
    response = client_for(national_analyst).post(QUEUE, data)
    assert response.status_code == 400
    _nothing_approved(waiting)


def test_another_regions_return_stays_out_of_reach_of_nobody_but_the_unit(personas, waiting):
    # A force user posting a national analyst's choice is refused before anything is read.
    response = client_for(personas["essex"]).post(
        QUEUE, {"approve": choice(waiting["kent-ms-monthly-01"])}
    )
    assert response.status_code == 403
    _nothing_approved(waiting)


def test_approving_needs_the_csrf_token(national_analyst, waiting):
    client = Client(enforce_csrf_checks=True)
    client.force_login(national_analyst)
    response = client.post(QUEUE, {"approve": choice(waiting["kent-ms-monthly-01"])})
    assert response.status_code == 403
    _nothing_approved(waiting)
    page = client.get(QUEUE).content.decode()
    assert 'name="csrfmiddlewaretoken"' in page


# --- next, from a return's page -----------------------------------------------------------


def test_a_returns_page_links_to_the_next_awaiting_approval_with_the_filters(
    national_analyst, waiting
):
    client = client_for(national_analyst)
    page = client.get(QUEUE, {"region": "eastern", "period": "2024-01"}).content.decode()
    first = re.search(r'href="(/returns/\d+/\?[^"]+)"', page).group(1).replace("&amp;", "&")
    assert "region=eastern" in first and "period=2024-01" in first
    seen = []
    url = first
    for _ in range(5):
        body = client.get(url).content.decode()
        m = re.search(r'href="(/returns/(\d+)/\?[^"]+)">Next awaiting approval: ([^<]+)</a>', body)
        if m is None:
            assert "No other return is waiting for approval with these filters" in body
            break
        seen.append(m.group(3))
        url = m.group(1).replace("&amp;", "&")
        assert "region=eastern" in url and "period=2024-01" in url
    assert seen[:2] == [
        "Kent Police, Modern slavery monthly return, January 2024",
        "Kent Police, Organised immigration crime monthly return, January 2024",
    ]


def test_approving_from_a_returns_page_keeps_the_filters_for_next(national_analyst, waiting):
    client = client_for(national_analyst)
    essex = waiting["essex-ms-monthly-01"]
    response = client.post(
        reverse("submission-approve", args=[essex.pk]), {"region": "eastern", "period": "2024-01"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(f"/returns/{essex.pk}/?queue=1&")
    body = client.get(response["Location"]).content.decode()
    assert (
        "Next awaiting approval: Kent Police, Modern slavery monthly return, January 2024" in body
    )
    essex.refresh_from_db()
    assert essex.locked


def test_the_home_page_counts_what_the_worklist_lists(national_analyst, waiting):
    body = client_for(national_analyst).get(reverse("home")).content.decode()
    assert f'href="{QUEUE}"' in body
    total = len(listed(client_for(national_analyst).get(QUEUE)))
    assert f"{total} returns<span" in body


# --- queries --------------------------------------------------------------------------------


def test_the_worklists_query_count_does_not_grow_with_the_returns(national_analyst, waiting):
    client = client_for(national_analyst)
    pinned_get(client, QUEUE, 13)
    forces = list(OrgUnit.objects.forces().values_list("code", flat=True))
    send(national_analyst, [[f, "2024-03", "ms_arrests", "", 1, "noted"] for f in forces], "m.csv")
    pinned_get(client, QUEUE, 13)
    pinned_get(client, QUEUE, 13, region="eastern", period="2024-03")


def test_the_period_filter_names_a_quarter_in_words_not_its_first_month(
    national_analyst, kent_user, waiting
):
    """A quarterly return's period is the quarter's first month; the filter says the quarter
    (and both, when monthly returns wait for the same month)."""
    send(kent_user, [["kent", "FY2023-24-Q4", "terminus_lorry_stops", "", 12, ""]])
    send(kent_user, [["kent", "FY2024-25-Q1", "terminus_lorry_stops", "", 7, ""]])
    body = client_for(national_analyst).get(QUEUE).content.decode()
    options = dict(re.findall(r'<option value="(\d{4}-\d{2})"[^>]*>([^<]+)</option>', body))
    assert options["2024-01"] == "January 2024, and Q4 2023/24 for quarterly returns"
    assert options["2024-02"] == "February 2024"
    assert options["2024-04"] == "Q1 2024/25"
