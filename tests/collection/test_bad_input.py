"""Every kind of bad input gets a message that says where (file, sheet, row, column) and
what, and changes nothing stored."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.test import override_settings

from msoic.collection.models import StoredFile, Submission, SubmissionVersion, Value
from msoic.collection.pipeline import import_file
from tests.conftest import csv_bytes, xlsx_bytes

GOOD = [["kent", "2024-01", "ms_arrests", "", 3, ""]]


@pytest.fixture
def existing(db, kent_user):
    """A return already stored, which no bad file may disturb."""
    outcome = import_file(
        "first.csv", csv_bytes([["kent", "2023-12", "ms_arrests", "", 7, ""]]), actor=kent_user
    )
    assert outcome.status == "accepted"
    return snapshot()


def snapshot():
    return (
        list(Value.objects.order_by("pk").values_list("pk", "value", "is_current")),
        list(SubmissionVersion.objects.order_by("pk").values_list("pk", "number")),
        Submission.objects.count(),
        StoredFile.objects.count(),
    )


def rejected(name: str, data: bytes, actor) -> list[dict]:
    outcome = import_file(name, data, actor=actor)
    assert outcome.status == "rejected", outcome.lines()
    return [p.as_dict(name) for p in outcome.errors]


def one(problems: list[dict]) -> dict:
    assert len(problems) == 1, problems
    return problems[0]


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("12.5", "12.5 is not a whole number"),
        ("-3", "-3 is negative"),
        ("NA", "'NA' is not a number; leave the cell blank"),
        ("=1+1", "looks like a formula"),
        ("1,234", "thousands separator; write 1234"),
        ("twelve", "'twelve' is not a number"),
    ],
)
def test_bad_value_in_csv_is_located_and_stores_nothing(existing, kent_user, value, says):
    problem = one(
        rejected("r.csv", csv_bytes([["kent", "2024-01", "ms_arrests", "", value, ""]]), kent_user)
    )
    assert (problem["file"], problem["row"], problem["column"]) == ("r.csv", 2, "E")
    assert says in problem["message"]
    assert snapshot() == existing


@pytest.mark.parametrize(
    ("value", "says"),
    [
        (12.5, "12.5 is not a whole number"),
        (-3, "-3 is negative"),
        ("NA", "not a number"),
        ("1,234", "thousands separator"),
        (True, "true/false"),
    ],
)
def test_bad_value_in_xlsx_names_the_sheet(existing, kent_user, value, says):
    problem = one(
        rejected(
            "r.xlsx",
            xlsx_bytes([["kent", "2024-01", "ms_arrests", "", value, ""]], preamble=3),
            kent_user,
        )
    )
    assert (problem["sheet"], problem["row"], problem["column"]) == ("Return", 5, "E")
    assert says in problem["message"]
    assert snapshot() == existing


def test_formula_cell_in_xlsx_is_refused(existing, kent_user):
    # openpyxl writes a string starting with '=' as a formula; calamine reads the (absent)
    # cached result as blank, so the row carries no value and the file holds nothing to store.
    outcome = import_file(
        "f.xlsx", xlsx_bytes([["kent", "2024-01", "ms_arrests", "", "=1+1", ""]]), actor=kent_user
    )
    assert outcome.status == "rejected"
    assert snapshot() == existing


@pytest.mark.parametrize(
    ("row", "column", "says"),
    [
        (["devon", "2024-01", "ms_arrests", "", 1, ""], "A", "Unknown force code: 'devon'"),
        (["kent", "2024-01", "ms_arests", "", 1, ""], "C", "Unknown metric code: 'ms_arests'"),
        (
            ["kent", "2024-01", "ms_live_investigations", "exploitation_type=fishing", 1, ""],
            "D",
            "'fishing' is not an option",
        ),
        (
            ["kent", "2024-01", "ms_arrests", "age_group=adult", 1, ""],
            "D",
            "has no breakdown 'age_group'",
        ),
        (["kent", "2024-01", "ms_live_investigations", "criminal", 1, ""], "D", "name=option"),
        (["kent", "2099-01", "ms_arrests", "", 1, ""], "B", "in the future"),
        (
            ["kent", "2021-03", "ms_arrests", "", 1, ""],
            "B",
            "2021-03 is before 2021-04, the first period of",
        ),
        (["kent", "Jan-24", "ms_arrests", "", 1, ""], "B", "not a month written YYYY-MM"),
        (["kent", "2024-13", "ms_arrests", "", 1, ""], "B", "not a month written YYYY-MM"),
        (
            ["essex", "2024-01", "ms_arrests", "", 1, ""],
            "A",
            "may not submit returns for this force",
        ),
    ],
)
def test_bad_codes_and_periods_are_located(existing, kent_user, row, column, says):
    problem = one(rejected("r.csv", csv_bytes([row]), kent_user))
    assert (problem["row"], problem["column"]) == (2, column)
    assert says in problem["message"]
    assert snapshot() == existing


def test_every_bad_row_is_reported_together(existing, kent_user):
    rows = [
        GOOD[0],
        ["kent", "2024-01", "ms_charges", "", "x", ""],
        ["kent", "2024-01", "nope", "", 1, ""],
    ]
    problems = rejected("r.csv", csv_bytes(rows), kent_user)
    assert [(p["row"], p["column"]) for p in problems] == [(3, "E"), (4, "C")]
    assert snapshot() == existing  # the good row is not stored either


def test_duplicate_key_names_both_rows(existing, kent_user):
    problem = one(rejected("r.csv", csv_bytes(GOOD + GOOD), kent_user))
    assert problem["row"] == 3 and "also on row 2" in problem["message"]
    assert snapshot() == existing


def test_complete_breakdown_must_add_up(existing, kent_user):
    rows = [
        ["kent", "2024-01", "ms_nrm_referrals", "", 10, ""],
        ["kent", "2024-01", "ms_nrm_referrals", "age_group=adult", 6, ""],
        ["kent", "2024-01", "ms_nrm_referrals", "age_group=child", 3, ""],
        ["kent", "2024-01", "ms_nrm_referrals", "age_group=unknown", 0, ""],
    ]
    problem = one(rejected("r.csv", csv_bytes(rows), kent_user))
    assert problem["row"] == 2 and problem["column"] == "E"
    assert "add up to 9 but the total is 10" in problem["message"]
    assert snapshot() == existing


def test_partial_breakdown_may_not_exceed_the_total(existing, kent_user):
    rows = [
        ["kent", "2024-01", "ms_nrm_referrals", "", 5, ""],
        ["kent", "2024-01", "ms_nrm_referrals", "age_group=adult", 6, ""],
    ]
    assert (
        "more than the total of 5" in one(rejected("r.csv", csv_bytes(rows), kent_user))["message"]
    )
    ok = import_file(
        "r.csv",
        csv_bytes([rows[0], ["kent", "2024-01", "ms_nrm_referrals", "age_group=adult", 4, ""]]),
        actor=kent_user,
    )
    assert ok.status == "accepted"


def test_breakdown_without_total_is_refused(existing, kent_user):
    rows = [["kent", "2024-01", "ms_nrm_referrals", "age_group=adult", 6, ""]]
    assert "no total row" in one(rejected("r.csv", csv_bytes(rows), kent_user))["message"]


def test_wrong_encoding_is_explained(existing, kent_user):
    data = csv_bytes([["kent", "2024-01", "ms_arrests", "", 3, "café £5"]], encoding="cp1252")
    problem = one(rejected("r.csv", data, kent_user))
    assert "not UTF-8" in problem["message"] and "CSV UTF-8" in problem["message"]
    assert problem["row"] == 2
    assert snapshot() == existing


def test_utf16_is_explained(existing, kent_user):
    data = csv_bytes(GOOD, encoding="utf-16")
    assert "UTF-16" in one(rejected("r.csv", data, kent_user))["message"]


@pytest.mark.parametrize(("delimiter", "name"), [(";", "semicolons"), ("\t", "tabs")])
def test_wrong_delimiter_is_explained(existing, kent_user, delimiter, name):
    problem = one(rejected("r.csv", csv_bytes(GOOD, delimiter=delimiter), kent_user))
    assert f"separated by {name}" in problem["message"] and problem["row"] == 1
    assert snapshot() == existing


def test_utf8_bom_blank_and_trailing_rows_are_fine(existing, kent_user):
    text = "\ufeffforce,period,metric,breakdown,value,comment\r\n\r\nkent,2024-01,ms_arrests,,3,\r\n,,,,,\r\n\r\n"
    outcome = import_file("bom.csv", text.encode("utf-8"), actor=kent_user)
    assert outcome.status == "accepted" and outcome.rows == 1


@pytest.mark.parametrize(
    ("header", "says"),
    [
        (["force", "period", "metirc", "breakdown", "value", "comment"], "did you mean 'metric'"),
        (["force", "period", "breakdown", "value", "comment"], "missing column(s) metric"),
    ],
)
def test_misspelt_or_missing_header(existing, kent_user, header, says):
    problem = one(
        rejected(
            "r.csv", csv_bytes([], header=header) + b"kent,2024-01,ms_arrests,,3,\n", kent_user
        )
    )
    assert says in problem["message"] and problem["row"] == 1
    assert snapshot() == existing


def test_file_without_header_row(existing, kent_user):
    data = b"kent,2024-01,ms_arrests,,3,\n"
    assert "no header row found" in one(rejected("r.csv", data, kent_user))["message"]


def test_misspelt_header_in_xlsx_names_sheet_and_column(existing, kent_user):
    data = xlsx_bytes(
        [["kent", "2024-01", "ms_arrests", "", 3, ""]],
        header=["force", "period", "metric", "breakdwn", "value", "comment"],
    )
    problem = one(rejected("r.xlsx", data, kent_user))
    assert (problem["sheet"], problem["row"], problem["column"]) == ("Return", 1, "D")


def test_value_in_a_column_without_header(existing, kent_user):
    data = csv_bytes([["kent", "2024-01", "ms_arrests", "", 3, "", "stray"]])
    problem = one(rejected("r.csv", data, kent_user))
    assert (problem["row"], problem["column"]) == (2, "G")


@override_settings(MSOIC_MAX_UPLOAD_BYTES=200)
def test_file_over_the_size_limit(existing, kent_user):
    data = csv_bytes(GOOD * 20)
    assert "over the limit of 200 bytes" in one(rejected("big.csv", data, kent_user))["message"]
    assert snapshot() == existing


def test_xlsx_that_is_not_a_spreadsheet(existing, kent_user):
    assert (
        "not an Excel workbook"
        in one(rejected("r.xlsx", b"force,period\nkent,2024-01\n", kent_user))["message"]
    )
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("hello.txt", "hi")
    assert (
        "not an Excel workbook" in one(rejected("r.xlsx", zipped.getvalue(), kent_user))["message"]
    )
    assert snapshot() == existing


def test_old_xls_and_unknown_types_are_refused(existing, kent_user):
    assert ".xls" in one(rejected("r.xls", b"\xd0\xcf\x11\xe0" + b"0" * 100, kent_user))["message"]
    assert "file type not accepted" in one(rejected("r.pdf", b"%PDF-1.4", kent_user))["message"]


def _rezip(
    data: bytes, extra: dict[str, bytes] | None = None, replace: dict[str, bytes] | None = None
) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in source.infolist():
            z.writestr(
                item.filename, (replace or {}).get(item.filename, source.read(item.filename))
            )
        for name, content in (extra or {}).items():
            z.writestr(name, content)
    return out.getvalue()


def test_macro_enabled_workbook_is_refused(existing, kent_user):
    good = xlsx_bytes(GOOD)
    assert "macro" in one(rejected("r.xlsm", good, kent_user))["message"]
    with_vba = _rezip(good, extra={"xl/vbaProject.bin": b"\x00" * 64})
    assert "macros" in one(rejected("r.xlsx", with_vba, kent_user))["message"]
    types = (
        zipfile.ZipFile(io.BytesIO(good))
        .read("[Content_Types].xml")
        .replace(b"spreadsheetml.sheet.main+xml", b"sheet.macroEnabled.main+xml")
    )
    assert (
        "macro"
        in one(rejected("r.xlsx", _rezip(good, replace={"[Content_Types].xml": types}), kent_user))[
            "message"
        ]
    )
    assert snapshot() == existing


def test_zip_bomb_is_refused(existing, kent_user):
    bomb = _rezip(xlsx_bytes(GOOD), extra={"xl/media/padding.xml": b"\x00" * (60 * 1024 * 1024)})
    assert len(bomb) < 1024 * 1024
    message = one(rejected("bomb.xlsx", bomb, kent_user))["message"]
    assert "zip bomb" in message
    assert snapshot() == existing


def test_xml_entity_bomb_is_refused(existing, kent_user):
    good = xlsx_bytes(GOOD)
    sheet = zipfile.ZipFile(io.BytesIO(good)).read("xl/worksheets/sheet1.xml")
    body = sheet.split(b"?>", 1)[1] if sheet.startswith(b"<?xml") else sheet
    evil = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        + body
    )
    message = one(
        rejected("evil.xlsx", _rezip(good, replace={"xl/worksheets/sheet1.xml": evil}), kent_user)
    )["message"]
    assert "DTD or XML entities" in message and "sheet1.xml" in message
    assert snapshot() == existing


def test_empty_file(existing, kent_user):
    assert "empty" in one(rejected("r.csv", b"", kent_user))["message"]


def test_another_forces_rows_from_a_force_user_block_the_whole_file(existing, kent_user):
    rows = [GOOD[0], ["essex", "2024-01", "ms_arrests", "", 2, ""]]
    problem = one(rejected("r.csv", csv_bytes(rows), kent_user))
    assert (problem["row"], problem["column"]) == (3, "A")
    assert snapshot() == existing


def test_rejections_are_audited(existing, kent_user):
    from msoic.audit.models import AuditEvent

    rejected("r.csv", csv_bytes([["kent", "2024-01", "ms_arrests", "", "x", ""]]), kent_user)
    event = AuditEvent.objects.order_by("-seq").first()
    assert (
        event.action == "reject" and event.actor == kent_user and event.detail["first"]["row"] == 2
    )
