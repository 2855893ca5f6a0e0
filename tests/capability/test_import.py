"""Events, sessions and registration lists: what is stored, what is refused and where."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from msoic.audit.models import AuditEvent
from msoic.capability.actions import do_add_session, do_import_attendance
from msoic.capability.keys import attendee_key
from msoic.capability.models import Attendance
from tests.capability.conftest import attend, attendance_csv, make_event, make_session
from tests.conftest import xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(personas: dict[str, Any]) -> Any:
    return make_session(make_event(personas["national"]), personas["national"])


def test_a_list_is_stored_as_keys_never_as_emails(session, personas):
    outcome = attend(
        session,
        personas["national"],
        [
            ["Ann.Lee@Kent.police.uk ", "kent", "officer"],
            ["bo@essex.police.uk", "Essex Police", "Staff"],
            ["cy@nca.gov.uk", "nca", "partner"],
        ],
    )
    assert (outcome.new, outcome.unchanged, outcome.people) == (3, 0, 3)
    rows = {a.attendee_key: (a.orgunit.code, a.role) for a in Attendance.objects.all()}
    assert rows[attendee_key("ann.lee@kent.police.uk")] == ("kent", "officer")
    assert rows[attendee_key("bo@essex.police.uk")] == ("essex", "staff")
    assert rows[attendee_key("cy@nca.gov.uk")] == ("nca", "partner")
    stored = " ".join(k for k in rows)
    assert "@" not in stored and "ann" not in stored
    row = AuditEvent.objects.filter(detail__step="capability.import_attendance").get()
    assert row.action == "collection"
    assert row.detail["people_count"] == 3 and row.detail["new"] == 3
    assert "ann.lee" not in str(row.detail).lower()


def test_the_key_is_the_same_for_the_same_person_and_depends_on_the_secret(settings):
    assert attendee_key(" A@B.uk") == attendee_key("a@b.uk")
    assert attendee_key("a@b.uk") != attendee_key("c@b.uk")
    before = attendee_key("a@b.uk")
    settings.MSOIC_ATTENDEE_KEY = "x" * 40
    assert attendee_key("a@b.uk") != before and len(attendee_key("a@b.uk")) == 64


def test_importing_the_same_list_again_stores_nothing_new(session, personas):
    rows = [["a@kent.police.uk", "kent", "officer"], ["b@kent.police.uk", "kent", "staff"]]
    attend(session, personas["national"], rows)
    again = attend(session, personas["national"], rows)
    assert (again.new, again.unchanged, again.corrected) == (0, 2, 0)
    assert Attendance.objects.count() == 2


def test_a_later_list_corrects_a_role_and_adds_new_people(session, personas):
    attend(session, personas["national"], [["a@kent.police.uk", "kent", "officer"]])
    later = attend(
        session,
        personas["national"],
        [["a@kent.police.uk", "kent", "staff"], ["n@essex.police.uk", "essex", "officer"]],
    )
    assert (later.new, later.corrected) == (1, 1)
    assert Attendance.objects.get(attendee_key=attendee_key("a@kent.police.uk")).role == "staff"
    assert Attendance.objects.count() == 2


@pytest.mark.parametrize(
    ("row", "where", "says"),
    [
        (["", "kent", "officer"], "row 3, column A (email)", "no email"),
        (["not-an-email", "kent", "officer"], "row 3, column A (email)", "not an email"),
        (["x@kent.police.uk", "Kentt", "officer"], "row 3, column B (force)", "unknown force"),
        (["x@kent.police.uk", "", "officer"], "row 3, column B (force)", "no force"),
        (["x@kent.police.uk", "kent", "sergeant"], "row 3, column C (role)", "unknown role"),
        (["x@kent.police.uk", "kent", "partner"], "row 3, column C (role)", "does not fit"),
        (["x@nca.gov.uk", "nca", "officer"], "row 3, column C (role)", "does not fit"),
        (["OK@kent.police.uk", "kent", "staff"], "row 3, column A (email)", "as on row 2"),
    ],
)
def test_a_bad_row_refuses_the_whole_list_naming_where(session, personas, row, where, says):
    rows = [["ok@kent.police.uk", "kent", "officer"], row]
    outcome = do_import_attendance(
        session, "june.csv", attendance_csv(rows), actor=personas["national"]
    )
    assert outcome.status == "rejected"
    assert [p.where for p in outcome.problems] == [f"june.csv, {where}"]
    assert says in outcome.problems[0].message
    assert Attendance.objects.count() == 0  # the good first row is not stored either
    refusal = AuditEvent.objects.get(detail__step="capability.import_attendance")
    assert refusal.action == "reject" and refusal.detail["errors"] == 1


def test_every_problem_is_reported_together(session, personas):
    rows = [
        ["a@kent.police.uk", "nowhere", "officer"],
        ["", "kent", "officer"],
        ["b@kent.police.uk", "kent", "chief"],
    ]
    outcome = do_import_attendance(
        session, "l.csv", attendance_csv(rows), actor=personas["national"]
    )
    assert [(p.row, p.column[0]) for p in outcome.problems] == [(2, "B"), (3, "A"), (4, "C")]


def test_a_list_without_the_columns_is_refused(session, personas):
    from tests.conftest import csv_bytes

    data = csv_bytes([["a@kent.police.uk", "kent"]], ["email", "force"])
    outcome = do_import_attendance(session, "l.csv", data, actor=personas["national"])
    assert outcome.status == "rejected"
    assert "no column 'role'" in outcome.problems[0].message
    assert outcome.problems[0].row == 1


def test_an_xlsx_list_is_read_through_the_bounded_path_with_its_sheet_named(session, personas):
    data = xlsx_bytes(
        [["a@kent.police.uk", "kent", "officer"], ["b@kent.police.uk", "Narnia", "officer"]],
        ["Email", "Force", "Role"],
        sheet="Delegates",
    )
    outcome = do_import_attendance(session, "reg.xlsx", data, actor=personas["national"])
    assert [str(p) for p in outcome.problems] == [
        "reg.xlsx, sheet Delegates, row 3, column B (force): unknown force or partner "
        "'Narnia' (give its code or name)"
    ]
    good = xlsx_bytes([["a@kent.police.uk", "kent", "officer"]], ["email", "force", "role"])
    assert do_import_attendance(session, "reg.xlsx", good, actor=personas["national"]).new == 1


def test_a_file_the_reading_path_refuses_is_refused_whole(session, personas):
    outcome = do_import_attendance(
        session, "l.xlsx", b"PK\x03\x04 not really a workbook", actor=personas["national"]
    )
    assert outcome.status == "rejected" and outcome.problems[0].file == "l.xlsx"
    outcome = do_import_attendance(session, "l.pdf", b"%PDF-1.7", actor=personas["national"])
    assert "file type not accepted" in outcome.problems[0].message
    assert Attendance.objects.count() == 0


def test_only_the_unit_and_the_owning_region_record_attendance(personas):
    unit_event = make_event(personas["national"])
    unit_session = make_session(unit_event, personas["national"])
    eastern_event = make_event(personas["eastern"], owner="eastern", title="ERSAP meeting")
    eastern_session = make_session(eastern_event, personas["eastern"])
    rows = attendance_csv([["a@kent.police.uk", "kent", "officer"]])
    for who in ("kent", "eastern", "partner", "admin"):
        with pytest.raises(PermissionDenied):
            do_import_attendance(unit_session, "l.csv", rows, actor=personas[who])
    for who in ("kent", "partner"):
        with pytest.raises(PermissionDenied):
            do_import_attendance(eastern_session, "l.csv", rows, actor=personas[who])
    assert do_import_attendance(eastern_session, "l.csv", rows, actor=personas["eastern"]).new == 1
    with pytest.raises(PermissionDenied):
        make_event(personas["eastern"], owner="north-east")
    with pytest.raises(PermissionDenied):
        do_add_session(
            unit_event,
            actor=personas["eastern"],
            on=date(2023, 5, 1),
            mode="online",
            delivered_by="coordinator",
        )


def test_events_and_sessions_are_audited(personas):
    event = make_event(personas["national"], title="NRP workshops", kind="workshop")
    make_session(event, personas["national"])
    steps = list(
        AuditEvent.objects.filter(detail__step__startswith="capability.")
        .order_by("pk")
        .values_list("action", "detail__step")
    )
    assert steps == [
        ("alteration", "capability.create_event"),
        ("alteration", "capability.add_session"),
    ]


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rows=st.lists(
        st.lists(st.one_of(st.text(max_size=30), st.integers(), st.none()), max_size=5),
        max_size=8,
    ),
    name=st.sampled_from(["l.csv", "l.xlsx"]),
)
def test_random_lists_are_stored_or_refused_never_an_error(session, personas, rows, name):
    """Random cells, as CSV and as XLSX, under the header or without one: the import only
    accepts or refuses with its own problems."""
    body = [["email", "force", "role"], *rows] if rows and rows[0] else rows
    make = xlsx_bytes if name.endswith(".xlsx") else _csv_of
    try:
        data = make(body[1:], body[0] if body else ["x"])
    except Exception:  # noqa: BLE001 - a row openpyxl or csv cannot write is not the case
        return
    outcome = do_import_attendance(session, name, data, actor=personas["national"])
    assert outcome.status in ("accepted", "rejected")
    assert (outcome.status == "rejected") == bool(outcome.problems)


def _csv_of(rows: list[list[Any]], header: list[str]) -> bytes:
    from tests.conftest import csv_bytes

    return csv_bytes(rows, header)
