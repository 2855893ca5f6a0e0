"""The one bounded reading path for every uploaded spreadsheet or CSV file.

Returns, the register import, the HTCDS import and whatever reads files later call
:func:`read_csv_rows` or :func:`open_workbook` and get plain rows of cells. Nothing is
materialised before it is known to fit: the upload's size, the zip's member count, total
uncompressed size and compression ratio, macros, DTDs and entities, external links, data
connections and web-query or DDE formulas are checked first. Each sheet's XML is then
pre-scanned by regular expressions over its decompressed pieces, materialising nothing: where
the cells that hold a value are, how many, the used range the sheet declares and whether its
XML nests too deep. Rows, columns, cells per file and the area a sheet's values span (the
dense grid the reader builds) are capped before python-calamine reads the values (shared and
inline strings, dates, booleans); cell length is checked on the values, whose memory the
unzipped-size cap already bounds. A sheet whose used range claims a million rows but holds
ten cells costs ten cells. Caps are ``MSOIC_READ_*`` settings; going over one is a
:class:`FileRejected` naming the limit and where (sheet, row, column).

Rows come back as lists padded with ``""`` up to the row's last filled cell (a cell
holding only spaces is blank), with ``[]`` for rows that hold nothing; row *n* of
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
from typing import Any
from xml.parsers import expat

from django.conf import settings
from python_calamine import CalamineError, CalamineWorkbook, PasswordError, XmlError, ZipError

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
MAX_SHEET_ROW = 1_048_576
MAX_SHEET_COLUMN = 16_384
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
    max_grid_cells: int = 4_000_000
    max_unreferenced_cells: int = 100_000

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
            max_grid_cells=settings.MSOIC_READ_MAX_GRID_CELLS,
            max_unreferenced_cells=settings.MSOIC_READ_MAX_UNREFERENCED_CELLS,
        )


class _Budget:
    """Cells left for the whole file, shared by its sheets."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.cells = 0

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
    _open_checked(data, limits or Limits.from_settings())[0].close()


def _open_checked(data: bytes, limits: Limits) -> tuple[zipfile.ZipFile, dict[str, str]]:
    """The workbook's zip, open, once every check of :func:`check_workbook` has passed, and
    its worksheets' parts by sheet name (empty if it has none)."""
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
    try:
        sheets = _check_archive(archive, limits)
    except BaseException:
        archive.close()
        raise
    return archive, {name: part for part, name in sheets.items()}


def _check_archive(archive: zipfile.ZipFile, limits: Limits) -> dict[str, str]:
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
            if b"<!" in chunk and _DANGEROUS_XML.search(chunk):
                raise FileRejected(
                    f"workbook part {m.filename} declares a DTD or XML entities, which are refused"
                )
            if sheet_part:
                _check_formulas(chunk, sheets.get(m.filename, m.filename))
    return sheets


def _check_formulas(chunk: bytes, sheet: str) -> None:
    # Cheap tests first: the regular expressions run only where a formula could match.
    if b"<f" not in chunk and b":f" not in chunk:
        return
    lowered = chunk.lower()
    web = (
        _WEB_FORMULA.search(chunk) if b"webservice" in lowered or b"filterxml" in lowered else None
    )
    if web:
        name = web.group(1).decode("ascii").upper()
        raise FileRejected(
            f"the sheet has a {name} formula, which fetches data from the web; formulas that "
            "reach outside the workbook are refused (send values only)",
            sheet=sheet,
        )
    if b"|" in chunk and _DDE_FORMULA.search(chunk):
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


# --- XLSX: the pre-scan of a sheet -----------------------------------------------------
#
# python-calamine builds, for a sheet, a dense grid from A1 to the last cell that holds a
# value. What that grid will be is found first by a pre-scan of the decompressed XML in
# pieces that materialises nothing: the cells that hold a value (a ``<v>`` or an inline
# string, after an optional formula; a cell with only a style is no cell), how many, the
# furthest row and column, and which of them are blank (only spaces). Sheets written as
# Excel and the usual libraries write them (``<c r="A1" ...>``, no namespace prefix, no
# comments) are scanned by compiled regular expressions; any other sheet cell by cell.

_P = rb"(?:[A-Za-z_][\w.-]*:)?"  # an optional namespace prefix
_PHONETIC = rb"<(" + _P + rb")rPh\b[^>]*>.*?</\1rPh>"  # a reading aid, not the text
_FAST_FORMULA = rb"(?:<f\b[^>]*/>\s*|<f\b[^>]*>[^<]*</f>\s*)?"
_FAST_CELL = rb'<c r="([A-Z]{1,3})([0-9]{1,7})"'
# A cell that holds a value: its column letters and row number.
_FAST_VALUED = re.compile(_FAST_CELL + rb"[^>]*(?<!/)>\s*" + _FAST_FORMULA + rb"<(?:v|is)\b")
# The same, giving the whole reference (one string a cell costs less than two).
_FAST_VALUED_REF = re.compile(
    rb'<c r="([A-Z]{1,3}[0-9]{1,7})"[^>]*(?<!/)>\s*' + _FAST_FORMULA + rb"<(?:v|is)\b"
)
_DIGITS = b"0123456789"
_LETTERS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# A value that is blank: whitespace, or an inline string of tags and whitespace only.
_FAST_BLANK_VALUE = re.compile(rb"<(?:v\s*/>|v>\s*</v>|is>(?:\s|<(?!/is>)[^>]*>)*</is>)")
_SPACE_IN_VALUE = re.compile(rb"<v>\s")
_FAST_CELL_OPEN = re.compile(_FAST_CELL + rb"[^>]*>")
_FAST_SHARED = re.compile(_FAST_CELL + rb'[^>]*\bt="s"[^>]*>\s*<v>\s*([0-9]{1,10})\s*</v>')
# A cell holding an error (#N/A, #REF!...), which the reader gives as blank: kept as its text.
_FAST_ERROR = re.compile(
    _FAST_CELL + rb'[^>]*\bt="e"[^>]*>\s*' + _FAST_FORMULA + rb"<v>([^<]{0,64})</v>"
)
_ERROR_TYPE = re.compile(rb"\bt=[\"']e[\"']")
_ANY_CELL = re.compile(rb"<c[\s/>]")
_PREFIXED_CELL = re.compile(rb"<[A-Za-z_][\w.-]*:c[\s/>]")
# The general scan: every row and cell element in order.
_ROW_OR_CELL = re.compile(rb"<(" + _P + rb")(row|c)(\s[^>]*)?>")
_ANY_FORMULA = re.compile(rb"<(" + _P + rb")f\b[^>]*?(?:/>|>.*?</\1f>)", re.DOTALL)
_TAGS_AND_COMMENTS = re.compile(rb"<!--.*?-->|" + _PHONETIC + rb"|<[^>]*>", re.DOTALL)
_VALUE_TAG = re.compile(rb"<" + _P + rb"(?:v|is)\b")
_SHARED_TYPE = re.compile(rb"\bt=[\"']s[\"']")
_REF_ATTR = re.compile(rb"\br=[\"']([^\"']{0,20})[\"']")
_REF = re.compile(rb"([A-Z]{1,3})([0-9]{1,7})$")
_DIMENSION = re.compile(rb"<" + _P + rb"dimension\b[^>]*?\bref=[\"']([^\"']{0,40})[\"']")
_BLANK_SHARED = re.compile(
    rb"<"
    + _P
    + rb"si\b[^>]*>(?:\s|"
    + _PHONETIC
    + rb"|<(?!/"
    + _P
    + rb"si>)[^>]*>)*</"
    + _P
    + rb"si>",
    re.DOTALL,
)
_SHARED_START = re.compile(rb"<" + _P + rb"si\b")
_DEPTH_STEP = 8192


@dataclass
class _Scan:
    """What a sheet's pre-scan found."""

    cells: int = 0  # cells holding a value that is not blank
    max_row: int = 0  # 1-based; 0 when nothing holds a value
    max_column: int = -1  # 0-based
    declared: str = ""
    blanks: list[tuple[int, int]] = field(default_factory=list)  # (row, column) of blank cells
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column) → text
    depth: int = 0

    def blank_outside(self) -> bool:
        """Whether a blank cell lies beyond the values (the reader must not see it)."""
        return any(r > self.max_row or c > self.max_column for r, c in self.blanks)


def _column_of(letters: bytes) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ch - 64
    return index - 1


def _blank_shared_strings(
    archive: zipfile.ZipFile, names: set[str], limits: Limits
) -> frozenset[bytes]:
    """The indexes (as text) of the shared strings that hold no text: few or none."""
    part = "xl/sharedStrings.xml"
    if part not in names:
        return frozenset()
    blank: set[bytes] = set()
    seen = 0
    carry = b""
    first = True
    for chunk in _chunks(archive, part, limits):
        buffer = carry + (chunk if first else chunk[512:])
        first = False
        cut = buffer.rfind(b"<", len(carry))
        cut = cut if cut > 0 else len(carry)
        body, carry = buffer[:cut], buffer[cut:]
        for m in _BLANK_SHARED.finditer(body):
            blank.add(str(seen + len(_SHARED_START.findall(body, 0, m.start()))).encode())
        seen += len(_SHARED_START.findall(body))
    for m in _BLANK_SHARED.finditer(carry):
        blank.add(str(seen + len(_SHARED_START.findall(carry, 0, m.start()))).encode())
    return frozenset(blank)


def _sheet_pieces(archive: zipfile.ZipFile, part: str, limits: Limits) -> Iterator[bytes]:
    """The sheet's XML in pieces cut just before a cell opens (``<c …>``, ``<c>``, with or
    without a prefix), so no cell is split and a sheet of cells without attributes is not
    gathered into one piece."""
    carry = b""
    first = True
    for chunk in _chunks(archive, part, limits):
        buffer = carry + (chunk if first else chunk[512:])
        first = False
        start = max(1, len(carry) - 8)  # the carry holds no cell start but its first
        cut = max(
            buffer.rfind(b"<c ", start),
            buffer.rfind(b"<c>", start),
            buffer.rfind(b":c ", start),
            buffer.rfind(b":c>", start),
        )
        if cut > 0 and buffer[cut : cut + 1] == b":":
            colon, cut = cut, buffer.rfind(b"<", 0, cut)
            if buffer[cut + 1 : cut + 2] == b"/" and buffer[colon + 2 : colon + 3] == b">":
                cut = colon + 3  # a prefixed cell's closing tag: cut just after it
        if cut <= 0:
            carry = buffer
            continue
        yield buffer[:cut]
        carry = buffer[cut:]
    if carry:
        yield carry


def _check_depth(piece: bytes, depth: int, sheet: str) -> int:
    """The element depth after ``piece``, from its depth before; refused past the cap at
    a tag boundary every 8 KiB (elements opened minus elements closed)."""
    start, end = 0, len(piece)
    other = b"<!" in piece or b"<?" in piece  # comments, instructions: not elements
    while start < end:
        stop = piece.find(b"<", start + _DEPTH_STEP)
        stop = end if stop < 0 else stop
        depth += (
            piece.count(b"<", start, stop)
            - 2 * piece.count(b"</", start, stop)
            - piece.count(b"/>", start, stop)
        )
        if other:
            depth -= piece.count(b"<?", start, stop) + piece.count(b"<!", start, stop)
        if depth > MAX_XML_DEPTH:
            raise FileRejected(
                f"the sheet's XML is nested more than {MAX_XML_DEPTH} deep: not a normal workbook",
                sheet=sheet,
            )
        start = stop
    return depth


def _scan_sheet(
    archive: zipfile.ZipFile, part: str, sheet: str, limits: Limits, blank_shared: frozenset[bytes]
) -> _Scan:
    scan = _Scan()
    columns: set[bytes] = set()
    first = True
    for piece in _sheet_pieces(archive, part, limits):
        if first:
            found = _DIMENSION.search(piece)
            scan.declared = found.group(1).decode("ascii", "replace") if found else ""
        scan.depth = _check_depth(piece, scan.depth, sheet)
        if (
            (
                piece.count(b"<c") != piece.count(b'<c r="')
                and len(_ANY_CELL.findall(piece)) != piece.count(b'<c r="')
            )
            or (b":c" in piece and _PREFIXED_CELL.search(piece))
            or b"<!--" in piece
            or b"<?" in (piece[2:] if first else piece)
        ):
            return _scan_sheet_slowly(archive, part, sheet, limits, blank_shared)
        first = False
        refs = _FAST_VALUED_REF.findall(piece)
        if not refs:
            continue
        joined = b" ".join(refs)
        columns.update(joined.translate(None, _DIGITS).split())
        scan.max_row = max(scan.max_row, max(map(int, joined.translate(None, _LETTERS).split())))
        scan.cells += len(refs)
        if (
            b"<is>" in piece
            or b"<v/>" in piece
            or b"<v />" in piece
            or b"<v></v>" in piece
            or _SPACE_IN_VALUE.search(piece)
        ):
            for m in _FAST_BLANK_VALUE.finditer(piece):
                cell = _FAST_CELL_OPEN.match(piece, piece.rfind(b"<c ", 0, m.start()))
                if cell:
                    scan.blanks.append((int(cell.group(2)), _column_of(cell.group(1))))
        if b't="e"' in piece:
            for col, row, text in _FAST_ERROR.findall(piece):
                scan.errors[int(row), _column_of(col)] = text.decode("utf-8", "replace")
        if blank_shared:
            scan.blanks += [
                (int(row), _column_of(col))
                for col, row, index in _FAST_SHARED.findall(piece)
                if index in blank_shared
            ]
        if scan.cells - len(scan.blanks) > limits.max_cells:
            break  # refused by the caller; no need to read on
    scan.max_column = max((_column_of(c) for c in columns), default=-1)
    scan.cells -= len(scan.blanks)
    if scan.blanks:
        _extent_without_blanks(archive, part, limits, scan)
    return scan


def _extent_without_blanks(
    archive: zipfile.ZipFile, part: str, limits: Limits, scan: _Scan
) -> None:
    """The furthest row and column of the values that are not blank (a second look, for
    the sheets that have blank cells holding a value)."""
    blanks = set(scan.blanks)
    max_row, max_column = 0, -1
    for piece in _sheet_pieces(archive, part, limits):
        for letters, digits in _FAST_VALUED.findall(piece):
            row, column = int(digits), _column_of(letters)
            if (row, column) not in blanks:
                max_row, max_column = max(max_row, row), max(max_column, column)
    scan.max_row, scan.max_column = max_row, max_column


def _cells_in_order(
    archive: zipfile.ZipFile, part: str, sheet: str, limits: Limits
) -> Iterator[tuple[int, int, bytes, bytes]]:
    """(row, column, attributes, content) of every cell element with content, in order;
    rows and cells without a reference take theirs from their place."""
    row_number, column = 0, -1
    for piece in _sheet_pieces(archive, part, limits):
        for m in _ROW_OR_CELL.finditer(piece):
            attrs = m.group(3) or b""
            ref = _REF_ATTR.search(attrs)
            if m.group(2) == b"row":
                row_number = _row_number(ref, row_number + 1, sheet)
                column = -1
                continue
            if ref:
                found = _REF.match(ref.group(1))
                if found is None:
                    raise FileRejected(
                        f'the sheet has a cell named "{ref.group(1).decode("ascii", "replace")}"',
                        sheet=sheet,
                    )
                row, column = int(found.group(2)), _column_of(found.group(1))
            else:
                row, column = row_number, column + 1
            if attrs.endswith(b"/"):
                continue
            close = piece.find(b"</" + m.group(1) + b"c>", m.end())
            yield row, column, attrs, piece[m.end() : close if close >= 0 else len(piece)]


def _is_blank(attrs: bytes, content: bytes, blank_shared: frozenset[bytes]) -> bool | None:
    """None if the cell holds no value, else whether its value is blank."""
    content = _ANY_FORMULA.sub(b"", content)
    if not _VALUE_TAG.search(content):
        return None
    text = _TAGS_AND_COMMENTS.sub(b"", content).strip()
    if _SHARED_TYPE.search(attrs):
        return text in blank_shared
    return not text


def _scan_sheet_slowly(
    archive: zipfile.ZipFile, part: str, sheet: str, limits: Limits, blank_shared: frozenset[bytes]
) -> _Scan:
    """The pre-scan of a sheet written otherwise (cells without a reference, namespace
    prefixes, comments): each row and cell element in order; slower, so such a sheet may
    have at most ``max_unreferenced_cells`` cell elements, counted before any is placed."""
    scan = _Scan()
    elements = 0
    for piece in _sheet_pieces(archive, part, limits):
        if not scan.declared:
            found = _DIMENSION.search(piece)
            if found:
                scan.declared = found.group(1).decode("ascii", "replace")
        scan.depth = _check_depth(piece, scan.depth, sheet)
        elements += len(_ANY_CELL.findall(piece)) + len(_PREFIXED_CELL.findall(piece))
        if elements > limits.max_unreferenced_cells:
            raise FileRejected(
                f"the sheet is written without cell references (or with namespace prefixes or "
                f"comments), so it is read cell by cell, and it has more than "
                f"{limits.max_unreferenced_cells:,} cells, the limit for such sheets "
                "(MSOIC_READ_MAX_UNREFERENCED_CELLS); open the file in Excel or LibreOffice "
                "and save it again as .xlsx (which writes the references), then send that",
                sheet=sheet,
            )
    for row, column, attrs, content in _cells_in_order(archive, part, sheet, limits):
        blank = _is_blank(attrs, content, blank_shared)
        if blank is None:
            continue
        if blank:
            scan.blanks.append((row, column))
            continue
        scan.cells += 1
        scan.max_row = max(scan.max_row, row)
        scan.max_column = max(scan.max_column, column)
        if _ERROR_TYPE.search(attrs):
            text = _TAGS_AND_COMMENTS.sub(b"", _ANY_FORMULA.sub(b"", content)).strip()
            scan.errors[row, column] = text[:64].decode("utf-8", "replace")
        if scan.cells > limits.max_cells:
            break
    return scan


def _row_number(ref: re.Match[bytes] | None, default: int, sheet: str) -> int:
    if ref is None:
        return default
    text = ref.group(1)
    if not text.isdigit():
        raise FileRejected(
            f'the sheet has a row numbered "{text[:20].decode("ascii", "replace")}"', sheet=sheet
        )
    return int(text)


def _first_cell_beyond(
    archive: zipfile.ZipFile,
    part: str,
    sheet: str,
    limits: Limits,
    blank_shared: frozenset[bytes],
    what: str,
) -> tuple[int, int]:
    """The (row, column) of the first cell, in the sheet's order, past the row or column
    cap and not blank."""
    for row, column, attrs, content in _cells_in_order(archive, part, sheet, limits):
        beyond = row > limits.max_rows if what == "row" else column >= limits.max_columns
        if beyond and _is_blank(attrs, content, blank_shared) is False:
            return row, column
    return 0, 0


_WHOLE_CELL = re.compile(rb"<(" + _P + rb")c(\s[^>]*)?(?<!/)>(.*?)</\1c>", re.DOTALL)


def _without_blank_cells(data: bytes, part: str, blank_shared: frozenset[bytes]) -> bytes:
    """The workbook with the cells whose value is blank taken out of one sheet: for a sheet
    whose blank cells lie beyond its values, so that the reader builds no grid for them."""
    source = zipfile.ZipFile(io.BytesIO(data))

    def keep(m: re.Match[bytes]) -> bytes:
        return b"" if _is_blank(m.group(2) or b"", m.group(3), blank_shared) else m.group(0)

    xml = _WHOLE_CELL.sub(keep, source.read(part))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in source.infolist():
            z.writestr(item.filename, xml if item.filename == part else source.read(item))
    return out.getvalue()


# --- XLSX: the workbook ----------------------------------------------------------------


class Workbook:
    """An .xlsx file checked as a whole, whose sheets are read one at a time on request:
    each sheet is pre-scanned, then read by python-calamine.

    The cell cap is for the whole file: every sheet read spends from the same budget."""

    def __init__(self, data: bytes, limits: Limits | None = None) -> None:
        self.limits = limits or Limits.from_settings()
        self._archive, self._parts = _open_checked(data, self.limits)
        self._data = data
        self._names = {m.filename for m in self._archive.infolist()}
        if not self._parts:
            raise FileRejected("workbook has no worksheets")
        self._blank_shared: frozenset[bytes] | None = None
        self._budget = _Budget(self.limits)

    @property
    def sheet_names(self) -> list[str]:
        return list(self._parts)

    def rows(self, sheet: str) -> list[list[Any]]:
        part = self._parts[sheet]
        if self._blank_shared is None:
            self._blank_shared = _blank_shared_strings(self._archive, self._names, self.limits)
        scan = _scan_sheet(self._archive, part, sheet, self.limits, self._blank_shared)
        self._check(scan, part, sheet, self._blank_shared)
        if scan.max_row == 0:
            return []
        data = self._data
        if scan.blank_outside():
            data = _without_blank_cells(data, part, self._blank_shared)
        try:
            book = CalamineWorkbook.from_filelike(io.BytesIO(data))
            grid = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        except (CalamineError, PasswordError, XmlError, ZipError, ValueError) as exc:
            raise FileRejected(
                f"the sheet cannot be read ({str(exc)[:200]}): the file is damaged; save it "
                "again from Excel",
                sheet=sheet,
            ) from exc
        for (row, column), text in scan.errors.items():
            if row <= len(grid) and column < len(grid[row - 1]):
                grid[row - 1][column] = text
        return self._rows(grid, sheet)

    def _check(self, scan: _Scan, part: str, sheet: str, blank_shared: frozenset[bytes]) -> None:
        limits = self.limits
        if scan.max_column >= MAX_SHEET_COLUMN or scan.max_row > MAX_SHEET_ROW:
            raise FileRejected(
                f"the sheet has a cell at row {scan.max_row}, column {scan.max_column + 1}, "
                "outside any sheet",
                sheet=sheet,
            )
        if scan.max_row > limits.max_rows:
            row, _ = _first_cell_beyond(self._archive, part, sheet, limits, blank_shared, "row")
            raise _said(_too_many_rows(limits, sheet=sheet, row=row), scan.declared)
        if scan.max_column >= limits.max_columns:
            row, column = _first_cell_beyond(
                self._archive, part, sheet, limits, blank_shared, "column"
            )
            raise _said(
                _too_many_columns(limits, sheet=sheet, row=row, column=column), scan.declared
            )
        if self._budget.cells + scan.cells > limits.max_cells:
            self._budget.spend(scan.cells, sheet=sheet, row=scan.max_row)
        columns = scan.max_column + 1
        if scan.max_row * columns > limits.max_grid_cells:
            raise _said(
                FileRejected(
                    f"the sheet's values are spread over {scan.max_row:,} rows × {columns:,} "
                    f"columns (from A1 to {column_letter(scan.max_column)}{scan.max_row}), "
                    f"more than the {limits.max_grid_cells:,} cells a sheet may span "
                    "(MSOIC_READ_MAX_GRID_CELLS); delete what is far from your data or split "
                    "the file",
                    sheet=sheet,
                    row=scan.max_row,
                ),
                scan.declared,
            )

    def _rows(self, grid: list[list[Any]], sheet: str) -> list[list[Any]]:
        """Calamine's dense rows as the callers expect them: a cell of only spaces is blank,
        each row ends at its last filled cell, a row holding nothing is ``[]``, and no row
        follows the last that holds something."""
        max_chars = self.limits.max_cell_chars
        budget = self._budget
        rows: list[list[Any]] = []
        last = 0
        for number, line in enumerate(grid, start=1):
            width = 0
            for i, value in enumerate(line):
                if value.__class__ is str:
                    if len(value) > max_chars:
                        raise _too_long(self.limits, len(value), sheet=sheet, row=number, column=i)
                    if not value or value.isspace():
                        if value:
                            line[i] = ""
                        continue
                width = i + 1
            if width:
                del line[width:]
                budget.spend(width, sheet=sheet, row=number)
                rows.append(line)
                last = number
            else:
                rows.append(_EMPTY)
        del rows[last:]
        return rows


def _said(exc: FileRejected, declared: str) -> FileRejected:
    """Add the used range the sheet declares, when it says something."""
    if declared:
        exc.message += f" (the sheet declares its used range as {declared})"
        exc.args = (exc.message,)
    return exc


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
