"""Refused out-of-scope requests are logged, but a scripted scan cannot flood the log: each
user's first N refusals in a window are written one by one, the rest are counted, and one
summary row says how many (and of what) once the window has closed."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.http import Http404
from django.utils import timezone

from msoic.audit.anchors import anchor_head
from msoic.audit.log import verify_chain
from msoic.audit.models import AuditEvent
from msoic.cases import access

LIMIT = 3
WINDOW = 3600
NO_SUCH_INVESTIGATION = 10**9


@pytest.fixture
def clock(settings, monkeypatch):
    """The wall clock, which the test can move on (the windows are real wall-clock hours)."""
    settings.MSOIC_AUDIT_DENIED_PER_WINDOW = LIMIT
    settings.MSOIC_AUDIT_DENIED_WINDOW_SECONDS = WINDOW
    real_now = timezone.now
    offset = {"value": datetime.timedelta()}
    monkeypatch.setattr(timezone, "now", lambda: real_now() + offset["value"])

    def advance(seconds: int) -> None:
        offset["value"] += datetime.timedelta(seconds=seconds)

    return advance


def scan(user, count: int, start: int = 0) -> None:
    """Ask for ``count`` investigations the user may not see, as a script would."""
    for i in range(count):
        with pytest.raises(Http404):
            access.get_investigation_for_user(user, NO_SUCH_INVESTIGATION + start + i)


def denied_rows(user):
    return AuditEvent.objects.filter(action="denied", actor=user).order_by("seq")


def test_a_scan_writes_the_first_refusals_and_counts_the_rest(clock, kent_user):
    scan(kent_user, 10)
    rows = list(denied_rows(kent_user))
    assert len(rows) == LIMIT
    assert [r.object_id for r in rows] == [str(NO_SUCH_INVESTIGATION + i) for i in range(LIMIT)]
    assert all(r.detail == {"reason": "outside the user's scope"} for r in rows)
    assert all(r.object_type == "cases.investigation" and r.orgunit_code == "kent" for r in rows)


def test_the_summary_row_comes_when_the_window_has_closed(clock, kent_user):
    scan(kent_user, 10)
    clock(WINDOW)
    scan(kent_user, 1, start=100)
    summary, after = list(denied_rows(kent_user))[LIMIT:]
    assert summary.object_type == "audit.denied_summary"
    assert summary.detail["suppressed"] == 10 - LIMIT and summary.detail["logged"] == LIMIT
    assert summary.detail["by_object_type"] == {"cases.investigation": 10 - LIMIT}
    start = datetime.datetime.fromisoformat(summary.detail["window_start"])
    end = datetime.datetime.fromisoformat(summary.detail["window_end"])
    assert end - start == datetime.timedelta(seconds=WINDOW)
    assert after.object_id == str(NO_SUCH_INVESTIGATION + 100)  # a new window, a new allowance
    assert verify_chain().proven


def test_each_user_has_their_own_allowance(clock, kent_user, essex_user):
    scan(kent_user, 10)
    scan(essex_user, 1)
    assert denied_rows(essex_user).count() == 1


def test_a_quiet_period_is_summarised_by_the_worker_or_the_command(
    clock, kent_user, capsys, settings, tmp_path
):
    settings.MSOIC_AUDIT_ANCHOR_FILE = tmp_path / "anchors.jsonl"
    scan(kent_user, LIMIT + 2)
    call_command("audit", "summarise-denied")
    assert "0 summary row(s)" in capsys.readouterr().out  # the window is still open
    clock(WINDOW)
    anchor = anchor_head()  # the worker's daily call summarises first, then anchors
    summary = denied_rows(kent_user).last()
    assert summary.object_type == "audit.denied_summary" and summary.detail["suppressed"] == 2
    assert anchor is not None and anchor.seq == summary.seq
    call_command("audit", "summarise-denied")
    assert "0 summary row(s)" in capsys.readouterr().out  # once only


def test_refusals_within_the_limit_write_no_summary(clock, kent_user):
    scan(kent_user, LIMIT)
    clock(WINDOW)
    call_command("audit", "summarise-denied")
    assert not denied_rows(kent_user).filter(object_type="audit.denied_summary").exists()
