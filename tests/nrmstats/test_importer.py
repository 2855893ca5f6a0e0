"""Reading a file laid out like the Home Office's NRM tables: both layouts, the quarters as
published, the header block, and every bad cell named by file, sheet, row and column; hostile
files refused by the bounded reading path before anything is read."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from msoic.nrmstats.importer import (
    NrmFileError,
    parse_count,
    parse_quarter,
    read_release,
    to_rows,
)
from tests.nrmstats.conftest import HEADER_BLOCK, csv_of, responder_rows, xlsx_of
from tests.security.hostile_files import hostile_workbooks, workbook

Q = {"Jan to Mar 2015": [300, 250, 240, 60, 40], "Apr to Jun 2015": [310, 260, 250, 62, 38]}


def problems(exc: NrmFileError) -> list[str]:
    found = getattr(exc, "problems", [exc])
    return [f"{p.where()}: {p.message}" for p in found]


@pytest.mark.parametrize(
    ("written", "start"),
    [
        ("Jan to Mar 2015", date(2015, 1, 1)),
        ("January to March 2015", date(2015, 1, 1)),
        ("Oct - Dec 2023", date(2023, 10, 1)),
        ("2015 Q1", date(2015, 1, 1)),
        ("Q3 2019", date(2019, 7, 1)),
        ("2020-Q2", date(2020, 4, 1)),
        ("Q1 2023/24", date(2023, 4, 1)),
        ("Q4 2023/24", date(2024, 1, 1)),
        ("FY2014-15-Q4", date(2015, 1, 1)),
        ("FY2023-24-Q1", date(2023, 4, 1)),
        (datetime(2016, 8, 1), date(2016, 7, 1)),
    ],
)
def test_quarters_as_published(written: Any, start: date) -> None:
    assert parse_quarter(written) == start


@pytest.mark.parametrize(
    "written",
    [
        "Jan to Apr 2015",
        "Feb to Apr 2015",
        "Q5 2015",
        "2015",
        "Q1 2023/25",
        "FY2023-25-Q1",
        "total",
    ],
)
def test_not_quarters(written: str) -> None:
    assert parse_quarter(written) is None


def test_a_quarter_without_its_year_takes_the_year_column() -> None:
    assert parse_quarter("Q2", 2017) == date(2017, 4, 1)
    assert parse_quarter("Jul to Sep", 2017) == date(2017, 7, 1)
    assert parse_quarter("Q2") is None


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        (12, 12),
        (12.0, 12),
        ("1,234", 1234),
        (" 7 ", 7),
        ("-", 0),
        ("", None),
        ("..", None),
        ("[x]", None),
        (None, None),
    ],
)
def test_counts(cell: Any, value: int | None) -> None:
    assert parse_count(cell) == value


@pytest.mark.parametrize("cell", [-1, 1.5, "12a", "n", True, date(2020, 1, 1)])
def test_bad_counts(cell: Any) -> None:
    with pytest.raises(ValueError):
        parse_count(cell)


def test_a_quarter_per_row_under_a_header_block_csv() -> None:
    release = read_release("release.csv", csv_of(responder_rows(Q)))
    assert release.quarters == [date(2015, 1, 1), date(2015, 4, 1)]
    first = release.counts[date(2015, 1, 1)]["first_responder"]
    assert {k: c.value for k, c in first.items()} == {
        "police": 300,
        "local_authority": 250,
        "home_office": 240,
        "ngo": 60,
        "other": 40,
    }
    assert first["police"].row == len(HEADER_BLOCK) + 2 and first["police"].column == "B"
    rows = to_rows(release, "national").rows
    assert [r.cells["breakdown"] for r in rows[:2]] == ["", "first_responder=home_office"]
    assert rows[0].cells["value"] == 890 and rows[0].cells["period"] == "FY2014-15-Q4"


def test_a_quarter_per_column_and_a_year_column_in_a_workbook() -> None:
    by_row = [
        *HEADER_BLOCK,
        [
            "Year",
            "Quarter",
            "Police",
            "Local authorities",
            "UK Visas and Immigration",
            "Border Force",
            "NGO",
            "Other first responders",
        ],
        [2016, "Q1", 100, 80, 50, 20, 10, 5],
        [None, "Q2", 110, 85, 55, 25, 11, 6],
        ["2016 total", None, 210, 165, 105, 45, 21, 11],
    ]
    by_column = [
        ["Table 2: referrals by exploitation type"],
        [],
        ["Exploitation type", "Jan to Mar 2016", "Apr to Jun 2016"],
        ["Labour", 60, 70],
        ["Sexual", 40, 41],
        ["Criminal", 120, 130],
        ["Domestic servitude", 20, 21],
        ["Organ harvesting", 0, "-"],
        ["Not specified or unknown", 25, 30],
        ["Total", 265, 292],
    ]
    release = read_release("release.xlsx", xlsx_of({"Table_1": by_row, "Table_2": by_column}))
    q1 = release.counts[date(2016, 1, 1)]
    assert q1["first_responder"]["home_office"].value == 70  # UKVI and Border Force together
    assert q1["exploitation_type"]["organ_harvesting"].value == 0
    assert release.counts[date(2016, 4, 1)]["exploitation_type"]["organ_harvesting"].value == 0
    total = to_rows(release, "national").rows[0]
    # the total: the first responder types' sum (the exploitation table's total must agree)
    assert total.cells["value"] == 265 and total.sheet == "Table_1"
    assert len(release.tables) == 2


def test_a_total_that_does_not_add_up_is_named() -> None:
    rows = responder_rows(Q)
    rows[len(HEADER_BLOCK) + 1][-1] = 999
    with pytest.raises(NrmFileError) as caught:
        read_release("release.csv", csv_of(rows))
    assert problems(caught.value) == [
        "row 6, column G: FY2014-15-Q4 (Jan to Mar 2015): the types add up to 890 but the total is 999"
    ]


def test_bad_cells_are_each_named_by_sheet_row_and_column() -> None:
    rows = responder_rows(Q, total=False)
    rows[len(HEADER_BLOCK) + 1][2] = "twelve"
    rows[len(HEADER_BLOCK) + 2][4] = -3
    rows.insert(len(HEADER_BLOCK) + 3, ["Julember 2015", 1, 2, 3, 4, 5])
    with pytest.raises(NrmFileError) as caught:
        read_release("release.xlsx", xlsx_of({"Table_1": rows}))
    assert problems(caught.value) == [
        "sheet 'Table_1', row 6, column C: FY2014-15-Q4 (Jan to Mar 2015), Local authority: 'twelve' is not a whole number of 0 or more",
        "sheet 'Table_1', row 7, column E: FY2015-16-Q1 (Apr to Jun 2015), NGO: -3 is negative",
        "sheet 'Table_1', row 8, column A: 'Julember 2015' is not a quarter (write e.g. Jan to Mar 2015, 2015 Q1 or Q1 2023/24)",
    ]


def test_an_unknown_column_and_a_quarter_given_twice() -> None:
    rows = [
        *HEADER_BLOCK,
        ["Quarter", "Police", "Local authority", "Charity"],
        ["2015 Q1", 1, 2, 3],
        ["Jan to Mar 2015", 1, 2, 3],
    ]
    with pytest.raises(NrmFileError) as caught:
        read_release("release.csv", csv_of(rows))
    said = problems(caught.value)
    assert said[0].startswith(
        "row 5, column D: column 'Charity' is not a known first responder type"
    )
    assert said[1].startswith(
        "row 7, column B: FY2014-15-Q4 (Jan to Mar 2015) is given twice for police"
    )


def test_a_file_without_a_table_or_of_another_type() -> None:
    with pytest.raises(NrmFileError, match="no table of NRM referrals found"):
        read_release("release.csv", csv_of([["Table 1"], ["Just notes"]]))
    with pytest.raises(NrmFileError, match="file type not accepted"):
        read_release("release.ods", b"PK")
    with pytest.raises(NrmFileError, match="not an Excel workbook"):
        read_release("release.xlsx", b"Quarter,Police\n")


HOSTILE_BASE = workbook(
    [["Jan to Mar 2015", 1, 2, 3, 4, 5]],
    sheet="Table_1",
    header=["Quarter", "Police", "Local authority", "Home Office", "NGO", "Other"],
)


@pytest.mark.parametrize("name", sorted(hostile_workbooks(HOSTILE_BASE)))
def test_hostile_workbooks_are_refused_by_the_reading_path(name: str, settings: Any) -> None:
    data, words = hostile_workbooks(HOSTILE_BASE)[name]
    with pytest.raises(NrmFileError) as caught:
        read_release("release.xlsx", data)
    assert words in caught.value.message


def test_a_file_over_the_upload_limit_is_refused_before_reading(settings: Any) -> None:
    settings.MSOIC_MAX_UPLOAD_BYTES = 1000
    big = csv_of(
        responder_rows(
            {f"{y} Q{q}": [1, 2, 3, 4, 5] for y in range(2000, 2040) for q in range(1, 5)}
        )
    )
    with pytest.raises(NrmFileError) as caught:
        read_release("release.csv", big)
    assert "MSOIC_MAX_UPLOAD_BYTES" in caught.value.message or "limit" in caught.value.message
