"""The return template saved as CSV (issue 11 item 10): "Save as CSV" in LibreOffice Calc
or Excel keeps the title and instructions above the header, and the CSV reader finds the
header below them as the workbook reader does, ignoring the label columns. Files are
re-saved by a real LibreOffice Calc (``soffice --headless --convert-to``) where one is
installed; Excel's "CSV UTF-8" (byte-order mark, CRLF, quotes only where needed, money as
shown, e.g. "1,234.56") is written here as Excel writes it. Errors still name the file,
row and column."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from msoic.catalogue.loader import get_catalogue
from msoic.collection.models import Submission, Value
from msoic.collection.pipeline import import_file
from msoic.collection.readers import FileRejected, find_header_row, read_csv, read_xlsx
from msoic.collection.template_xlsx import build_template
from tests.collection.test_template_xlsx import fill

MONTH = date(2024, 2, 1)
QUARTER = date(2024, 4, 1)
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_libreoffice = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice Calc is not installed (apt-get install libreoffice-calc-nogui)",
)
# LibreOffice's CSV filter options: comma, double quote, UTF-8, from row 1, then (token 7)
# whether every text cell is quoted, and (token 9) "save cell content as shown".
CALC_CSV = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,{quote_all},true,true"
CALC_XLSX = "xlsx:Calc MS Excel 2007 XML"

VALUES = {
    ("ms_live_investigations", ""): 20,
    ("ms_live_investigations", "exploitation_type=criminal"): 12,
    ("ms_live_investigations", "exploitation_type=sexual"): 5,
    ("ms_live_investigations", "exploitation_type=labour"): 3,
    ("ms_live_investigations", "exploitation_type=domestic_servitude"): 0,
    ("ms_live_investigations", "exploitation_type=organ_harvesting"): 0,
    ("ms_live_investigations", "exploitation_type=other"): 0,
    ("ms_recorded_crimes", ""): 1234,
    ("ms_arrests", ""): 2,
}
COMMENT = 'two arrests, one on "Operation Kestrel"'


def template(dataset: str = "ms-monthly", month: date = MONTH) -> bytes:
    return build_template(get_catalogue(), dataset, "kent", "Kent Police", month)


def filled_ms() -> bytes:
    return fill(template(), VALUES, comments={("ms_arrests", ""): COMMENT})


def resave(tmp_path: Path, data: bytes, suffix: str, target: str) -> bytes:
    """``data`` opened and saved again by LibreOffice Calc, as ``target`` (a filter)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    source = tmp_path / f"return.{suffix}"
    source.write_bytes(data)
    out = tmp_path / "out"
    subprocess.run(
        [
            str(SOFFICE),
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--convert-to",
            target,
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    [result] = out.iterdir()
    return result.read_bytes()


def stored_values() -> dict[tuple[str, str], int]:
    sub = Submission.objects.get(dataset="ms-monthly", orgunit__code="kent", period=MONTH)
    return {
        (v.metric, f"{v.breakdown}={v.option}" if v.breakdown else ""): v.value
        for v in Value.objects.filter(version=sub.current_version)
    }


def as_excel_writes_it(data: bytes, *, bom: bool, newline: str) -> bytes:
    """The Return sheet as Excel's "CSV UTF-8 (comma delimited)" writes it: each cell as
    shown (money with its thousands separator), quotes only where a cell needs them, every
    row as wide as the used range, CRLF line ends and a byte-order mark."""
    ws = load_workbook(io.BytesIO(data))["Return"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    for row in ws.iter_rows():
        shown = []
        for cell in row:
            value = cell.value
            if isinstance(value, int | float) and cell.number_format == "#,##0.00":
                value = f"{value:,.2f}"
            shown.append("" if value is None else str(value))
        writer.writerow(shown)
    return ("\ufeff" if bom else "").encode() + buffer.getvalue().encode("utf-8")


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ([["force", "period", "metric", "breakdown", "value"]], 0),
        ([["Title, with a comma", ""], ["", ""], ["Force", "Period", "Metric", "Value"]], 2),
        ([["\ufeffA title"], ["instructions"], ["force", "metric", "value", "metric_label"]], 2),
        ([[""], ["force", "period", "metirc", "breakdown", "value"]], 1),  # explained later
    ],
)
def test_header_row_is_found_below_titles_and_blank_rows(table, expected):
    assert find_header_row(table, sheet="") == expected


def test_no_header_row_says_so():
    with pytest.raises(FileRejected, match="no header row found in the first 30 rows"):
        find_header_row([["A title"], ["kent", "2024-01", "ms_arrests", "", "3"]], sheet="")


@pytest.mark.django_db
def test_csv_and_workbook_of_the_same_template_read_the_same_rows():
    data = filled_ms()
    from_xlsx = read_xlsx(data).rows
    from_csv = read_csv(as_excel_writes_it(data, bom=True, newline="\r\n")).rows
    assert [r.row for r in from_csv] == [r.row for r in from_xlsx]
    keys = ("force", "period", "metric", "breakdown")
    assert [[str(r.cells[k] or "") for k in keys] for r in from_csv] == [
        [str(r.cells[k] or "") for k in keys] for r in from_xlsx
    ]


@pytest.mark.parametrize(("bom", "newline"), [(True, "\r\n"), (False, "\r\n"), (True, "\n")])
def test_template_saved_as_csv_by_excel_is_accepted(kent_user, bom, newline):
    data = as_excel_writes_it(filled_ms(), bom=bom, newline=newline)
    outcome = import_file("ms-monthly_kent_2024-02.csv", data, actor=kent_user)
    assert outcome.status == "accepted", outcome.lines()
    assert stored_values() == VALUES
    arrests = Value.objects.get(metric="ms_arrests", is_current=True)
    assert arrests.comment == COMMENT and arrests.version.source == "csv"


@needs_libreoffice
@pytest.mark.parametrize("quote_all", ["false", "true"])
def test_template_resaved_as_csv_by_libreoffice_is_accepted(kent_user, tmp_path, quote_all):
    data = resave(tmp_path, filled_ms(), "xlsx", CALC_CSV.format(quote_all=quote_all))
    assert data.startswith(b'"Modern slavery monthly return: Kent Police, February 2024"')
    outcome = import_file("ms-monthly_kent_2024-02.csv", data, actor=kent_user)
    assert outcome.status == "accepted", outcome.lines()
    assert stored_values() == VALUES
    assert Value.objects.get(metric="ms_arrests", is_current=True).comment == COMMENT
    # and the workbook itself, re-saved by Calc, gives the same return (nothing changes)
    again = resave(tmp_path / "x", filled_ms(), "xlsx", CALC_XLSX)
    assert import_file("again.xlsx", again, actor=kent_user).status == "unchanged"


@needs_libreoffice
def test_money_resaved_by_libreoffice_as_shown_is_read_to_the_penny(kent_user, tmp_path):
    values = {("terminus_cash_seized", ""): 1234.56, ("terminus_lorry_stops", ""): 40}
    data = resave(
        tmp_path,
        fill(template("terminus-quarterly", QUARTER), values),
        "xlsx",
        CALC_CSV.format(quote_all="false"),
    )
    assert b'"1,234.56"' in data  # the cell as Calc shows it
    outcome = import_file("terminus.csv", data, actor=kent_user)
    assert outcome.status == "accepted", outcome.lines()
    cash = Value.objects.get(metric="terminus_cash_seized", is_current=True)
    assert cash.value == 123456  # pence


@needs_libreoffice
def test_bad_value_in_libreoffice_csv_names_file_row_and_column(kent_user, tmp_path):
    data = resave(
        tmp_path,
        fill(template(), {("ms_arrests", ""): -1}),
        "xlsx",
        CALC_CSV.format(quote_all="false"),
    )
    outcome = import_file("kent.csv", data, actor=kent_user)
    assert outcome.status == "rejected"
    [problem] = [p.as_dict("kent.csv") for p in outcome.errors]
    lines = data.decode("utf-8").splitlines()
    line = next(
        i for i, text in enumerate(lines, start=1) if text.startswith("kent,2024-02,ms_arrests,")
    )
    assert (problem["file"], problem["row"], problem["column"]) == ("kent.csv", line, "E")
    assert "negative" in problem["message"]
    assert not Submission.objects.exists()


def test_header_with_title_rows_but_a_misspelt_column_is_explained(db, kent_user):
    data = b'"A title, with a comma",,,,\r\n,,,,\r\nforce,period,metirc,breakdown,value\r\nkent,2024-01,ms_arrests,,3\r\n'
    outcome = import_file("r.csv", data, actor=kent_user)
    [problem] = [p.as_dict("r.csv") for p in outcome.errors]
    assert "did you mean 'metric'" in problem["message"]
    assert (problem["row"], problem["column"]) == (3, "C")
