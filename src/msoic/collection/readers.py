"""Turn an uploaded file into rows of cells, each with its sheet, row and column.

Readers check size and structure *before* parsing: oversized files, files that are not
what their name says, macro-enabled workbooks, zip bombs and XML entity tricks are refused
with a message that says what is wrong. Readers do not interpret values; that is
validation's job.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

CANONICAL_COLUMNS = ["force", "period", "metric", "breakdown", "value", "comment"]
REQUIRED_COLUMNS = ["force", "period", "metric", "breakdown", "value"]
# Columns the XLSX template adds for people to read; ignored on the way back in.
LABEL_COLUMNS = ["force_name", "period_label", "metric_label", "breakdown_label"]
# Needed only for datasets that share metrics (an operation's return names its dataset,
# e.g. op-aidant-33); a monthly return may leave it out.
OPTIONAL_COLUMNS = ["dataset"]
TEMPLATE_SHEET = "Return"
HEADER_SEARCH_ROWS = 30
MAX_ZIP_MEMBERS = 2000
MAX_COMPRESSION_RATIO = 200


class FileRejected(Exception):
    """The file as a whole cannot be read. ``sheet``/``row``/``column`` locate it if known."""

    def __init__(
        self, message: str, *, sheet: str = "", row: int | None = None, column: str = ""
    ) -> None:
        super().__init__(message)
        self.message = message
        self.sheet = sheet
        self.row = row
        self.column = column


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


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _header_map(header: list[Any], *, sheet: str, row: int) -> dict[int, str]:
    import difflib

    mapping: dict[int, str] = {}
    known = CANONICAL_COLUMNS + OPTIONAL_COLUMNS + LABEL_COLUMNS
    for i, cell in enumerate(header):
        name = str(cell or "").strip().lstrip("\ufeff").strip().lower().replace(" ", "_")
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
            + "; the first row must be: "
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
        if all(c is None or (isinstance(c, str) and c.strip() == "") for c in line):
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


def check_size(data: bytes) -> None:
    limit = settings.MSOIC_MAX_UPLOAD_BYTES
    if len(data) > limit:
        raise FileRejected(
            f"file is {len(data):,} bytes, over the limit of {limit:,} bytes; split it into smaller files"
        )
    if not data:
        raise FileRejected("file is empty")


def read_csv(data: bytes) -> ParsedFile:
    check_size(data)
    if data.startswith(b"PK\x03\x04"):
        raise FileRejected(
            "file is named .csv but is a zip archive (perhaps an Excel workbook); save it as CSV UTF-8 or name it .xlsx"
        )
    if b"\x00" in data[:4096]:
        raise FileRejected(
            "file is not text (it contains binary data, or is saved as UTF-16): save it as 'CSV UTF-8'"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileRejected(
            f"file is not UTF-8 text (byte {exc.start} on line {line} cannot be read); in Excel "
            "use Save As → 'CSV UTF-8 (comma delimited)'",
            row=line,
        ) from exc
    first_line = text.split("\n", 1)[0]
    if "," not in first_line:
        for sep, name in (("\t", "tabs"), (";", "semicolons"), ("|", "vertical bars")):
            if sep in first_line:
                raise FileRejected(
                    f"columns are separated by {name}; a return must be comma-separated (CSV)",
                    row=1,
                )
    table = list(csv.reader(io.StringIO(text, newline="")))
    # Skip leading blank lines so a header after them is still found.
    start = 0
    while start < len(table) and all(not c.strip() for c in table[start]):
        start += 1
    if start >= len(table):
        raise FileRejected("file has no header row and no data")
    return ParsedFile("csv", _rows_from_table(table, sheet="", header_index=start))


_DANGEROUS_XML = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_MACRO_TYPES = (b"macroEnabled", b"vbaProject", b"application/vnd.ms-office.activeX")


def harden_xlsx(data: bytes) -> None:
    """Refuse what is not a plain .xlsx: not a zip, macros, zip bombs, DTDs and entities."""
    check_size(data)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise FileRejected(
            "file is an old-style .xls workbook or encrypted; save it as .xlsx (Excel Workbook)"
        )
    if not data.startswith(b"PK\x03\x04"):
        raise FileRejected(
            "file is named .xlsx but is not an Excel workbook (it is not a zip-based .xlsx file)"
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise FileRejected("file is named .xlsx but is damaged or not an Excel workbook") from exc
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise FileRejected(f"workbook has {len(members)} parts; that is not a normal return")
        names = {m.filename for m in members}
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            raise FileRejected("file is a zip archive but not an Excel workbook")
        total = sum(m.file_size for m in members)
        if total > settings.MSOIC_MAX_UNZIPPED_BYTES:
            raise FileRejected(
                f"workbook expands to {total:,} bytes, over the limit of "
                f"{settings.MSOIC_MAX_UNZIPPED_BYTES:,} (a zip bomb or far too much data)"
            )
        for m in members:
            if (
                m.compress_size
                and m.file_size / m.compress_size > MAX_COMPRESSION_RATIO
                and m.file_size > 1_000_000
            ):
                raise FileRejected(
                    f"workbook part {m.filename} is compressed suspiciously well (a zip bomb)"
                )
        if any(n.lower().endswith("vbaproject.bin") for n in names):
            raise FileRejected(
                "workbook contains macros (.xlsm); save it as a plain .xlsx without macros"
            )
        content_types = archive.read("[Content_Types].xml")
        if any(t in content_types for t in _MACRO_TYPES):
            raise FileRejected("workbook is macro-enabled; save it as a plain .xlsx without macros")
        for m in members:
            if not m.filename.endswith((".xml", ".rels")):
                continue
            with archive.open(m) as part:
                remaining = settings.MSOIC_MAX_UNZIPPED_BYTES
                head = part.read(min(remaining, 1 << 20))
                chunk = head
                while chunk:
                    if _DANGEROUS_XML.search(chunk):
                        raise FileRejected(
                            f"workbook part {m.filename} declares a DTD or XML entities, which are refused"
                        )
                    tail = chunk[-16:]
                    chunk = part.read(1 << 20)
                    if chunk:
                        chunk = tail + chunk


def _sheet_table(sheet: Any) -> list[list[Any]]:
    return [list(r) for r in sheet.to_python(skip_empty_area=False)]


def read_xlsx(data: bytes) -> ParsedFile:
    harden_xlsx(data)
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise FileRejected(f"workbook cannot be read: {exc}") from exc
    names = list(workbook.sheet_names)
    sheet_name = TEMPLATE_SHEET if TEMPLATE_SHEET in names else names[0]
    table = _sheet_table(workbook.get_sheet_by_name(sheet_name))
    for i, line in enumerate(table[:HEADER_SEARCH_ROWS]):
        lowered = {str(c).strip().lower() for c in line if c is not None}
        if {"force", "metric", "value"} <= lowered:
            return ParsedFile("xlsx", _rows_from_table(table, sheet=sheet_name, header_index=i))
    raise FileRejected(
        "no header row found in the first rows: expected a row with the columns "
        + ", ".join(CANONICAL_COLUMNS),
        sheet=sheet_name,
    )


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
