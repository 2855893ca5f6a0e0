"""Formula-safe CSV and XLSX exports. Every export of figures goes through here."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Neutralise text a spreadsheet would run as a formula by prefixing a quote.

    Numbers stay numbers (a negative number is data, not a formula); a Decimal (money in
    pounds) is written exactly, as a number in XLSX and as its digits in CSV."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    if text.startswith(DANGEROUS_PREFIXES):
        return "'" + text
    return text


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so Excel opens it as UTF-8
    writer = csv.writer(response)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(c) for c in row])
    return response


def xlsx_bytes(
    sheet_title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    notes: Sequence[str] = (),
) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title[:31]
    for note in notes:
        ws.append([safe_cell(note)])
    if notes:
        ws.append([])
    ws.append([safe_cell(h) for h in header])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([safe_cell(c) for c in row])
    header_row = len(notes) + (2 if notes else 1)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def xlsx_response(
    filename: str,
    sheet_title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    notes: Sequence[str] = (),
) -> HttpResponse:
    response = HttpResponse(
        xlsx_bytes(sheet_title, header, rows, notes),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
