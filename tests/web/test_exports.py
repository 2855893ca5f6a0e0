"""Exports neutralise cells a spreadsheet would run as formulas: =, +, -, @, tab, CR."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from msoic.web.exports import csv_response, safe_cell, xlsx_bytes

DANGEROUS = [
    "=1+1",
    '=HYPERLINK("http://x","y")',
    "+44 123",
    "-2+3",
    "@SUM(A1:A2)",
    "\tcmd",
    "\r=1+1",
]


@pytest.mark.parametrize("text", DANGEROUS)
def test_text_starting_with_a_formula_character_is_quoted(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Kent Police", "Kent Police"),
        ("a=b", "a=b"),  # only the first character matters
        ("", ""),
        (None, ""),
        (12, 12),
        (-3, -3),  # a negative number is data
        (-10.8, -10.8),
        (0.5, 0.5),
        (True, "TRUE"),
        (False, "FALSE"),
    ],
)
def test_safe_values_pass_through(value, expected):
    assert safe_cell(value) == expected


def test_csv_response_neutralises_every_cell_and_the_header():
    response = csv_response("x.csv", ["=header", "b"], [["=1+1", 5], ["@x", -2], ["fine", "-1"]])
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [["'=header", "b"], ["'=1+1", "5"], ["'@x", "-2"], ["fine", "'-1"]]


def test_xlsx_cells_are_text_not_formulas():
    data = xlsx_bytes("Sheet", ["name", "value"], [[t, 1] for t in DANGEROUS], notes=["=note"])
    ws = load_workbook(io.BytesIO(data)).active
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type != "f" for c in cells)
    assert ws["A1"].value == "'=note"
    texts = [ws.cell(row=r, column=1).value for r in range(4, 4 + len(DANGEROUS))]
    assert all(t.startswith("'") for t in texts)
    assert texts[:-1] == ["'" + t for t in DANGEROUS[:-1]]  # (XML stores the last one's CR as LF)
    assert ws.cell(row=4, column=2).value == 1
