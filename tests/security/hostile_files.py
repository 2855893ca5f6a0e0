"""Hostile files, made here as real bytes: workbooks whose used range is huge but whose cells
are few, dimension lies, zip bombs, over-long cells and fields, external links, web-query
and DDE formulas, deep XML, entity bombs and files that are not what their name says.

Each builder starts from a small good workbook (one sheet with a header row and one data
row) so the only thing wrong with it is the hostile part. ``benchmarks.readers`` builds
its files with these too.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import Any

SHEET_PART = "xl/worksheets/sheet1.xml"
RETURN_HEADER = ["force", "period", "metric", "breakdown", "value", "comment"]
RETURN_ROW = ["kent", "2024-01", "ms_arrests", "", 3, ""]


def workbook(
    rows: list[list[Any]] | None = None, *, sheet: str = "Return", header: list[str] | None = None
) -> bytes:
    """A plain workbook made by openpyxl: one sheet, a header and ``rows``."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(header or RETURN_HEADER)
    for row in rows if rows is not None else [RETURN_ROW]:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def rezip(
    data: bytes,
    *,
    extra: dict[str, bytes] | None = None,
    replace: dict[str, bytes] | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """The same workbook with parts added or replaced."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as z:
        for item in source.infolist():
            z.writestr(
                item.filename, (replace or {}).get(item.filename, source.read(item.filename))
            )
        for name, content in (extra or {}).items():
            z.writestr(name, content)
    return out.getvalue()


def edit_sheet(data: bytes, edit: Callable[[bytes], bytes]) -> bytes:
    sheet = zipfile.ZipFile(io.BytesIO(data)).read(SHEET_PART)
    return rezip(data, replace={SHEET_PART: edit(sheet)})


def _before_end_of_data(xml: bytes) -> tuple[bytes, bytes]:
    head, _, tail = xml.partition(b"</sheetData>")
    return head, b"</sheetData>" + tail


def _set_dimension(xml: bytes, ref: str) -> bytes:
    start = xml.index(b"<dimension")
    end = xml.index(b"/>", start) + 2
    return xml[:start] + f'<dimension ref="{ref}"/>'.encode() + xml[end:]


def add_rows(data: bytes, rows_xml: bytes, *, dimension: str | None = None) -> bytes:
    """Append raw ``<row>`` XML at the end of the sheet's data."""

    def edit(xml: bytes) -> bytes:
        head, tail = _before_end_of_data(xml)
        out = head + rows_xml + tail
        return _set_dimension(out, dimension) if dimension else out

    return edit_sheet(data, edit)


def text_cell(ref: str, text: str) -> bytes:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()


def far_corner(base: bytes, value: str | None) -> bytes:
    """One cell at XFD1048576, the last cell a sheet can have, and a used range that says
    so: styled but empty (``None``), holding only a space, or holding a value."""
    if value is None:
        cell = b'<c r="XFD1048576" s="0"/>'
    else:
        cell = text_cell("XFD1048576", value)
    return add_rows(base, b'<row r="1048576">' + cell + b"</row>", dimension="A1:XFD1048576")


def corner_at(base: bytes, ref: str, row: int, value: str = "x") -> bytes:
    """A value at ``ref`` (on ``row``), and a used range that tells the truth about it."""
    return add_rows(
        base, f'<row r="{row}">'.encode() + text_cell(ref, value) + b"</row>", dimension=f"A1:{ref}"
    )


def dimension_lie(base: bytes, row: int = 400_000) -> bytes:
    """The used range says A1:F2, but a value sits far below it."""
    return add_rows(
        base, f'<row r="{row}">'.encode() + text_cell(f"A{row}", "x") + b"</row>", dimension="A1:F2"
    )


def many_empty_rows(base: bytes, count: int = 200_000) -> bytes:
    """``count`` row elements with styled empty cells and nothing in them, after the data."""
    rows = b"".join(f'<row r="{n}"><c r="A{n}" s="0"/></row>'.encode() for n in range(3, count + 3))
    return add_rows(base, rows, dimension=f"A1:F{count + 2}")


def zip_bomb(base: bytes) -> bytes:
    """The sheet padded with 40 MB of spaces between elements: tiny compressed, vast
    uncompressed, at a ratio far beyond a real workbook's."""

    def edit(xml: bytes) -> bytes:
        head, tail = _before_end_of_data(xml)
        return head + b" " * (40 * 1024 * 1024) + tail

    return edit_sheet(base, edit)


def long_cell(base: bytes, length: int = 40_000) -> bytes:
    return add_rows(base, b'<row r="3">' + text_cell("F3", "x" * length) + b"</row>")


def formula(base: bytes, text: str) -> bytes:
    return add_rows(base, f'<row r="3"><c r="F3" t="str"><f>{text}</f><v></v></c></row>'.encode())


def external_link(base: bytes) -> bytes:
    link = (
        b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<externalBook r:id="rId1" xmlns:r="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships"/></externalLink>'
    )
    return rezip(base, extra={"xl/externalLinks/externalLink1.xml": link})


def deep_xml(base: bytes, depth: int = 5_000) -> bytes:
    """Elements nested thousands deep inside a cell's inline string."""
    nested = b"<is>" + b"<r>" * depth + b"</r>" * depth + b"</is>"
    return add_rows(base, b'<row r="3"><c r="F3" t="inlineStr">' + nested + b"</c></row>")


def entity_bomb(base: bytes) -> bytes:
    """The 'billion laughs': entities defined in terms of each other."""

    def edit(xml: bytes) -> bytes:
        body = xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml
        laughs = b"".join(
            f'<!ENTITY l{i} "&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};">'.encode()
            for i in range(1, 10)
        )
        return b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY l0 "lol">' + laughs + b"]>" + body

    return edit_sheet(base, edit)


def csv_text(rows: list[list[str]]) -> bytes:
    return "\n".join(",".join(r) for r in rows).encode() + b"\n"


def csv_giant_field(header: list[str] | None = None, length: int = 300_000) -> bytes:
    """A field longer than the csv module's own limit (131,072 characters)."""
    header = header or RETURN_HEADER
    row = ["x"] * len(header)
    row[-1] = "y" * length
    return csv_text([header, row])


def csv_long_field(header: list[str] | None = None, length: int = 40_000) -> bytes:
    return csv_giant_field(header, length)


NOT_A_ZIP = b"force,period,metric\nkent,2024-01,ms_arrests\n"


def hostile_workbooks(base: bytes) -> dict[str, tuple[bytes, str]]:
    """Every hostile variant of ``base`` with words its refusal must contain."""
    return {
        "far-corner-value": (far_corner(base, "x"), "MSOIC_READ_MAX_ROWS"),
        "wide-corner-value": (corner_at(base, "XFD2", 2), "MSOIC_READ_MAX_COLUMNS"),
        "dimension-lie": (dimension_lie(base), "MSOIC_READ_MAX_ROWS"),
        "zip-bomb": (zip_bomb(base), "zip bomb"),
        "long-cell": (long_cell(base), "MSOIC_READ_MAX_CELL_CHARS"),
        "external-link": (external_link(base), "external links"),
        "webservice": (formula(base, 'WEBSERVICE("http://example.invalid/")'), "WEBSERVICE"),
        "filterxml": (formula(base, 'FILTERXML(A1,"//a")'), "FILTERXML"),
        "dde": (formula(base, "cmd|' /c calc'!A0"), "DDE"),
        "deep-xml": (deep_xml(base), "nested more than"),
        "entity-bomb": (entity_bomb(base), "DTD or XML entities"),
        "not-a-zip": (NOT_A_ZIP, "not an Excel workbook"),
    }


def _with_shared_strings_part(data: bytes, sst: bytes) -> bytes:
    types = zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml")
    types = types.replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    return rezip(data, replace={"[Content_Types].xml": types}, extra={"xl/sharedStrings.xml": sst})


def unreferenced_cells(base: bytes, rows: int = 4_000, columns: int = 450) -> bytes:
    """The sheet's data replaced by ``rows`` × ``columns`` numbers in ``<row>`` and ``<c>``
    elements without ``r=`` references (valid: each takes its place from its order), so
    every cell must be placed one by one (about 3.5 MB compressed at the defaults)."""

    def edit(xml: bytes) -> bytes:
        head, _, rest = xml.partition(b"<sheetData>")
        _, _, tail = rest.partition(b"</sheetData>")
        body = b"".join(
            b"<row>"
            + b"".join(b"<c><v>%d</v></c>" % (r * 7 + c) for c in range(columns))
            + b"</row>"
            for r in range(rows)
        )
        return _set_dimension(head, "A1") + b"<sheetData>" + body + b"</sheetData>" + tail

    return edit_sheet(base, edit)


def many_shared_strings(base: bytes, count: int = 1_600_000) -> bytes:
    """A shared-strings part of ``count`` distinct three-character strings that no cell uses
    (about 4.7 MB compressed at the default)."""
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    n = len(alphabet)
    items = b"".join(
        f"<si><t>{alphabet[i // (n * n) % n]}{alphabet[i // n % n]}{alphabet[i % n]}</t></si>".encode()
        for i in range(count)
    )
    sst = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        + f'count="{count}" uniqueCount="{count}">'.encode()
        + items
        + b"</sst>"
    )
    return _with_shared_strings_part(base, sst)
