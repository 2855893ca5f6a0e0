"""The one bounded reading path for every uploaded spreadsheet or CSV file.

Returns, the register import, the HTCDS import and whatever reads files later call
:func:`read_csv_rows` or :func:`open_workbook` and get plain rows of cells. Nothing is
materialised before it is known to fit: the upload's size, the zip's member count, total
uncompressed size and compression ratio, macros, DTDs and entities, external links, data
connections and web-query or DDE formulas are checked first; each sheet's XML is then
streamed (expat, DTDs refused) and only the cells that hold a value are kept, so a sheet
whose used range claims a million rows but holds ten cells costs ten cells. Rows, columns,
cell length and cells per file are capped (``MSOIC_READ_*`` settings); going over a cap is a
:class:`FileRejected` naming the limit and where (sheet, row, column).

Rows come back as lists padded with ``""`` up to the row's last filled cell (as the
spreadsheet library used before did), with ``[]`` for rows that hold nothing; row *n* of
the sheet is ``rows[n - 1]``. Cells are ``str``, ``float``, ``bool``, ``date``,
``datetime`` or ``time``.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from xml.parsers import expat

from django.conf import settings

MAX_XML_DEPTH = 64
_DANGEROUS_XML = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_MACRO_TYPES = (b"macroEnabled", b"vbaProject", b"application/vnd.ms-office.activeX")
# Formula text (inside <f>…</f>, where '<' cannot occur) that fetches from the web or runs
# another program through DDE (``cmd|' /c calc'!A0``).
_WEB_FORMULA = re.compile(rb"<(?:\w+:)?f\b[^>]*>[^<]*?\b(WEBSERVICE|FILTERXML)\s*\(", re.IGNORECASE)
_DDE_FORMULA = re.compile(rb"<(?:\w+:)?f\b[^>]*>[^<]*?[A-Za-z0-9_.]+\|[^<]*?!")
_REFUSED_PARTS = (
    ("xl/externallinks/", "links to other workbooks (external links)"),
    ("xl/connections.xml", "data connections (web queries or DDE links)"),
    ("xl/querytables/", "web or database queries (query tables)"),
)
_CELL_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})$")
MAX_SHEET_ROW = 1_048_576
MAX_SHEET_COLUMN = 16_384
# Spreadsheet serial dates count days from these (they have no time zone).
_EPOCH_1900 = datetime(1899, 12, 30)  # noqa: DTZ001
_EPOCH_1904 = datetime(1904, 1, 1)  # noqa: DTZ001
_EMPTY: list[Any] = []  # shared by every row that holds nothing; never mutated


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


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _column_index(letters: str) -> int:
    """A → 0, AA → 26."""
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index - 1


# Column letters → index for the first 1,024 columns, the ones real sheets use.
_COLUMNS = {column_letter(i): i for i in range(1024)}


@dataclass(frozen=True)
class Limits:
    """What one file may hold; from settings unless a caller needs its own."""

    max_bytes: int
    max_unzipped_bytes: int
    max_zip_members: int
    max_compression_ratio: int
    max_rows: int
    max_columns: int
    max_cells: int
    max_cell_chars: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            max_bytes=settings.MSOIC_MAX_UPLOAD_BYTES,
            max_unzipped_bytes=settings.MSOIC_MAX_UNZIPPED_BYTES,
            max_zip_members=settings.MSOIC_READ_MAX_ZIP_MEMBERS,
            max_compression_ratio=settings.MSOIC_READ_MAX_COMPRESSION_RATIO,
            max_rows=settings.MSOIC_READ_MAX_ROWS,
            max_columns=settings.MSOIC_READ_MAX_COLUMNS,
            max_cells=settings.MSOIC_READ_MAX_CELLS,
            max_cell_chars=settings.MSOIC_READ_MAX_CELL_CHARS,
        )


class _Budget:
    """Cells left for the whole file, shared by its sheets."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.cells = 0
        # XML elements streamed so far (every part read): what bounds the time a file takes.
        self.elements = 0
        self.max_elements = 2 * limits.max_cells + limits.max_rows

    def spend(self, count: int, *, sheet: str, row: int) -> None:
        self.cells += count
        if self.cells > self.limits.max_cells:
            raise FileRejected(
                f"file holds more than {self.limits.max_cells:,} cells (the limit, "
                "MSOIC_READ_MAX_CELLS, counting each row up to its last filled cell); "
                "split it into smaller files",
                sheet=sheet,
                row=row,
            )


def _too_many_rows(limits: Limits, *, sheet: str, row: int) -> FileRejected:
    return FileRejected(
        f"row {row:,} holds a value, but a sheet may have at most {limits.max_rows:,} rows "
        "(MSOIC_READ_MAX_ROWS); delete what is below your data or split the file",
        sheet=sheet,
        row=row,
    )


def _too_many_columns(limits: Limits, *, sheet: str, row: int, column: int) -> FileRejected:
    return FileRejected(
        f"column {column_letter(column)} holds a value, but a sheet may have at most "
        f"{limits.max_columns:,} columns (up to {column_letter(limits.max_columns - 1)}; "
        "MSOIC_READ_MAX_COLUMNS); delete what is to the right of your data",
        sheet=sheet,
        row=row,
        column=column_letter(column),
    )


def _too_long(limits: Limits, length: int, *, sheet: str, row: int, column: int) -> FileRejected:
    return FileRejected(
        f"a cell holds {length:,} characters, over the limit of {limits.max_cell_chars:,} "
        "(MSOIC_READ_MAX_CELL_CHARS)",
        sheet=sheet,
        row=row,
        column=column_letter(column),
    )


def check_size(data: bytes, limits: Limits | None = None) -> None:
    limit = (limits or Limits.from_settings()).max_bytes
    if not data:
        raise FileRejected("file is empty")
    if len(data) > limit:
        raise FileRejected(
            f"file is {len(data):,} bytes, over the limit of {limit:,} bytes "
            "(MSOIC_MAX_UPLOAD_BYTES); split it into smaller files"
        )


# --- CSV -------------------------------------------------------------------------------


def read_csv_rows(data: bytes, *, limits: Limits | None = None) -> list[list[str]]:
    """A CSV file's rows of text cells, after the size, encoding and separator checks and
    within the caps. Row *n* of the result is record *n* of the file."""
    limits = limits or Limits.from_settings()
    check_size(data, limits)
    if data.startswith(b"PK\x03\x04"):
        raise FileRejected(
            "file is named .csv but is a zip archive (perhaps an Excel workbook); save it as "
            "CSV UTF-8 or name it .xlsx"
        )
    if b"\x00" in data[:4096]:
        raise FileRejected(
            "file is not text (it contains binary data, or is saved as UTF-16): save it as "
            "'CSV UTF-8'"
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
                    f"columns are separated by {name}; the file must be comma-separated (CSV)",
                    row=1,
                )
    return _csv_rows(text, limits)


def _csv_rows(text: str, limits: Limits) -> list[list[str]]:
    budget = _Budget(limits)
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    number = 0
    while True:
        try:
            line = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            # The csv module's own ceiling (131,072 characters) or a malformed quote.
            if "field larger than field limit" in str(exc):
                raise FileRejected(
                    f"row {number + 1:,} has a field longer than the csv reader accepts; a cell "
                    f"may hold at most {limits.max_cell_chars:,} characters "
                    "(MSOIC_READ_MAX_CELL_CHARS)",
                    row=number + 1,
                ) from exc
            raise FileRejected(
                f"row {number + 1:,} cannot be read as CSV ({exc})", row=number + 1
            ) from exc
        number += 1
        if number > limits.max_rows:
            if any(c.strip() for c in line):
                raise _too_many_rows(limits, sheet="", row=number)
            continue  # blank lines past the cap are dropped, not kept
        width = len(line)
        if width > limits.max_columns:
            last = max((i for i, c in enumerate(line) if c.strip()), default=-1)
            if last >= limits.max_columns:
                raise _too_many_columns(limits, sheet="", row=number, column=last)
            line = line[: limits.max_columns]
            width = len(line)
        for i, cell in enumerate(line):
            if len(cell) > limits.max_cell_chars:
                raise _too_long(limits, len(cell), sheet="", row=number, column=i)
        budget.spend(width, sheet="", row=number)
        rows.append(line)
    return rows


# --- XLSX: the container ---------------------------------------------------------------


def check_workbook(data: bytes, limits: Limits | None = None) -> None:
    """Refuse what is not a plain .xlsx before any part is parsed: not a zip, macros, zip
    bombs, DTDs and entities, external links, data connections, web-query and DDE formulas."""
    limits = limits or Limits.from_settings()
    check_size(data, limits)
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
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise FileRejected("file is named .xlsx but is damaged or not an Excel workbook") from exc
    with archive:
        _check_archive(archive, limits)


def _check_archive(archive: zipfile.ZipFile, limits: Limits) -> None:
    members = archive.infolist()
    if len(members) > limits.max_zip_members:
        raise FileRejected(
            f"workbook has {len(members):,} parts, over the limit of {limits.max_zip_members:,} "
            "(MSOIC_READ_MAX_ZIP_MEMBERS); that is not a normal return"
        )
    names = {m.filename for m in members}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise FileRejected("file is a zip archive but not an Excel workbook")
    total = sum(m.file_size for m in members)
    if total > limits.max_unzipped_bytes:
        raise FileRejected(
            f"workbook expands to {total:,} bytes, over the limit of "
            f"{limits.max_unzipped_bytes:,} (MSOIC_MAX_UNZIPPED_BYTES; a zip bomb or far too "
            "much data)"
        )
    for m in members:
        if (
            m.compress_size
            and m.file_size / m.compress_size > limits.max_compression_ratio
            and m.file_size > 1_000_000
        ):
            raise FileRejected(
                f"workbook part {m.filename} is compressed {m.file_size // m.compress_size}:1, "
                f"more than {limits.max_compression_ratio}:1 (MSOIC_READ_MAX_COMPRESSION_RATIO; "
                "a zip bomb)"
            )
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise FileRejected(
            "workbook contains macros (.xlsm); save it as a plain .xlsx without macros"
        )
    for prefix, what in _REFUSED_PARTS:
        found = next((n for n in sorted(names) if n.lower().startswith(prefix)), None)
        if found:
            raise FileRejected(
                f"workbook contains {what} ({found}), which are refused: copy the values "
                "into a plain workbook (Paste Special → Values) and send that"
            )
    content_types = _read_part(archive, "[Content_Types].xml", limits)
    if any(t in content_types for t in _MACRO_TYPES):
        raise FileRejected("workbook is macro-enabled; save it as a plain .xlsx without macros")
    sheets: dict[str, str] = {}  # part → sheet name, once the workbook part is known safe
    for m in sorted(members, key=lambda m: m.filename.startswith("xl/worksheets/")):
        if not m.filename.endswith((".xml", ".rels")):
            continue
        sheet_part = m.filename.startswith("xl/worksheets/")
        if sheet_part and not sheets:
            sheets = {part: name for name, part in _sheet_parts(archive, names, limits).items()}
        for chunk in _chunks(archive, m.filename, limits):
            if _DANGEROUS_XML.search(chunk):
                raise FileRejected(
                    f"workbook part {m.filename} declares a DTD or XML entities, which are refused"
                )
            if sheet_part:
                _check_formulas(chunk, sheets.get(m.filename, m.filename))


def _check_formulas(chunk: bytes, sheet: str) -> None:
    web = _WEB_FORMULA.search(chunk)
    if web:
        name = web.group(1).decode("ascii").upper()
        raise FileRejected(
            f"the sheet has a {name} formula, which fetches data from the web; formulas that "
            "reach outside the workbook are refused (send values only)",
            sheet=sheet,
        )
    if _DDE_FORMULA.search(chunk):
        raise FileRejected(
            "the sheet has a DDE formula (one that starts another program); formulas that "
            "reach outside the workbook are refused (send values only)",
            sheet=sheet,
        )


def _chunks(archive: zipfile.ZipFile, name: str, limits: Limits) -> Iterator[bytes]:
    """A part's bytes in 1 MiB pieces, each with the previous piece's last 512 bytes in
    front so a pattern across the boundary is still seen; never more than the limit."""
    read = 0
    tail = b""
    try:
        with archive.open(name) as part:
            while True:
                piece = part.read(1 << 20)
                if not piece:
                    return
                read += len(piece)
                if read > limits.max_unzipped_bytes:
                    raise FileRejected(
                        f"workbook part {name} expands past {limits.max_unzipped_bytes:,} bytes "
                        "(MSOIC_MAX_UNZIPPED_BYTES; a zip bomb)"
                    )
                yield tail + piece
                tail = piece[-512:]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, RuntimeError) as exc:
        raise FileRejected(f"workbook part {name} is damaged and cannot be read") from exc


def _read_part(archive: zipfile.ZipFile, name: str, limits: Limits) -> bytes:
    out = io.BytesIO()
    for chunk in _chunks(archive, name, limits):
        out.write(chunk[512:] if out.tell() else chunk)
    return out.getvalue()


# --- XLSX: streaming the XML -----------------------------------------------------------


def _parser(part: str) -> Any:
    """An expat parser that refuses DTDs and entities outright (as defusedxml does)."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_args: Any) -> Any:
        raise FileRejected(
            f"workbook part {part} declares a DTD or XML entities, which are refused"
        )

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.buffer_text = True
    return parser


def _feed(parser: Any, archive: zipfile.ZipFile, part: str, limits: Limits, sheet: str) -> None:
    first = True
    try:
        for chunk in _chunks(archive, part, limits):
            parser.Parse(chunk if first else chunk[512:], False)
            first = False
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise FileRejected(
            f"workbook part {part} is not well-formed XML (line {exc.lineno}): the file is "
            "damaged; save it again from Excel",
            sheet=sheet,
        ) from exc


def _local(name: str) -> str:
    return name[name.find(":") + 1 :]


def _attrs_of(
    archive: zipfile.ZipFile, part: str, wanted: str, limits: Limits
) -> list[dict[str, str]]:
    """The attributes of every ``wanted`` element of a small part (workbook, rels, styles)."""
    found: list[dict[str, str]] = []
    parser = _parser(part)

    def start(name: str, attrs: dict[str, str]) -> None:
        if _local(name) == wanted:
            if len(found) >= limits.max_zip_members * 10:
                raise FileRejected(f"workbook part {part} lists far too many {wanted} entries")
            found.append({_local(k): v for k, v in attrs.items()})

    parser.StartElementHandler = start
    _feed(parser, archive, part, limits, "")
    return found


@dataclass
class _Styles:
    date_kind: dict[int, str] = field(default_factory=dict)  # style index → date|time|datetime
    date1904: bool = False


_BUILTIN_DATES = {14, 15, 16, 17, *range(27, 37), *range(50, 59)}
_BUILTIN_TIMES = {18, 19, 20, 21, 45, 46, 47}
_BUILTIN_DATETIMES = {22}
_FORMAT_NOISE = re.compile(r'"[^"]*"|\\.|\[(?!h\]|m\]|s\])[^\]]*\]|_.|\*.', re.IGNORECASE)


def _format_kind(code: str) -> str:
    """date, time, datetime or '' for a number format code."""
    text = _FORMAT_NOISE.sub("", code).lower()
    if not text or "general" in text:
        return ""
    has_time = "h" in text or "s" in text
    has_date = "y" in text or "d" in text or ("m" in text and not has_time)
    if has_date and has_time:
        return "datetime"
    return "date" if has_date else ("time" if has_time else "")


def _styles(archive: zipfile.ZipFile, names: set[str], limits: Limits) -> _Styles:
    styles = _Styles()
    for pr in _attrs_of(archive, "xl/workbook.xml", "workbookPr", limits):
        styles.date1904 = pr.get("date1904", "").lower() in {"1", "true"}
    if "xl/styles.xml" not in names:
        return styles
    custom: dict[int, str] = {}
    xfs: list[int] = []
    parser = _parser("xl/styles.xml")
    in_cell_xfs = [False]

    def start(name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local == "numFmt":
            try:
                custom[int(attrs.get("numFmtId", ""))] = _format_kind(attrs.get("formatCode", ""))
            except ValueError:
                pass
        elif local == "cellXfs":
            in_cell_xfs[0] = True
        elif local == "xf" and in_cell_xfs[0]:
            if len(xfs) > 65_536:
                raise FileRejected("workbook part xl/styles.xml has far too many cell styles")
            try:
                xfs.append(int(attrs.get("numFmtId", "0")))
            except ValueError:
                xfs.append(0)

    def end(name: str) -> None:
        if _local(name) == "cellXfs":
            in_cell_xfs[0] = False

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    _feed(parser, archive, "xl/styles.xml", limits, "")
    for index, fmt in enumerate(xfs):
        if fmt in custom:
            kind = custom[fmt]
        elif fmt in _BUILTIN_DATES:
            kind = "date"
        elif fmt in _BUILTIN_TIMES:
            kind = "time"
        elif fmt in _BUILTIN_DATETIMES:
            kind = "datetime"
        else:
            kind = ""
        if kind:
            styles.date_kind[index] = kind
    return styles


class _TooLong:
    """A shared string over the length cap: kept as its length, refused where a cell uses it."""

    __slots__ = ("length",)

    def __init__(self, length: int) -> None:
        self.length = length


def _shared_strings(
    archive: zipfile.ZipFile, names: set[str], limits: Limits, budget: _Budget
) -> list[str | _TooLong]:
    part = "xl/sharedStrings.xml"
    if part not in names:
        return []
    strings: list[str | _TooLong] = []
    pieces: list[str] = []
    state = {
        "in_si": False,
        "in_t": False,
        "skip": 0,
        "length": 0,
        "depth": 0,
        "elements": budget.elements,
    }
    parser = _parser(part)

    def start(name: str, _attrs: dict[str, str]) -> None:
        state["depth"] += 1
        state["elements"] += 1
        if state["depth"] > MAX_XML_DEPTH:
            raise FileRejected(f"workbook part {part} is nested more than {MAX_XML_DEPTH} deep")
        if state["elements"] > budget.max_elements:
            raise FileRejected(
                f"workbook part {part} has more than {budget.max_elements:,} XML elements, more "
                f"than {limits.max_cells:,} cells need (MSOIC_READ_MAX_CELLS); split the file"
            )
        local = _local(name)
        if local == "si":
            state["in_si"] = True
            state["length"] = 0
            pieces.clear()
        elif local == "t":
            state["in_t"] = True
        elif local in {"rPh", "phoneticPr"}:
            state["skip"] += 1

    def end(name: str) -> None:
        state["depth"] -= 1
        local = _local(name)
        if local == "si":
            state["in_si"] = False
            if len(strings) >= limits.max_cells:
                raise FileRejected(
                    f"workbook holds more than {limits.max_cells:,} texts (MSOIC_READ_MAX_CELLS)"
                )
            length = state["length"]
            strings.append(_TooLong(length) if length > limits.max_cell_chars else "".join(pieces))
        elif local == "t":
            state["in_t"] = False
        elif local in {"rPh", "phoneticPr"}:
            state["skip"] -= 1

    def text(value: str) -> None:
        if state["in_si"] and state["in_t"] and not state["skip"]:
            state["length"] += len(value)
            if state["length"] <= limits.max_cell_chars:
                pieces.append(value)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    _feed(parser, archive, part, limits, "")
    budget.elements = state["elements"]
    return strings


def _sheet_parts(archive: zipfile.ZipFile, names: set[str], limits: Limits) -> dict[str, str]:
    """Sheet name → its part in the zip, in workbook order."""
    targets: dict[str, str] = {}
    if "xl/_rels/workbook.xml.rels" in names:
        for rel in _attrs_of(archive, "xl/_rels/workbook.xml.rels", "Relationship", limits):
            target = rel.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            targets[rel.get("Id", "")] = target
    parts: dict[str, str] = {}
    for sheet in _attrs_of(archive, "xl/workbook.xml", "sheet", limits):
        name = sheet.get("name", "")
        part = targets.get(sheet.get("id", ""), "")
        if name and part.startswith("xl/worksheets/") and part in names:
            parts[name] = part
    return parts


class Workbook:
    """An .xlsx file checked as a whole, whose sheets are read one at a time on request.

    The cell cap is for the whole file: every sheet read spends from the same budget."""

    def __init__(self, data: bytes, limits: Limits | None = None) -> None:
        self.limits = limits or Limits.from_settings()
        check_workbook(data, self.limits)
        self._archive = zipfile.ZipFile(io.BytesIO(data))
        self._names = {m.filename for m in self._archive.infolist()}
        self._parts = _sheet_parts(self._archive, self._names, self.limits)
        if not self._parts:
            raise FileRejected("workbook has no worksheets")
        self._styles = _styles(self._archive, self._names, self.limits)
        self._strings: list[str | _TooLong] | None = None
        self._budget = _Budget(self.limits)

    @property
    def sheet_names(self) -> list[str]:
        return list(self._parts)

    def rows(self, sheet: str) -> list[list[Any]]:
        if self._strings is None:
            self._strings = _shared_strings(self._archive, self._names, self.limits, self._budget)
        return _SheetReader(self, sheet).read()


class _SheetReader:
    """Streams one sheet's XML and keeps only cells that hold a value.

    The handlers run once per XML element, so they do as little as they can: a cell's
    reference is parsed only when the cell turns out to hold a value."""

    def __init__(self, workbook: Workbook, sheet: str) -> None:
        self.wb = workbook
        self.sheet = sheet
        self.part = workbook._parts[sheet]
        self.limits = workbook.limits
        self.strings = workbook._strings or []
        self.date_kind = workbook._styles.date_kind
        self.base = _EPOCH_1904 if workbook._styles.date1904 else _EPOCH_1900
        self.rows: list[list[Any]] = []
        self.row_attr: str | None = None  # the current row's r attribute
        self.row_number = 0  # the current row's number, once known
        self.row_seq = 0  # rows seen, for rows without an r attribute
        self.cell_seq = -1  # cells seen in the current row, for cells without r
        self.row_cells: dict[int, Any] = {}
        self.kept_row = 0  # the row of the last cell kept
        self.cell_attrs: dict[str, str] = {}
        self.value: list[str] = []
        self.in_is = False
        self.skip = 0
        self.has_value = False
        self.depth = 0
        self.elements = workbook._budget.elements
        self.max_elements = workbook._budget.max_elements
        self.declared = ""  # the used range the sheet declares, which may not be true
        self.starts: dict[str, Any] = {}

    def read(self) -> list[list[Any]]:
        """Stream the sheet. The handlers of the elements every cell has (``c``, ``v``) are
        closures over local state: a method call and attribute lookups an element fewer
        (a third of the time of a large sheet); the rest go to the methods below."""
        max_depth, max_elements = MAX_XML_DEPTH, self.max_elements
        names: dict[str, str] = {}
        depth, elements = 0, self.elements
        capture = has_value = False
        parts: list[str] = []
        attrs_of_cell: dict[str, str] = {}

        def start(name: str, attrs: dict[str, str]) -> None:
            nonlocal depth, elements, capture, has_value, parts, attrs_of_cell
            depth += 1
            elements += 1
            if depth > max_depth or elements > max_elements:
                self.depth, self.elements = depth, elements
                self.refuse_structure()
            local = names.get(name)
            if local is None:
                local = names[name] = _local(name)
            if local == "c":
                attrs_of_cell = attrs
                has_value = False
                self.cell_seq += 1
            elif local == "v":
                capture = True
                parts = []
            elif local == "is":
                self.in_is = True
                has_value = True
                parts = []
            elif local == "t":
                if self.in_is and not self.skip:
                    capture = True
            else:
                handler = self.starts.get(local)
                if handler is not None:
                    handler(attrs)

        def end(name: str) -> None:
            nonlocal depth, capture, has_value
            depth -= 1
            local = names[name]
            if local == "c":
                if has_value:
                    self.cell_attrs, self.value, self.has_value = attrs_of_cell, parts, True
                    self.end_cell()
            elif local == "v":
                capture = False
                has_value = True
            elif local == "t":
                if self.in_is:
                    capture = False
            elif local == "is":
                self.in_is = False
            elif local == "rPh":
                self.skip -= 1

        def text(value: str) -> None:
            if capture:
                parts.append(value)

        self.starts = {
            "row": self.start_row,
            "rPh": self.start_skip,
            "dimension": self.start_dimension,
        }
        parser = _parser(self.part)
        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = text
        _feed(parser, self.wb._archive, self.part, self.limits, self.sheet)
        self.flush_row()
        self.wb._budget.elements = elements
        return self.rows

    def refuse_structure(self) -> None:
        if self.depth > MAX_XML_DEPTH:
            raise FileRejected(
                f"the sheet's XML is nested more than {MAX_XML_DEPTH} deep: not a normal workbook",
                sheet=self.sheet,
            )
        raise FileRejected(
            f"the workbook's XML has more than {self.max_elements:,} elements, more than "
            f"{self.limits.max_cells:,} cells need (MSOIC_READ_MAX_CELLS); split the file",
            sheet=self.sheet,
        )

    # --- elements ---

    def start_row(self, attrs: dict[str, str]) -> None:
        if self.row_cells:
            self.flush_row()
        self.row_seq += 1
        self.row_attr = attrs.get("r")
        self.row_number = 0
        self.cell_seq = -1

    def start_skip(self, _attrs: dict[str, str]) -> None:
        self.skip += 1

    def start_dimension(self, attrs: dict[str, str]) -> None:
        self.declared = attrs.get("ref", "")[:40]

    def end_cell(self) -> None:
        if not self.has_value:
            return
        raw = "".join(self.value)
        if not raw.strip() and self.cell_attrs.get("t") != "b":
            return  # a blank cell is no cell
        row, column = self.position()
        if len(raw) > self.limits.max_cell_chars:
            raise _too_long(self.limits, len(raw), sheet=self.sheet, row=row, column=column)
        value = self.convert(raw, row, column)
        if value.__class__ is str and not value.strip():
            return
        if row > self.limits.max_rows:
            raise self.said(_too_many_rows(self.limits, sheet=self.sheet, row=row))
        if column >= self.limits.max_columns:
            raise self.said(
                _too_many_columns(self.limits, sheet=self.sheet, row=row, column=column)
            )
        if value.__class__ is str and len(value) > self.limits.max_cell_chars:
            raise _too_long(self.limits, len(value), sheet=self.sheet, row=row, column=column)
        if row != self.row_number or not self.row_cells:
            if self.row_cells:
                self.flush_row()
            if row <= self.kept_row:
                raise FileRejected(
                    f"row {row} comes after row {self.kept_row} in the sheet's XML: the file "
                    "is damaged",
                    sheet=self.sheet,
                )
            self.row_number = row
        self.row_cells[column] = value

    def position(self) -> tuple[int, int]:
        """The (row, column) of the current cell, from its reference or its place."""
        ref = self.cell_attrs.get("r")
        if ref:
            letters = ref.rstrip("0123456789")
            column = _COLUMNS.get(letters, -1)
            digits = ref[len(letters) :]
            if column < 0 or not digits.isdigit() or len(digits) > 7:
                match = _CELL_REF.match(ref)
                if match is None:
                    raise FileRejected(f'the sheet has a cell named "{ref[:20]}"', sheet=self.sheet)
                column = _column_index(match.group(1))
            row = int(digits)
        else:
            column = self.cell_seq
            row = self.current_row()
        if column >= MAX_SHEET_COLUMN or not 0 < row <= MAX_SHEET_ROW:
            raise FileRejected(
                f"the sheet has a cell at row {row}, column {column + 1}, outside any sheet",
                sheet=self.sheet,
            )
        return row, column

    def current_row(self) -> int:
        r = self.row_attr
        if r is None:
            return self.row_seq
        if not r.isdigit():
            raise FileRejected(f'the sheet has a row numbered "{r[:20]}"', sheet=self.sheet)
        return int(r)

    def convert(self, raw: str, row: int, column: int) -> Any:
        kind = self.cell_attrs.get("t", "n")
        if kind == "s":
            try:
                found = self.strings[int(raw)]
            except (ValueError, IndexError):
                return ""
            if isinstance(found, _TooLong):
                raise _too_long(self.limits, found.length, sheet=self.sheet, row=row, column=column)
            return found
        if kind in {"str", "inlineStr", "e"}:
            return raw
        if kind == "b":
            return raw.strip() in {"1", "true"}
        try:
            number = float(raw)
        except ValueError:
            return raw
        style = self.cell_attrs.get("s")
        date_kind = self.date_kind.get(int(style)) if style and style.isdigit() else None
        return self.as_date(number, date_kind) if date_kind else number

    def as_date(self, serial: float, kind: str) -> Any:
        try:
            days = serial
            if not self.wb._styles.date1904 and 1 <= serial < 60:
                days += 1  # Excel's 1900 leap-year bug: serials before 1 March 1900
            moment = self.base + timedelta(days=days)
        except (OverflowError, ValueError):
            return serial  # no such date; validation says what is wrong with the number
        moment = moment.replace(microsecond=0) + timedelta(
            seconds=round(moment.microsecond / 1_000_000)
        )
        if kind == "time" and 0 <= serial < 1:
            return time(moment.hour, moment.minute, moment.second)
        if kind == "date" and moment.time() == time(0):
            return moment.date()
        return moment

    def said(self, exc: FileRejected) -> FileRejected:
        """Add the used range the sheet declares, when it says something."""
        if self.declared:
            exc.message += f" (the sheet declares its used range as {self.declared})"
            exc.args = (exc.message,)
        return exc

    def flush_row(self) -> None:
        if not self.row_cells:
            return
        width = max(self.row_cells) + 1
        self.wb._budget.spend(width, sheet=self.sheet, row=self.row_number)
        line: list[Any] = [""] * width
        for column, value in self.row_cells.items():
            line[column] = value
        missing = self.row_number - 1 - len(self.rows)
        if missing > 0:
            self.rows.extend([_EMPTY] * missing)
        self.rows.append(line)
        self.kept_row = self.row_number
        self.row_cells = {}


def open_workbook(data: bytes, *, limits: Limits | None = None) -> Workbook:
    """Check an .xlsx file as a whole; its sheets are then read with ``.rows(name)``."""
    return Workbook(data, limits)


def read_file_rows(filename: str, data: bytes, *, sheet: str | None = None) -> list[list[Any]]:
    """The rows of a .csv file, or of one sheet of an .xlsx file (``sheet`` or the first)."""
    lowered = filename.lower()
    if lowered.endswith(".csv"):
        return read_csv_rows(data)
    if lowered.endswith(".xlsx"):
        workbook = open_workbook(data)
        name = sheet if sheet in workbook.sheet_names else workbook.sheet_names[0]
        return workbook.rows(name)
    raise FileRejected("file type not accepted: send a .csv (CSV UTF-8) or .xlsx file")


__all__ = [
    "FileRejected",
    "Limits",
    "Workbook",
    "check_size",
    "check_workbook",
    "column_letter",
    "open_workbook",
    "read_csv_rows",
    "read_file_rows",
]
