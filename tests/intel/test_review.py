"""The unit's review of intelligence logs, the queue and dashboard pages, s.62 rows, the
handling code C rules and the figures the engine derives from the logs."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from msoic.audit.models import AuditEvent
from msoic.collection.actions import do_submit_return
from msoic.intel.actions import do_export_logs, do_review_log
from msoic.intel.models import IntelLog, IntelReview
from msoic.intel.queue import backlog
from msoic.metrics import engine
from msoic.orgunits.models import OrgUnit
from tests.conftest import csv_bytes
from tests.intel.conftest import log_row, send
from tests.query_counts import pinned_get

pytestmark = pytest.mark.django_db


def _received(reference: str, days_ago: int) -> IntelLog:
    log = IntelLog.objects.get(reference=reference)
    log.received_on = timezone.localdate() - timedelta(days=days_ago)
    log.save(update_fields=["received_on"])
    return log


@pytest.fixture
def logs(personas: dict[str, Any]) -> dict[str, IntelLog]:
    send(personas["kent"], "kent", [log_row("KT-1"), log_row("KT-2", route="air")])
    send(
        personas["national"],
        "cleveland",
        [log_row("CL-1", handling_code="C", handling_conditions="Police only")],
    )
    return {
        "KT-1": _received("KT-1", 40),
        "KT-2": _received("KT-2", 3),
        "CL-1": _received("CL-1", 10),
    }


def test_a_review_takes_the_log_off_the_queue_with_its_outcome_reason_and_date(personas, logs):
    unit = personas["national"]
    on = timezone.localdate() - timedelta(days=1)
    review = do_review_log(
        logs["KT-1"],
        actor=unit,
        outcome="linked_operation",
        reason="Same vessel",
        linked_ref="Operation Innerste",
        reviewed_on=on,
    )
    log = IntelLog.objects.get(pk=logs["KT-1"].pk)
    assert (log.reviewed_on, log.review_days, log.outcome, log.operation) == (
        on,
        39,
        "linked_operation",
        "Operation Innerste",
    )
    assert (review.reviewer, review.reason) == (unit, "Same vessel")
    # re-grading later records a second review, but the first review's date stays
    do_review_log(log, actor=unit, outcome="regraded", reason="Corroborated", new_grading="1A/P")
    log.refresh_from_db()
    assert (log.grading, log.reviewed_on, log.reviews.count()) == ("1AP", on, 2)
    assert IntelReview.objects.filter(grading_before="2BP", grading_after="1AP").exists()
    row = AuditEvent.objects.filter(detail__step="intel.review_log").order_by("seq").first()
    assert row is not None and row.detail["intel_logs"] == ["kent:KT-1"]


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ({"outcome": "nfa", "reason": " "}, "reason"),
        ({"outcome": "disseminated_nca", "reason": "r"}, "disseminated to"),
        ({"outcome": "linked_investigation", "reason": "r"}, "linked to"),
        ({"outcome": "regraded", "reason": "r", "new_grading": "4BP"}, "not a 3x5x2 grading"),
        (
            {"outcome": "nfa", "reason": "r", "reviewed_on": date(2020, 1, 1)},
            "before the log was received",
        ),
        ({"outcome": "nfa", "reason": "r", "reviewed_on": date(2100, 1, 1)}, "future"),
        ({"outcome": "maybe", "reason": "r"}, "unknown outcome"),
    ],
)
def test_a_review_is_refused_when_incomplete(personas, logs, given, says):
    with pytest.raises(ValidationError, match=says):
        do_review_log(logs["KT-1"], actor=personas["national"], **given)
    assert not IntelReview.objects.exists()


def test_a_handling_code_c_log_is_disseminated_only_with_the_handling_authority(personas, logs):
    unit = personas["national"]
    with pytest.raises(ValidationError, match="handling authority"):
        do_review_log(
            logs["CL-1"], actor=unit, outcome="disseminated_rocu", reason="r", recipient="ROCU"
        )
    do_review_log(
        logs["CL-1"],
        actor=unit,
        outcome="disseminated_rocu",
        reason="r",
        recipient="ROCU",
        handling_authority="DI North East",
    )
    row = AuditEvent.objects.get(detail__step="intel.review_log")
    assert (row.action, row.recipient, row.detail["handling_authority"]) == (
        "disclosure",
        "ROCU",
        "DI North East",
    )


def test_only_the_unit_reviews(personas, logs):
    for who in ("kent", "eastern", "partner", "admin"):
        with pytest.raises(PermissionDenied):
            do_review_log(logs["KT-1"], actor=personas[who], outcome="nfa", reason="r")


def test_an_export_with_c_logs_needs_the_handling_authority_and_is_a_disclosure(personas, logs):
    unit = personas["national"]
    every = list(IntelLog.objects.select_related("force"))
    with pytest.raises(ValidationError, match="1 of these logs have handling code C"):
        do_export_logs(every, actor=unit, recipient="NCA", purpose="Tasking")
    data = do_export_logs(
        every, actor=unit, recipient="NCA", purpose="Tasking", handling_authority="DI"
    )
    assert data.decode().count("\n") == 4
    row = AuditEvent.objects.get(detail__step="intel.export_logs")
    assert row.action == "disclosure" and row.detail["handling_authority"] == "DI"
    assert row.detail["intel_logs"] == ["cleveland:CL-1", "kent:KT-1", "kent:KT-2"]
    # without C logs no authority is asked for
    assert do_export_logs(
        every[:1] if every[0].handling_code == "P" else every[1:2],
        actor=unit,
        recipient="x",
        purpose="y",
    )


def test_the_queue_is_oldest_first_filtered_and_each_view_writes_a_consultation_row(personas, logs):
    client = Client()
    client.force_login(personas["national"])
    page = client.get("/intelligence/queue/")
    refs = [log.reference for log in page.context["page"].object_list]
    assert refs == ["KT-1", "CL-1", "KT-2"]
    assert page.context["backlog"].count == 3 and page.context["backlog"].overdue == 1
    row = AuditEvent.objects.filter(action="consultation").latest("seq")
    assert row.detail["intel_logs"] == ["cleveland:CL-1", "kent:KT-1", "kent:KT-2"]
    assert row.justification
    for query, expected in [
        ({"force": "kent"}, ["KT-1", "KT-2"]),
        ({"theme": "route:air"}, ["KT-2"]),
        ({"handling": "C"}, ["CL-1"]),
        ({"age": "overdue"}, ["KT-1"]),
        ({"age": "new"}, ["KT-2"]),
    ]:
        got = client.get("/intelligence/queue/", query).context["page"].object_list
        assert [log.reference for log in got] == expected, query
    client.get(f"/intelligence/{logs['KT-2'].pk}/")
    row = AuditEvent.objects.filter(action="consultation").latest("seq")
    assert row.detail["intel_logs"] == ["kent:KT-2"] and row.orgunit_code == "kent"


def test_a_coordinator_sees_their_region_only(personas, logs):
    client = Client()
    client.force_login(personas["eastern"])
    refs = {log.reference for log in client.get("/intelligence/").context["page"].object_list}
    assert refs == {"KT-1", "KT-2"}
    assert client.get(f"/intelligence/{logs['CL-1'].pk}/").status_code == 404


def _more_logs(actor: Any, n: int) -> None:
    send(
        actor,
        "kent",
        [log_row(f"KT-M{i}", exploitation_types="labour") for i in range(n)],
        "more.csv",
    )


@pytest.mark.parametrize(
    ("url", "persona", "queries"),
    [
        ("/intelligence/queue/", "national", 0),
        ("/intelligence/", "eastern", 0),
        ("/intelligence/dashboard/", "national", 0),
    ],
)
def test_pages_make_as_many_queries_with_more_logs(personas, logs, url, persona, queries):
    client = Client()
    client.force_login(personas[persona])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    assert len(small.captured_queries) > 5
    _more_logs(personas["kent"], 60)
    pinned_get(client, url, len(small.captured_queries))


def test_tagged_logs_are_derived_for_a_sending_force_and_returned_by_others(personas, logs):
    kent, essex = (OrgUnit.objects.get(code=c) for c in ("kent", "essex"))
    rows = [[f, "2023-09", "oic_intel_logs_tagged", "", 7, ""] for f in ("essex",)]
    assert (
        do_submit_return("sep.csv", csv_bytes(rows), actor=personas["national"]).status
        == "accepted"
    )
    assert engine.query("oic_intel_logs_tagged", kent, "2023-09").value == 2  # from its logs
    assert engine.query("oic_intel_logs_tagged", essex, "2023-09").value == 7  # its return
    # a sending force's return for a derived month is refused
    kent_rows = [["kent", "2023-09", "oic_intel_logs_tagged", "", 5, ""]]
    assert (
        do_submit_return("k.csv", csv_bytes(kent_rows), actor=personas["national"]).status
        == "rejected"
    )
    do_review_log(logs["KT-2"], actor=personas["national"], outcome="nfa", reason="r")
    today = timezone.localdate()
    month = f"{today:%Y-%m}"
    assert engine.query("intel_logs_reviewed", kent, month).value == 1
    assert engine.query("intel_logs_reviewed_in_time", kent, month).value == 1
    assert backlog(IntelLog.objects.all(), today).count == 2
