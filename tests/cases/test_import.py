"""Bulk import of a force's register from CSV and XLSX: all or nothing per file, every
problem named with its file, sheet, row and column, checked by the register's own rules."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook

from msoic.audit.models import AuditAction, AuditEvent
from msoic.cases.models import Investigation, Person
from msoic.cases.register.importer import do_import_register, import_files, template_bytes
from msoic.orgunits.models import OrgUnit
from tests.conftest import csv_bytes

TODAY = date(2025, 6, 30)
INV_HEADER = [
    "crime_reference",
    "opened_on",
    "closed_on",
    "outcome",
    "exploitation_types",
    "primary_exploitation",
    "ocg_linked",
]
PEOPLE_HEADER = [
    "crime_reference",
    "category",
    "age_group",
    "gender",
    "nationality",
    "nrm_referred_on",
    "nrm_referred_by_police",
    "dtn_reported_on",
]
GOOD_INVESTIGATIONS = [
    ["46/1/24", "2024-01-10", "", "", "labour", "", "yes"],
    ["46/2/24", "2024-02-01", "2024-05-01", "charged", "sexual;criminal", "sexual", "no"],
]
GOOD_PEOPLE = [
    ["46/1/24", "victim", "adult", "female", "Albania", "2024-01-12", "yes", ""],
    ["46/1/24", "suspect", "adult", "male", "GB", "", "", ""],
    ["46/2/24", "victim", "adult", "male", "ROU", "", "", "2024-02-03"],
]


def workbook(investigations: list[list[Any]], people: list[list[Any]]) -> bytes:
    wb = Workbook()
    wb.active.title = "Guidance"
    wb.active.append(["anything a person reads"])
    for title, header, rows in (
        ("Investigations", INV_HEADER, investigations),
        ("People", PEOPLE_HEADER, people),
    ):
        ws = wb.create_sheet(title)
        ws.append(header)
        for row in rows:
            ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def kent(db: Any) -> OrgUnit:
    return OrgUnit.objects.get(code="kent")


def run(kent_user: Any, kent: OrgUnit, name: str, data: bytes, **kw: Any) -> Any:
    return do_import_register(name, data, kent, actor=kent_user, today=TODAY, **kw)


def messages(result: Any) -> list[str]:
    return [p.message for p in result.problems]


def test_good_workbook_stores_investigations_and_people_with_one_audit_row(kent_user, kent):
    result = run(kent_user, kent, "register.xlsx", workbook(GOOD_INVESTIGATIONS, GOOD_PEOPLE))
    assert result.status == "accepted", result.lines()
    assert (result.investigations, result.people) == (2, 3)
    closed = Investigation.objects.get(force=kent, crime_reference="46/2/24")
    assert closed.status == "closed" and closed.outcome == "charged"
    assert closed.exploitation_types == ["sexual", "criminal"]
    assert closed.primary_exploitation == "sexual"
    assert Investigation.objects.get(crime_reference="46/1/24").ocg_linked is True
    victim = Person.objects.get(investigation__crime_reference="46/1/24", category="victim")
    assert victim.nationality == "AL" and victim.nrm_referred_by_police is True
    assert victim.reference.startswith("KENT-P")
    assert Person.objects.get(nationality="RO").dtn_reported_on == date(2024, 2, 3)
    rows = AuditEvent.objects.filter(object_type="cases.register_import")
    assert [
        (r.action, r.detail["investigations_count"], r.detail["people_count"]) for r in rows
    ] == [(AuditAction.COLLECTION, 2, 3)]


def test_good_csv_files_one_per_kind_people_after_investigations(kent_user, kent):
    files = [
        ("people.csv", csv_bytes(GOOD_PEOPLE, PEOPLE_HEADER)),
        ("investigations.csv", csv_bytes(GOOD_INVESTIGATIONS, INV_HEADER)),
    ]
    results = import_files(files, kent, actor=kent_user)
    assert [(r.filename, r.status) for r in results] == [
        ("investigations.csv", "accepted"),
        ("people.csv", "accepted"),
    ]
    assert Person.objects.filter(force=kent).count() == 3


def test_dry_run_checks_without_storing(kent_user, kent):
    result = run(
        kent_user, kent, "r.xlsx", workbook(GOOD_INVESTIGATIONS, GOOD_PEOPLE), dry_run=True
    )
    assert result.status == "checked" and result.people == 3
    assert not Investigation.objects.exists()


def test_failure_on_the_last_row_stores_nothing(kent_user, kent):
    people = [*GOOD_PEOPLE, ["46/2/24", "victim", "adult", "female", "Atlantis", "", "", ""]]
    result = run(kent_user, kent, "register.xlsx", workbook(GOOD_INVESTIGATIONS, people))
    assert result.status == "rejected"
    [problem] = result.problems
    assert (problem.sheet, problem.row, problem.column) == ("People", 5, "E (nationality)")
    assert "Atlantis" in problem.message and "ISO 3166-1" in problem.message
    assert not Investigation.objects.exists() and not Person.objects.exists()
    rejected = AuditEvent.objects.get(action=AuditAction.REJECT)
    assert rejected.detail["first"]["row"] == 5


@pytest.mark.parametrize(
    ("rows", "row", "column", "words"),
    [
        (
            [*GOOD_INVESTIGATIONS, ["46/1/24", "2024-03-01", "", "", "labour", "", ""]],
            4,
            "A (crime_reference)",
            "also on row 2",
        ),
        (
            [["46/9/24", "2024-03-01", "2024-02-01", "nfa", "labour", "", ""]],
            2,
            "C (closed_on)",
            "cannot be before",
        ),
        (
            [["46/9/24", "2024-03-01", "", "", "slavery", "", ""]],
            2,
            "E (exploitation_types)",
            '"slavery" is not in the catalogue',
        ),
        (
            [["46/9/24", "31st March", "", "", "labour", "", ""]],
            2,
            "B (opened_on)",
            "is not a date",
        ),
        (
            [["46/9/24", "2024-03-01", "", "", "labour", "", "perhaps"]],
            2,
            "G (ocg_linked)",
            "is not yes or no",
        ),
    ],
    ids=[
        "duplicate-in-file",
        "closed-before-opened",
        "unknown-exploitation",
        "bad-date",
        "bad-flag",
    ],
)
def test_bad_investigation_rows_are_named(kent_user, kent, rows, row, column, words):
    result = run(kent_user, kent, "inv.csv", csv_bytes(rows, INV_HEADER))
    assert result.status == "rejected"
    assert [(p.row, p.column) for p in result.problems] == [(row, column)]
    assert words in result.problems[0].message
    assert not Investigation.objects.exists()


def test_crime_reference_already_on_the_register_is_refused(kent_user, kent):
    run(kent_user, kent, "first.csv", csv_bytes(GOOD_INVESTIGATIONS[:1], INV_HEADER))
    result = run(kent_user, kent, "again.csv", csv_bytes(GOOD_INVESTIGATIONS, INV_HEADER))
    assert result.status == "rejected"
    assert messages(result) == [
        "Crime reference 46/1/24 is already used by another investigation in this force"
    ]
    assert Investigation.objects.count() == 1


def test_the_same_crime_reference_in_another_force_is_fine(kent_user, essex_user, kent):
    essex = OrgUnit.objects.get(code="essex")
    do_import_register(
        "e.csv", csv_bytes(GOOD_INVESTIGATIONS, INV_HEADER), essex, actor=essex_user, today=TODAY
    )
    assert run(kent_user, kent, "k.csv", csv_bytes(GOOD_INVESTIGATIONS, INV_HEADER)).ok


@pytest.mark.parametrize(
    ("person", "column", "words"),
    [
        (
            ["46/1/24", "victim", "child", "male", "GB", "", "", "2024-02-01"],
            "H (dtn_reported_on)",
            "only for an adult",
        ),
        (
            ["46/1/24", "victim", "adult", "male", "Narnia", "", "", ""],
            "E (nationality)",
            "ISO 3166-1",
        ),
        (
            ["46/8/24", "victim", "adult", "male", "GB", "", "", ""],
            "A (crime_reference)",
            "No investigation 46/8/24",
        ),
        (
            ["46/1/24", "neighbour", "adult", "male", "GB", "", "", ""],
            "B (category)",
            "is not one of",
        ),
    ],
    ids=["dtn-for-a-child", "unknown-nationality", "unknown-investigation", "unknown-category"],
)
def test_bad_person_rows_are_named(kent_user, kent, person, column, words):
    result = run(kent_user, kent, "r.xlsx", workbook(GOOD_INVESTIGATIONS, [person]))
    assert result.status == "rejected"
    assert [(p.sheet, p.row, p.column) for p in result.problems] == [("People", 2, column)]
    assert words in result.problems[0].message
    assert not Investigation.objects.exists()


def test_every_problem_of_a_file_is_reported_at_once(kent_user, kent):
    rows = [
        ["46/1/24", "2024-03-01", "2024-02-01", "nfa", "labour", "", ""],
        ["46/2/24", "2024-03-01", "", "", "slavery", "", ""],
    ]
    result = run(kent_user, kent, "inv.csv", csv_bytes(rows, INV_HEADER))
    assert [p.row for p in result.problems] == [2, 3]


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("r.csv", b"crime_reference,opened\n", "did you mean 'opened_on'"),
        ("r.csv", b"\xff\xfec\x00r\x00", "not text"),
        ("r.xlsx", b"not a zip", "not an Excel workbook"),
        ("r.xlsm", b"PK\x03\x04", "without macros"),
        ("r.xlsx", None, "no sheet named Investigations or People"),
    ],
    ids=["unknown-header", "utf16", "fake-xlsx", "macro", "no-register-sheets"],
)
def test_files_that_cannot_be_read_are_refused_whole(kent_user, kent, name, data, words):
    if data is None:
        wb = Workbook()
        wb.active.title = "Return"
        buffer = io.BytesIO()
        wb.save(buffer)
        data = buffer.getvalue()
    result = run(kent_user, kent, name, data)
    assert result.status == "rejected" and words in result.problems[0].message


def test_force_user_cannot_import_into_another_force(essex_user, kent):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        do_import_register(
            "r.csv", csv_bytes(GOOD_INVESTIGATIONS, INV_HEADER), kent, actor=essex_user
        )


def test_template_has_guidance_and_both_sheets_that_import_back(kent_user, kent):
    data = template_bytes()
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Guidance", "Investigations", "People"]
    ws = wb["Investigations"]
    ws.append(["46/5/24", "2024-01-10", None, None, None, "labour"])
    buffer = io.BytesIO()
    wb.save(buffer)
    result = run(kent_user, kent, "template.xlsx", buffer.getvalue())
    assert result.status == "accepted", result.lines()
    assert Investigation.objects.get().primary_exploitation == "labour"


@pytest.mark.parametrize("size", [10, 300])
def test_checking_is_a_fixed_number_of_queries_whatever_the_rows(
    kent_user, kent, django_assert_num_queries, size
):
    many = [[f"46/{n}/24", "2024-01-10", "", "", "labour", "", ""] for n in range(size)]
    people = [[f"46/{n}/24", "victim", "adult", "female", "GB", "", "", ""] for n in range(size)]
    data = workbook(many, people)
    run(kent_user, kent, "warm.csv", csv_bytes(GOOD_INVESTIGATIONS, INV_HEADER), dry_run=True)
    # write access, the stored references, the catalogue once for each of its two option lists
    with django_assert_num_queries(4):
        result = run(kent_user, kent, "big.xlsx", data, dry_run=True)
    assert result.status == "checked" and result.people == size


def test_command_imports_for_a_force_and_refuses_a_bad_file(kent_user, kent, tmp_path, capsys):
    good = tmp_path / "investigations.csv"
    good.write_bytes(csv_bytes(GOOD_INVESTIGATIONS, INV_HEADER))
    call_command("import_register", str(good), "--force", "kent", "--user", "kent.user")
    assert "ACCEPTED" in capsys.readouterr().out
    assert Investigation.objects.filter(force=kent).count() == 2
    bad = tmp_path / "bad.csv"
    bad.write_bytes(
        csv_bytes([["46/7/24", "2024-03-01", "2024-01-01", "nfa", "", "", ""]], INV_HEADER)
    )
    with pytest.raises(CommandError):
        call_command("import_register", str(bad), "--force", "kent")
    assert "bad.csv, row 2, column C (closed_on)" in capsys.readouterr().out
    with pytest.raises(CommandError, match="cannot write"):
        call_command("import_register", str(good), "--force", "essex", "--user", "kent.user")


def test_a_pair_sent_together_is_one_unit_and_the_corrected_pair_then_succeeds(kent_user, kent):
    bad_people = [*GOOD_PEOPLE, ["46/1/24", "victim", "adult", "female", "Atlantis", "", "", ""]]
    first = import_files(
        [
            ("investigations.csv", csv_bytes(GOOD_INVESTIGATIONS, INV_HEADER)),
            ("people.csv", csv_bytes(bad_people, PEOPLE_HEADER)),
        ],
        kent,
        actor=kent_user,
    )
    assert [(r.filename, r.status) for r in first] == [
        ("investigations.csv", "rejected"),
        ("people.csv", "rejected"),
    ]
    assert "not stored because people.csv (sent with it) was refused" in messages(first[0])[0]
    assert [(p.row, p.column) for p in first[1].problems] == [(5, "E (nationality)")]
    assert not Investigation.objects.filter(force=kent).exists()
    assert not Person.objects.filter(force=kent).exists()
    rejections = AuditEvent.objects.filter(
        object_type="cases.register_import", action=AuditAction.REJECT
    )
    assert sorted(rejections.values_list("object_id", flat=True)) == [
        "investigations.csv",
        "people.csv",
    ]

    again = import_files(
        [
            ("investigations.csv", csv_bytes(GOOD_INVESTIGATIONS, INV_HEADER)),
            ("people.csv", csv_bytes(GOOD_PEOPLE, PEOPLE_HEADER)),
        ],
        kent,
        actor=kent_user,
    )
    assert [r.status for r in again] == ["accepted", "accepted"], [r.lines() for r in again]
    assert Investigation.objects.filter(force=kent).count() == 2
    assert Person.objects.filter(force=kent).count() == 3


def test_an_unreadable_people_file_leaves_its_investigations_file_unstored(kent_user, kent):
    results = import_files(
        [
            ("investigations.csv", csv_bytes(GOOD_INVESTIGATIONS, INV_HEADER)),
            ("people.csv", b"crime_reference,category\n" + b"x" * 200_000 + b",victim\n"),
        ],
        kent,
        actor=kent_user,
    )
    assert [r.status for r in results] == ["rejected", "rejected"]
    assert "MSOIC_READ_MAX_CELL_CHARS" in messages(results[1])[0]
    assert results[1].problems[0].row == 2
    assert not Investigation.objects.filter(force=kent).exists()


def test_the_same_crime_reference_in_two_files_of_one_upload_is_refused(kent_user, kent):
    results = import_files(
        [
            ("a.csv", csv_bytes(GOOD_INVESTIGATIONS[:1], INV_HEADER)),
            ("b.csv", csv_bytes(GOOD_INVESTIGATIONS[:1], INV_HEADER)),
        ],
        kent,
        actor=kent_user,
    )
    assert "Crime reference 46/1/24 is also in a.csv, sent with this file" in messages(results[1])
    assert not Investigation.objects.filter(force=kent).exists()
