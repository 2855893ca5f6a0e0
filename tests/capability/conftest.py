"""Helpers for training and events tests: an event with a session, registration lists, and
a real SMTP server (aiosmtpd) that survey invitations are sent to."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from msoic.capability.actions import do_add_session, do_create_event, do_import_attendance
from msoic.capability.models import Event, Session
from msoic.orgunits.models import OrgUnit
from tests.conftest import csv_bytes

LIST_HEADER = ["email", "force", "role"]


def attendance_csv(rows: list[list[Any]]) -> bytes:
    return csv_bytes(rows, LIST_HEADER)


def make_event(
    actor: Any, owner: str = "national", title: str = "Investigators' course", kind: str = "course"
) -> Event:
    return do_create_event(OrgUnit.objects.get(code=owner), actor=actor, kind=kind, title=title)


def make_session(event: Event, actor: Any, on: date = date(2023, 6, 14)) -> Session:
    return do_add_session(
        event, actor=actor, on=on, mode="online", delivered_by="unit", audience="Forces"
    )


def attend(session: Session, actor: Any, rows: list[list[Any]], name: str = "list.csv") -> Any:
    outcome = do_import_attendance(session, name, attendance_csv(rows), actor=actor)
    assert outcome.status == "accepted", [str(p) for p in outcome.problems]
    return outcome


# --- a real SMTP server for survey invitations ---------------------------------------------


class SmtpSink:
    """A local SMTP server (aiosmtpd) that keeps every message it is given."""

    def __init__(self) -> None:
        import socket

        from aiosmtpd.controller import Controller

        self.messages: list[Any] = []
        with socket.socket() as probe:  # a free port on the loopback
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        from email import message_from_bytes, policy

        message = message_from_bytes(envelope.original_content, policy=policy.default)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def links(self) -> list[str]:
        """The survey links in the messages received, in order."""
        import re

        found = []
        for message in self.messages:
            body = message.get_body(preferencelist=("plain",)).get_content()
            found += re.findall(r"https?://\S+/training/survey/[^/\s]+/", body)
        return found


@pytest.fixture(scope="module")
def smtp_server() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.controller.start()
    try:
        yield sink
    finally:
        sink.controller.stop()


@pytest.fixture
def smtp_sink(smtp_server: SmtpSink, settings: Any) -> SmtpSink:
    """Django's SMTP backend pointed at the sink (no TLS: it is on the loopback)."""
    smtp_server.messages.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.DEFAULT_FROM_EMAIL = "training@msoicu.example"
    return smtp_server
