"""The same survey link sent several times at the same moment, on a real PostgreSQL server:
the conditional update that spends the link lets one request through, every other one is
refused as used, and exactly one response (with its audit row) is stored. Other links
answered at the same moment are all stored. (SQLite serialises writers with BEGIN
IMMEDIATE; ``benchmarks/surveys.py`` races 275 POSTs on a file database. pytest's
in-memory SQLite cannot.)"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import close_old_connections, connection

from msoic.audit.models import AuditEvent
from msoic.capability.models import Invitation, Response
from msoic.capability.survey import actions
from msoic.capability.survey.links import Link, parse_token
from tests.capability.conftest import attend, make_event, make_session

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL pass)"
)


class _Capture:
    """An email connection that keeps the links' tokens instead of sending them."""

    def __init__(self) -> None:
        self.tokens: list[str] = []

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    def send_messages(self, messages: list[Any]) -> int:
        for m in messages:
            self.tokens.append(m.body.split("/training/survey/")[1].split("/")[0])
        return len(messages)


def _at_once(jobs: list[Callable[[], Any]]) -> list[str]:
    """Run every job at the same moment, one thread and connection each; what each gave."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(job: Callable[[], Any]) -> None:
        try:
            connection.ensure_connection()
            barrier.wait(timeout=10)
            try:
                job()
                result = "stored"
            except actions.LinkRefused as exc:
                result = exc.kind
            with lock:
                outcomes.append(result)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return sorted(outcomes)


def test_one_link_sent_six_times_at_once_stores_one_response(transactional_db, national_analyst):
    event = make_event(national_analyst, title="Race course")
    people = [[f"r{n}@x.uk", "kent", "officer"] for n in range(4)]
    attend(make_session(event, national_analyst), national_analyst, people)
    survey = actions.do_create_survey(
        event, actor=national_analyst, questions=[("agreement", "Useful"), ("text", "Comments")]
    )
    capture = _Capture()
    actions.do_invite_attendees(
        survey,
        "contacts.csv",
        b"email\n" + b"".join(f"r{n}@x.uk\n".encode() for n in range(4)),
        actor=national_analyst,
        base_url="http://testserver/",
        connection=capture,
    )
    useful, comments = survey.questions.all()
    links: list[Link] = [link for t in capture.tokens if (link := parse_token(t)) is not None]
    assert len(links) == 4
    raced, others = links[0], links[1:]

    def answer(link: Link, choice: int) -> Callable[[], Any]:
        return lambda: actions.do_submit_response(
            link, {useful.pk: choice, comments.pk: f"answer {choice}"}, hits={}
        )

    jobs = [answer(raced, 1 + n % 5) for n in range(6)] + [answer(link, 4) for link in others]
    assert _at_once(jobs) == ["stored"] * 4 + ["used"] * 5
    assert Response.objects.filter(survey=survey).count() == 4
    assert Invitation.objects.filter(survey=survey, used=True).count() == 4
    steps = AuditEvent.objects.filter(detail__step="capability.submit_survey_response")
    assert steps.count() == 4
