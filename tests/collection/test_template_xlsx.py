"""The XLSX return template: codes pre-filled, period as text, whole-number validation,
guidance from the catalogue, formula-safe labels, and a round trip through the pipeline."""

from __future__ import annotations

import dataclasses
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from msoic.catalogue.loader import get_catalogue
from msoic.collection.models import Submission, Value
from msoic.collection.pipeline import import_file
from msoic.collection.readers import read_xlsx
from msoic.collection.template_xlsx import HEADER, build_template, template_rows

MONTH = date(2024, 2, 1)


def make(dataset: str = "ms-monthly", force: str = "kent", catalogue=None) -> bytes:
    return build_template(catalogue or get_catalogue(), dataset, force, "Kent Police", MONTH)


def header_row(ws) -> int:
    for row in ws.iter_rows(min_row=1, max_row=20):
        if [c.value for c in row[: len(HEADER)]] == HEADER:
            return row[0].row
    raise AssertionError("no header row")


@pytest.mark.django_db
def test_template_has_a_row_per_total_and_breakdown_option_with_codes_filled_in():
    ws = load_workbook(io.BytesIO(make()))["Return"]
    top = header_row(ws)
    lines = [[c.value for c in r] for r in ws.iter_rows(min_row=top + 1, values_only=False)]
    codes = [(line[0], line[1], line[2], line[3] or "") for line in lines]
    # six metrics, live investigations with six exploitation types, NRM referrals with three ages
    assert len(codes) == 6 + 6 + 3
    assert codes[0] == ("kent", "2024-02", "ms_live_investigations", "")
    assert ("kent", "2024-02", "ms_live_investigations", "exploitation_type=criminal") in codes
    assert ("kent", "2024-02", "ms_nrm_referrals", "age_group=child") in codes
    assert all(line[4] is None for line in lines), "values start blank"
    labels = {(line[2], line[3] or ""): line[7] for line in lines}
    assert (
        labels[("ms_nrm_referrals", "age_group=child")]
        == "Age group at exploitation: Child (under 18)"
    )


@pytest.mark.django_db
def test_template_title_and_instructions_sit_above_the_header():
    ws = load_workbook(io.BytesIO(make()))["Return"]
    assert header_row(ws) > 2
    assert "Kent Police" in ws["A1"].value and "February 2024" in ws["A1"].value
    text = " ".join(str(ws.cell(row=r, column=1).value or "") for r in range(1, header_row(ws)))
    assert "whole numbers of 0 or more" in text
    assert "Due by 15 March 2024" in text


@pytest.mark.django_db
def test_period_cells_are_stored_as_text_so_excel_keeps_them_as_months():
    ws = load_workbook(io.BytesIO(make()))["Return"]
    top = header_row(ws)
    periods = [ws.cell(row=r, column=2) for r in range(top + 1, ws.max_row + 1)]
    assert {c.value for c in periods} == {"2024-02"}
    assert {c.data_type for c in periods} == {"s"}
    assert {c.number_format for c in periods} == {"@"}


@pytest.mark.django_db
def test_value_column_accepts_only_whole_numbers_of_zero_or_more():
    ws = load_workbook(io.BytesIO(make()))["Return"]
    top = header_row(ws)
    [validation] = ws.data_validations.dataValidation
    assert validation.type == "whole"
    assert validation.operator == "greaterThanOrEqual"
    assert validation.formula1 == "0"
    assert str(validation.sqref) == f"E{top + 1}:E{ws.max_row}"
    assert ws.protection.sheet is True
    assert ws.cell(row=top + 1, column=5).protection.locked is False
    assert ws.cell(row=top + 1, column=3).protection.locked is True


@pytest.mark.django_db
def test_guidance_sheet_carries_the_catalogue_help_text():
    wb = load_workbook(io.BytesIO(make("oic-monthly")))
    assert wb.sheetnames == ["Return", "Guidance"]
    text = "\n".join(str(c.value) for row in wb["Guidance"].iter_rows() for c in row if c.value)
    catalogue = get_catalogue()
    for metric in catalogue.dataset_metrics("oic-monthly"):
        assert metric.code in text
        assert metric.help in text
    assert "level=major (Major)" in text
    assert "accepted once a comment explains it" in text


@pytest.mark.django_db
def test_labels_from_the_catalogue_cannot_become_formulas():
    catalogue = get_catalogue()
    metric = catalogue.metrics["ms_arrests"]
    hostile = dataclasses.replace(metric, label='=HYPERLINK("http://x","y")', help="+SUM(A1)")
    catalogue = dataclasses.replace(catalogue, metrics={**catalogue.metrics, "ms_arrests": hostile})
    wb = load_workbook(io.BytesIO(make(catalogue=catalogue)))
    cells = [
        c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None
    ]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert any(c.value == '\'=HYPERLINK("http://x","y")' for c in cells)
    assert any(c.value == "'+SUM(A1)" for c in cells)


@pytest.mark.django_db
def test_blank_template_reads_back_as_rows_with_no_values():
    parsed = read_xlsx(make())
    assert len(parsed.rows) == len(template_rows(get_catalogue(), "ms-monthly"))
    assert parsed.rows[0].sheet == "Return"
    assert {r.cells["value"] for r in parsed.rows} <= {None, ""}


def fill(
    data: bytes,
    values: dict[tuple[str, str], int],
    comments: dict[tuple[str, str], str] | None = None,
) -> bytes:
    """Fill the template as a person would in Excel (here with openpyxl), and save it."""
    wb = load_workbook(io.BytesIO(data))
    ws = wb["Return"]
    top = header_row(ws)
    for r in range(top + 1, ws.max_row + 1):
        key = (ws.cell(row=r, column=3).value, ws.cell(row=r, column=4).value or "")
        if key in values:
            ws.cell(row=r, column=5).value = values[key]
        if comments and key in comments:
            ws.cell(row=r, column=6).value = comments[key]
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_filled_template_round_trips_through_the_pipeline(kent_user):
    values = {
        ("ms_live_investigations", ""): 20,
        ("ms_live_investigations", "exploitation_type=criminal"): 12,
        ("ms_live_investigations", "exploitation_type=sexual"): 5,
        ("ms_live_investigations", "exploitation_type=labour"): 3,
        ("ms_live_investigations", "exploitation_type=domestic_servitude"): 0,
        ("ms_live_investigations", "exploitation_type=organ_harvesting"): 0,
        ("ms_live_investigations", "exploitation_type=other"): 0,
        ("ms_recorded_crimes", ""): 9,
        ("ms_arrests", ""): 2,
    }
    filled = fill(make(), values, comments={("ms_arrests", ""): "two arrests on one operation"})
    outcome = import_file("ms-monthly_kent_2024-02.xlsx", filled, actor=kent_user)
    assert outcome.status == "accepted", outcome.lines()
    assert outcome.rows == len(values)
    sub = Submission.objects.get(dataset="ms-monthly", orgunit__code="kent", period=MONTH)
    assert sub.current_version.source == "xlsx"
    stored = {
        (v.metric, f"{v.breakdown}={v.option}" if v.breakdown else ""): v.value
        for v in Value.objects.filter(version=sub.current_version)
    }
    assert stored == values
    assert (
        Value.objects.get(version=sub.current_version, metric="ms_arrests").comment
        == "two arrests on one operation"
    )
    # the same file again changes nothing
    assert import_file("again.xlsx", filled, actor=kent_user).status == "unchanged"


def test_filled_template_with_a_bad_value_is_located_on_the_return_sheet(kent_user):
    filled = fill(make(), {("ms_arrests", ""): -1})
    outcome = import_file("t.xlsx", filled, actor=kent_user)
    assert outcome.status == "rejected"
    [problem] = outcome.errors
    ws = load_workbook(io.BytesIO(filled))["Return"]
    row = next(
        r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=3).value == "ms_arrests"
    )
    assert (problem.sheet, problem.row, problem.column) == ("Return", row, "E")
    assert not Submission.objects.exists()
