"""Helpers for training and events tests: an event with a session, and registration lists."""

from __future__ import annotations

from datetime import date
from typing import Any

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
