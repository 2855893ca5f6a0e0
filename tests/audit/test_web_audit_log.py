"""The audit log browser: national users only, newest first, filtered, paginated, and a
check of the hash chain on demand that names the first bad row."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.test import Client

from msoic.audit.log import record
from msoic.audit.models import AuditEvent
from tests.audit.attacker import tamper
from tests.collection.web_support import text


def login(client: Client, user) -> Client:
    client.force_login(user)
    return client


def seqs(response) -> list[int]:
    """The row numbers shown in the table, in page order."""
    html = response.content.decode()
    body = html.split('<tbody class="govuk-table__body">', 1)[1]
    return [int(n) for n in re.findall(r'govuk-table__cell--numeric">(\d+)</td>', body)]


@pytest.fixture
def events(national_analyst, kent_user):
    record(
        actor=kent_user,
        action="collection",
        object_type="collection.submission",
        object_id=1,
        orgunit="kent",
    )
    record(
        actor=kent_user,
        action="alteration",
        object_type="collection.submission",
        object_id=1,
        orgunit="kent",
        detail={"version": 2, "file": "kent.csv"},
    )
    record(
        actor=national_analyst,
        action="approve",
        object_type="collection.submission",
        object_id=1,
        orgunit="kent",
    )
    record(
        actor=national_analyst,
        action="unlock",
        object_type="collection.submission",
        object_id=1,
        orgunit="kent",
        justification="Kent found a keying error",
    )
    record(
        actor=national_analyst,
        action="disclosure",
        object_type="report",
        object_id="r1",
        recipient="Home Office",
    )
    return list(AuditEvent.objects.order_by("seq"))


def test_national_users_browse_the_log_newest_first(client, national_analyst, events):
    response = login(client, national_analyst).get("/audit/")
    assert response.status_code == 200
    shown = seqs(response)
    assert shown == sorted(shown, reverse=True)
    assert set(e.seq for e in events) <= set(shown)
    page = text(response)
    # No return 1 exists here: its raw reference stands; the org unit is named, code beside.
    assert (
        "kent.user Alteration collection.submission 1 Kent Police kent file: kent.csv version: 2"
        in page
    )
    assert "Unlock collection.submission 1 Kent Police kent Kent found a keying error" in page
    assert "To: Home Office" in page


@pytest.mark.parametrize("persona", ["kent", "eastern", "partner", "admin"])
def test_everyone_else_is_refused(client, personas, persona):
    c = login(client, personas[persona])
    assert c.get("/audit/").status_code == 403
    assert c.get("/audit/?verify=1").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    assert client.get("/audit/").status_code == 302


@pytest.mark.parametrize(
    ("query", "expected_actions"),
    [
        ("action=approve", {"approve"}),
        ("action=unlock&orgunit=kent", {"unlock"}),
        ("actor=KENT.USER", {"collection", "alteration"}),
        ("actor=kent.user&action=approve", set()),
    ],
)
def test_filters(client, national_analyst, events, query, expected_actions):
    response = login(client, national_analyst).get(f"/audit/?{query}")
    shown = set(seqs(response))
    assert {e.action for e in AuditEvent.objects.filter(seq__in=shown)} == expected_actions
    if not expected_actions:
        assert "No rows match." in text(response)


def test_date_range_filter(client, national_analyst, kent_user, events):
    old = AuditEvent.objects.order_by("seq").first()
    tamper(old, at=datetime(2020, 1, 15, 12, tzinfo=UTC))  # the chain breaks; fine here
    c = login(client, national_analyst)
    assert seqs(c.get("/audit/?start=2020-01-15&end=2020-01-15")) == [old.seq]
    assert old.seq not in seqs(c.get("/audit/?start=2020-01-16"))
    response = c.get("/audit/?start=2020-02-01&end=2020-01-01")
    assert (
        '<a href="#id_end">The end date must be on or after the start date</a>'
        in response.content.decode()
    )
    response = c.get("/audit/?start=yesterday")
    assert '<a href="#id_start">' in response.content.decode()


def test_pages_of_fifty(client, national_analyst):
    for i in range(60):
        record(actor="tests", action="erasure", object_type="test", object_id=i)
    c = login(client, national_analyst)
    first = c.get("/audit/?action=erasure")
    assert len(seqs(first)) == 50
    assert "60 rows, page 1 of 2" in text(first)
    assert 'href="?action=erasure&amp;page=2" rel="next"' in first.content.decode()
    second = c.get("/audit/?action=erasure&page=2")
    assert len(seqs(second)) == 10
    assert max(seqs(second)) < min(seqs(first))


def test_verify_the_chain_on_demand(client, national_analyst, events):
    c = login(client, national_analyst)
    assert "Chain verified" not in text(c.get("/audit/"))
    page = text(c.get("/audit/?verify=1"))
    total = AuditEvent.objects.count()
    assert "Chain verified" in page and f"All {total} rows are intact" in page


def test_a_tampered_row_is_named(client, national_analyst, events):
    victim = events[1]
    tamper(victim, justification="nothing to see")
    response = login(client, national_analyst).get("/audit/?verify=1")
    page = text(response)
    assert "The audit log has been tampered with" in page
    assert f"Row {victim.seq}: its content does not match its MAC" in page
