"""A small upload must never take the service down: hostile files, made here as real bytes,
are refused with a message naming the limit and where, by the one bounded reading path and
through every route that reads files (web upload, API, ``import_returns``, register import
and its command, HTCDS import); a workbook whose used range is huge but whose cells are few
is read for the cells it has. Time and memory are measured in ``benchmarks.readers``."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime, time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from msoic.accounts.models import ApiToken, TokenScope
from msoic.cases import actions as case_actions
from msoic.cases.exchange.actions import do_import_htcds
from msoic.cases.models import Investigation, Person
from msoic.cases.register.importer import PEOPLE_SHEET, do_import_register
from msoic.collection import reading
from msoic.collection.actions import do_create_import_job, run_import_job
from msoic.collection.models import ImportJob, Value
from msoic.collection.pipeline import import_file
from msoic.orgunits.models import OrgUnit
from tests.security import hostile_files as hostile

BASE = hostile.workbook()
WORKBOOKS = hostile.hostile_workbooks(BASE)
GOOD_CSV = hostile.csv_text([hostile.RETURN_HEADER, ["kent", "2024-01", "ms_arrests", "", "3", ""]])


def refusal(data: bytes, name: str = "r.xlsx") -> reading.FileRejected:
    with pytest.raises(reading.FileRejected) as caught:
        reading.read_file_rows(name, data)
    return caught.value


# --- the reading path itself -----------------------------------------------------------


@pytest.mark.parametrize("case", sorted(WORKBOOKS))
def test_every_hostile_workbook_is_refused_with_a_message(case):
    data, words = WORKBOOKS[case]
    assert words in refusal(data).message


@pytest.mark.parametrize("value", [None, " "])
def test_a_blank_looking_cell_in_the_far_corner_is_read_for_the_cells_that_exist(value):
    rows = reading.read_file_rows("r.xlsx", hostile.far_corner(BASE, value))
    assert rows == [hostile.RETURN_HEADER, ["kent", "2024-01", "ms_arrests", "", 3.0]]


def test_a_value_in_the_far_corner_is_refused_naming_the_limit_sheet_and_row():
    refused = refusal(hostile.far_corner(BASE, "x"))
    assert (refused.sheet, refused.row) == ("Return", 1_048_576)
    assert "at most 250,000 rows (MSOIC_READ_MAX_ROWS)" in refused.message
    assert "declares its used range as A1:XFD1048576" in refused.message


def test_a_value_far_to_the_right_is_refused_naming_its_column():
    refused = refusal(hostile.corner_at(BASE, "XFD2", 2))
    assert (refused.sheet, refused.row, refused.column) == ("Return", 2, "XFD")
    assert "at most 512 columns" in refused.message


def test_a_dimension_that_lies_does_not_decide_what_is_read():
    refused = refusal(hostile.dimension_lie(BASE))
    assert refused.row == 400_000 and "declares its used range as A1:F2" in refused.message
    small = hostile.corner_at(BASE, "C40", 40, "far but fine")
    rows = reading.read_file_rows("r.xlsx", small)
    assert len(rows) == 40 and rows[39] == ["", "", "far but fine"]
    assert all(row == [] for row in rows[2:39])


def test_many_empty_rows_cost_no_cells():
    rows = reading.read_file_rows("r.xlsx", hostile.many_empty_rows(BASE, 20_000))
    assert len(rows) == 2


def test_a_long_cell_is_named_by_sheet_row_and_column():
    refused = refusal(hostile.long_cell(BASE))
    assert (refused.sheet, refused.row, refused.column) == ("Return", 3, "F")
    assert "40,000 characters, over the limit of 32,767" in refused.message


def test_too_many_cells_in_a_file_is_refused_naming_the_limit(settings):
    settings.MSOIC_READ_MAX_CELLS = 1_000
    rows = [["kent", "2024-01", "ms_arrests", "", "1", "x"]] * 200
    data = hostile.csv_text([hostile.RETURN_HEADER, *rows])
    refused = refusal(data, "r.csv")
    assert "more than 1,000 cells" in refused.message and "MSOIC_READ_MAX_CELLS" in refused.message
    assert refused.row == 167
    xlsx = hostile.workbook(rows)
    assert "more than 1,000 cells" in refusal(xlsx).message


def test_too_many_rows_and_columns_in_a_csv_are_refused(settings):
    settings.MSOIC_READ_MAX_ROWS = 10
    settings.MSOIC_READ_MAX_COLUMNS = 8
    tall = hostile.csv_text([hostile.RETURN_HEADER] + [["kent"] * 6] * 12)
    assert refusal(tall, "r.csv").row == 11
    wide = hostile.csv_text([hostile.RETURN_HEADER, ["x"] * 9])
    refused = refusal(wide, "r.csv")
    assert (refused.row, refused.column) == (2, "I")
    trailing_commas = hostile.csv_text([hostile.RETURN_HEADER, ["x", *[""] * 20]])
    assert reading.read_file_rows("r.csv", trailing_commas)[1] == ["x"] + [""] * 7


@pytest.mark.parametrize(
    ("length", "says"),
    [(40_000, "40,000 characters"), (300_000, "longer than the csv reader accepts")],
)
def test_a_csv_field_too_long_is_refused_naming_its_row(length, says):
    refused = refusal(hostile.csv_giant_field(length=length), "r.csv")
    assert says in refused.message and "MSOIC_READ_MAX_CELL_CHARS" in refused.message
    assert refused.row == 2


def test_shared_strings_dates_and_booleans_read_as_a_spreadsheet_shows_them():
    """Excel writes text as shared strings and dates as styled numbers; both read back."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "People"
    ws.append(["crime_reference", "opened_on", "at", "time", "flag", "n"])
    ws.append(["46/1/24", date(2024, 3, 1), datetime(2024, 3, 1, 12, 30), time(10, 0), True, 7])
    buffer = io.BytesIO()
    wb.save(buffer)
    shared = _with_shared_strings(buffer.getvalue())
    for data in (buffer.getvalue(), shared):
        workbook = reading.open_workbook(data)
        assert workbook.sheet_names == [PEOPLE_SHEET]
        assert workbook.rows(PEOPLE_SHEET)[1] == [
            "46/1/24",
            date(2024, 3, 1),
            datetime(2024, 3, 1, 12, 30),  # noqa: DTZ001 (a spreadsheet's time has no zone)
            time(10, 0),
            True,
            7.0,
        ]


def test_error_booleans_formulas_and_spaces_read_as_the_spreadsheet_shows_them():
    """An error cell keeps its text (validation then says what is wrong with it), a formula
    gives its last value, and a cell of spaces is blank."""
    row = (
        b'<row r="3"><c r="A3" t="e"><v>#N/A</v></c><c r="B3" t="b"><v>0</v></c>'
        b'<c r="C3" t="str"><f>A1</f><v>force</v></c><c r="D3"><v>  </v></c></row>'
    )
    rows = reading.read_file_rows("r.xlsx", hostile.add_rows(BASE, row))
    assert rows[2] == ["#N/A", False, "force"]


def test_values_spread_over_a_wide_area_are_refused_naming_the_grid_limit(settings):
    """Two values far apart, each within the row and column caps, span a grid the reader
    would build whole: refused before it is built, naming the area and the limit."""
    settings.MSOIC_READ_MAX_GRID_CELLS = 100_000
    spread = hostile.corner_at(BASE, "SR200000", 200_000, "far")
    refused = refusal(spread)
    assert "spread over 200,000 rows × 512 columns" in refused.message
    assert "MSOIC_READ_MAX_GRID_CELLS" in refused.message
    assert (refused.sheet, refused.row) == ("Return", 200_000)


def test_a_blank_shared_string_or_an_empty_cell_in_the_far_corner_is_no_cell():
    with_blank_shared = _with_shared_strings(hostile.far_corner(BASE, " "))
    empty_element = hostile.add_rows(
        BASE, b'<row r="1048576"><c r="XFD1048576" s="0"></c></row>', dimension="A1:XFD1048576"
    )
    for data in (with_blank_shared, empty_element):
        rows = reading.read_file_rows("r.xlsx", data)
        assert rows == [hostile.RETURN_HEADER, ["kent", "2024-01", "ms_arrests", "", 3.0]]


def test_cells_without_references_or_with_a_namespace_prefix_are_placed_and_capped():
    """The sheet XML may leave out cell references (a cell's place is then its order) or
    prefix its elements; such sheets are read cell by cell, with the same caps."""
    no_refs = hostile.edit_sheet(BASE, lambda xml: re.sub(rb'(<c) r="[A-Z]+[0-9]+"', rb"\1", xml))
    assert reading.read_file_rows("r.xlsx", no_refs)[1][:3] == ["kent", "2024-01", "ms_arrests"]
    far = hostile.add_rows(no_refs, b'<row r="300000"><c t="inlineStr"><is><t>x</t></is></c></row>')
    refused = refusal(far)
    assert refused.row == 300_000 and "MSOIC_READ_MAX_ROWS" in refused.message
    prefixed = hostile.edit_sheet(
        hostile.corner_at(BASE, "A300000", 300_000),
        lambda xml: re.sub(rb"<(/?)(c|v|is|t|row|sheetData|worksheet)\b", rb"<\1x:\2", xml).replace(
            b"<x:worksheet ",
            b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ',
        ),
    )
    assert "MSOIC_READ_MAX_ROWS" in refusal(prefixed).message


def _with_shared_strings(data: bytes) -> bytes:
    """The same workbook with its inline strings moved to xl/sharedStrings.xml, as Excel
    saves them (rich text runs and a phonetic run included)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    sheet = source.read(hostile.SHEET_PART).decode()
    strings: list[str] = []

    def move(match: re.Match[str]) -> str:
        strings.append(match.group(2))
        return f'<c r="{match.group(1)}" t="s"><v>{len(strings) - 1}</v></c>'

    sheet = re.sub(r'<c r="([A-Z]+\d+)" t="inlineStr"><is><t>([^<]*)</t></is></c>', move, sheet)
    items = "".join(
        f"<si><r><t>{s[:2]}</t></r><r><t>{s[2:]}</t></r><rPh><t>ignored</t></rPh></si>"
        for s in strings
    )
    shared = (
        f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{items}</sst>'
    ).encode()
    return hostile.rezip(
        data,
        replace={hostile.SHEET_PART: sheet.encode()},
        extra={"xl/sharedStrings.xml": shared},
    )


# --- every route -----------------------------------------------------------------------


def route_cases(base: bytes) -> dict[str, tuple[bytes, str, str]]:
    """(file, name, words its refusal must contain) for each file sent through the routes."""
    return {
        "far-corner-value": (hostile.far_corner(base, "x"), "r.xlsx", "MSOIC_READ_MAX_ROWS"),
        "webservice": (
            hostile.formula(base, 'WEBSERVICE("http://example.invalid/")'),
            "r.xlsx",
            "WEBSERVICE",
        ),
        "zip-bomb": (hostile.zip_bomb(base), "r.xlsx", "zip bomb"),
        "csv-giant-field": (hostile.csv_giant_field(), "r.csv", "MSOIC_READ_MAX_CELL_CHARS"),
        "not-a-zip": (hostile.NOT_A_ZIP, "r.xlsx", "not an Excel workbook"),
    }


ROUTE_CASES = route_cases(BASE)
# The register reads the sheets named Investigations and People only.
REGISTER_CASES = route_cases(hostile.workbook(sheet="Investigations"))


routes = pytest.mark.parametrize("case", sorted(ROUTE_CASES))


@routes
def test_web_upload_refuses_with_the_message(client, kent_user, settings, case):
    settings.MSOIC_RUN_JOBS_INLINE = True
    data, name, says = ROUTE_CASES[case]
    client.force_login(kent_user)
    response = client.post(
        "/returns/upload/", {"return_files": [SimpleUploadedFile(name, data)]}, follow=True
    )
    assert response.status_code == 200
    assert says in response.content.decode()
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE and job.summary["rejected"] == 1
    assert not Value.objects.exists()


@routes
def test_api_refuses_with_422_and_the_message(client, kent_user, case):
    data, name, says = ROUTE_CASES[case]
    _, raw = ApiToken.issue(kent_user, TokenScope.values)
    response = client.post(
        "/api/v1/returns",
        {"file": SimpleUploadedFile(name, data)},
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 422
    assert says in response.json()["problems"][0]["message"]
    assert not Value.objects.exists()


@routes
def test_import_returns_command_refuses_with_the_message(kent_user, tmp_path, capsys, case):
    data, name, says = ROUTE_CASES[case]
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(CommandError):
        call_command("import_returns", str(path), "--user", "kent.user")
    assert says in capsys.readouterr().out
    assert not Value.objects.exists()


@routes
def test_register_import_refuses_with_the_message(kent_user, tmp_path, capsys, case):
    data, name, says = REGISTER_CASES[case]
    kent = OrgUnit.objects.get(code="kent")
    result = do_import_register(name, data, kent, actor=kent_user)
    assert result.status == "rejected" and says in result.problems[0].message
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(CommandError):
        call_command("import_register", str(path), "--force", "kent")
    assert says in capsys.readouterr().out
    assert not Investigation.objects.exists()


@routes
def test_register_import_page_refuses_with_the_message(client, kent_user, case):
    data, name, says = REGISTER_CASES[case]
    client.force_login(kent_user)
    response = client.post(
        "/investigations/import/", {"register_files": [SimpleUploadedFile(name, data)]}
    )
    assert response.status_code == 200
    assert says in response.content.decode()
    assert not Investigation.objects.exists()


@routes
def test_htcds_import_refuses_with_the_message(kent_user, case):
    data, name, says = ROUTE_CASES[case]
    case = case_actions.do_create_investigation(
        OrgUnit.objects.get(code="kent"),
        actor=kent_user,
        crime_reference="46/900/24",
        opened_on=date(2024, 3, 1),
        exploitation_types=["labour"],
    )
    result = do_import_htcds(name, data, case, actor=kent_user, received_from="An NGO")
    assert result.status == "rejected" and says in result.problems[0].message
    assert not Person.objects.exists()


@pytest.mark.parametrize("case", ["wide-corner-value", "dde", "deep-xml", "long-cell"])
def test_the_returns_pipeline_refuses_and_stores_nothing(kent_user, case):
    data, words = WORKBOOKS[case]
    outcome = import_file("r.xlsx", data, actor=kent_user)
    assert outcome.status == "rejected" and words in outcome.errors[0].message
    assert not Value.objects.exists()


def test_the_pipeline_reads_a_workbook_with_a_blank_far_corner(kent_user):
    outcome = import_file("r.xlsx", hostile.far_corner(BASE, None), actor=kent_user)
    assert outcome.status == "accepted", outcome.lines()


# --- background jobs -------------------------------------------------------------------


def test_a_job_refuses_a_hostile_file_and_goes_on_with_the_next(kent_user):
    job = do_create_import_job(
        [("corner.xlsx", WORKBOOKS["far-corner-value"][0]), ("good.csv", GOOD_CSV)],
        actor=kent_user,
    )
    done = run_import_job(job.pk)
    assert done.status == ImportJob.Status.DONE
    first, second = done.files.order_by("position")
    assert first.outcome["status"] == "rejected"
    assert "MSOIC_READ_MAX_ROWS" in first.outcome["problems"][0]["message"]
    assert second.outcome["status"] == "accepted"
    assert done.summary["accepted"] == 1 and done.summary["rejected"] == 1


def test_a_file_the_service_stopped_on_twice_is_refused_not_read_again(kent_user):
    """A process that dies reading a file (out of memory) leaves it marked as being read;
    it is read again once (tests/runtime/test_faults.py), and when the process has died on
    it twice, the next run refuses it with the reason and carries on with the files behind."""
    job = do_create_import_job(
        [("killer.xlsx", WORKBOOKS["far-corner-value"][0]), ("good.csv", GOOD_CSV)],
        actor=kent_user,
    )
    killer = job.files.get(position=0)
    killer.outcome = {"status": "reading", "reads": 2}
    killer.save(update_fields=["outcome"])
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    call_command("run_import_jobs")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    killer.refresh_from_db()
    assert killer.outcome["status"] == "rejected" and killer.content == b""
    assert "stopped while reading this file" in killer.outcome["problems"][0]["message"]
    assert job.files.get(position=1).outcome["status"] == "accepted"


def test_a_job_with_a_hostile_file_does_not_hold_up_the_jobs_behind_it(kent_user, capsys):
    first = do_create_import_job([("bomb.xlsx", WORKBOOKS["zip-bomb"][0])], actor=kent_user)
    second = do_create_import_job([("good.csv", GOOD_CSV)], actor=kent_user)
    call_command("run_import_jobs")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.summary["rejected"]) == (ImportJob.Status.DONE, 1)
    assert (second.status, second.summary["accepted"]) == (ImportJob.Status.DONE, 1)


def test_a_large_sheet_without_cell_references_is_refused_naming_the_limit_and_the_fix():
    """The tester's file: 4,000 rows × 450 numbers in row and cell elements without ``r=``.
    Such a sheet is placed cell by cell, so it has a smaller cap of its own, counted before
    any cell is placed."""
    refused = refusal(hostile.unreferenced_cells(BASE))
    assert refused.sheet == "Return"
    assert "more than 100,000 cells" in refused.message
    assert "MSOIC_READ_MAX_UNREFERENCED_CELLS" in refused.message
    assert "without cell references" in refused.message
    assert "Excel or LibreOffice" in refused.message


def test_a_sheet_without_cell_references_under_its_cap_is_read_in_place(settings):
    settings.MSOIC_READ_MAX_UNREFERENCED_CELLS = 1_000
    rows = reading.read_file_rows("r.xlsx", hostile.unreferenced_cells(BASE, 20, 30))
    assert len(rows) == 20 and all(len(row) == 30 for row in rows)
    assert rows[0][:3] == [0.0, 1.0, 2.0] and rows[19][29] == 19 * 7 + 29
    refused = refusal(hostile.unreferenced_cells(BASE, 40, 30))
    assert "more than 1,000 cells" in refused.message


def test_a_workbook_with_over_a_million_shared_strings_is_read():
    """1.6 million three-character shared strings (under the upload limit) that no cell
    uses: read, and the sheet's own cells come back."""
    data = hostile.many_shared_strings(BASE)
    assert len(data) < 5 * 1024 * 1024
    rows = reading.read_file_rows("r.xlsx", data)
    assert rows == [hostile.RETURN_HEADER, ["kent", "2024-01", "ms_arrests", "", 3.0]]
