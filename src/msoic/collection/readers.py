"""Turn an uploaded file into rows of cells, each with its sheet, row and column.

All reading goes through the bounded reading path (:mod:`msoic.collection.reading`): size,
zip contents, used ranges, cell counts and lengths are checked before anything is
materialised, and what is refused gets a message that says what is wrong and where.
Readers do not interpret values; that is validation's job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from msoic.collection import reading
from msoic.collection.reading import FileRejected, check_size, column_letter

CANONICAL_COLUMNS = ["force", "period", "metric", "breakdown", "value", "comment"]
REQUIRED_COLUMNS = ["force", "period", "metric", "breakdown", "value"]
# Columns the XLSX template adds for people to read; ignored on the way back in.
LABEL_COLUMNS = ["force_name", "period_label", "metric_label", "breakdown_label"]
# Needed only for datasets that share metrics (an operation's return names its dataset,
# e.g. op-aidant-33); a monthly return may leave it out.
OPTIONAL_COLUMNS = ["dataset"]
TEMPLATE_SHEET = "Return"
HEADER_SEARCH_ROWS = 30
# A row naming these columns is the header, whatever sits above it (see find_header_row).
HEADER_MARKERS = {"force", "metric", "value"}


@dataclass
class RawRow:
    sheet: str
    row: int  # 1-based, as a spreadsheet shows it
    cells: dict[str, Any]  # canonical column name -> raw value
    columns: dict[str, str] = field(default_factory=dict)  # canonical name -> column letter


@dataclass
class ParsedFile:
    kind: str  # csv | xlsx | form | api
    rows: list[RawRow]


def _column_name(cell: Any) -> str:
    """A header cell as a column name: trimmed, lower case, spaces as underscores, without
    the byte-order mark Excel's "CSV UTF-8" puts before the first cell."""
    return str(cell or "").strip().lstrip("\ufeff").strip().lower().replace(" ", "_")


def _is_blank_line(line: list[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and c.strip() == "") for c in line)


def find_header_row(table: list[list[Any]], *, sheet: str) -> int:
    """The index of the header row, found the same way in a CSV file and a workbook.

    The template has a title and instructions above its header, and "Save as CSV" in
    Excel or LibreOffice keeps them, so the header is the first row, among the first
    ``HEADER_SEARCH_ROWS``, that names the columns force, metric and value. Failing that,
    the first row that names at least two columns, or nearly does (so that a misspelt
    header is explained column by column); failing that, the file has no header."""
    import difflib

    known = CANONICAL_COLUMNS + OPTIONAL_COLUMNS + LABEL_COLUMNS
    window = table[:HEADER_SEARCH_ROWS]
    for i, line in enumerate(window):
        if HEADER_MARKERS <= {_column_name(c) for c in line}:
            return i
    for i, line in enumerate(window):
        names = [n for n in (_column_name(c) for c in line) if n]
        near = [
            n for n in names if n in known or difflib.get_close_matches(n, known, n=1, cutoff=0.8)
        ]
        if len(near) >= 2:
            return i
    if not any(not _is_blank_line(line) for line in table):
        raise FileRejected("file has no header row and no data", sheet=sheet)
    raise FileRejected(
        f"no header row found in the first {HEADER_SEARCH_ROWS} rows: expected a row naming "
        "the columns " + ", ".join(CANONICAL_COLUMNS) + " (the template's title rows above "
        "it may stay)",
        sheet=sheet,
    )


def _header_map(header: list[Any], *, sheet: str, row: int) -> dict[int, str]:
    import difflib

    mapping: dict[int, str] = {}
    known = CANONICAL_COLUMNS + OPTIONAL_COLUMNS + LABEL_COLUMNS
    for i, cell in enumerate(header):
        name = _column_name(cell)
        if not name:
            continue
        if name in known:
            if name in mapping.values():
                raise FileRejected(
                    f"column '{name}' appears twice in the header",
                    sheet=sheet,
                    row=row,
                    column=column_letter(i),
                )
            mapping[i] = name
            continue
        guess = difflib.get_close_matches(name, CANONICAL_COLUMNS, n=1, cutoff=0.6)
        hint = f" (did you mean '{guess[0]}'?)" if guess else ""
        raise FileRejected(
            f"header '{cell}' is not a recognised column{hint}; the columns are "
            + ", ".join(CANONICAL_COLUMNS),
            sheet=sheet,
            row=row,
            column=column_letter(i),
        )
    missing = [c for c in REQUIRED_COLUMNS if c not in mapping.values()]
    if missing:
        raise FileRejected(
            "header is missing column(s) "
            + ", ".join(missing)
            + "; the header row must be: "
            + ",".join(CANONICAL_COLUMNS),
            sheet=sheet,
            row=row,
        )
    return mapping


def _rows_from_table(table: list[list[Any]], *, sheet: str, header_index: int) -> list[RawRow]:
    mapping = _header_map(table[header_index], sheet=sheet, row=header_index + 1)
    letters = {name: column_letter(i) for i, name in mapping.items()}
    rows: list[RawRow] = []
    for offset, line in enumerate(table[header_index + 1 :], start=header_index + 2):
        if _is_blank_line(line):
            continue  # blank or trailing row
        extra = [
            i
            for i, c in enumerate(line)
            if i not in mapping and not (c is None or (isinstance(c, str) and c.strip() == ""))
        ]
        if extra:
            raise FileRejected(
                "this row has a value in a column with no header",
                sheet=sheet,
                row=offset,
                column=column_letter(extra[0]),
            )
        cells = {name: (line[i] if i < len(line) else None) for i, name in mapping.items()}
        rows.append(RawRow(sheet=sheet, row=offset, cells=cells, columns=letters))
    return rows


def read_csv(data: bytes) -> ParsedFile:
    table = reading.read_csv_rows(data)
    return ParsedFile(
        "csv", _rows_from_table(table, sheet="", header_index=find_header_row(table, sheet=""))
    )


def harden_xlsx(data: bytes) -> None:
    """Refuse what is not a plain .xlsx (see :func:`msoic.collection.reading.check_workbook`)."""
    reading.check_workbook(data)


def read_xlsx(data: bytes) -> ParsedFile:
    workbook = reading.open_workbook(data)
    names = workbook.sheet_names
    sheet_name = TEMPLATE_SHEET if TEMPLATE_SHEET in names else names[0]
    table = workbook.rows(sheet_name)
    header_index = find_header_row(table, sheet=sheet_name)
    return ParsedFile("xlsx", _rows_from_table(table, sheet=sheet_name, header_index=header_index))


def read_upload(filename: str, data: bytes) -> ParsedFile:
    lowered = filename.lower()
    if lowered.endswith(".csv"):
        return read_csv(data)
    if lowered.endswith(".xlsx"):
        return read_xlsx(data)
    if lowered.endswith((".xlsm", ".xltm", ".xlsb")):
        raise FileRejected(
            "macro-enabled or binary workbooks are not accepted; save the return as .xlsx"
        )
    if lowered.endswith(".xls"):
        raise FileRejected("old-style .xls workbooks are not accepted; save the return as .xlsx")
    raise FileRejected("file type not accepted: send a .csv (CSV UTF-8) or .xlsx return")


__all__ = [
    "FileRejected",
    "ParsedFile",
    "RawRow",
    "check_size",
    "column_letter",
    "harden_xlsx",
    "read_csv",
    "read_upload",
    "read_xlsx",
]
