"""Helpers for the national NRM statistics' tests: releases written as the Home Office lays
its tables out."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from openpyxl import Workbook

from msoic.nrmstats.actions import LoadResult, do_load_release

HEADER_BLOCK = [
    ["Table 1: NRM referrals by first responder type"],
    ["Figures are referrals of potential victims of modern slavery, UK."],
    ["Source: Home Office"],
    [],
]
RESPONDERS = ["Police", "Local authority", "Home Office", "NGO", "Other"]


def responder_rows(quarters: dict[str, list[int]], *, total: bool = True) -> list[list[Any]]:
    """A quarter per row: ``Quarter | Police | ... | Other | Total`` under a header block."""
    head = ["Quarter", *RESPONDERS] + (["Total"] if total else [])
    body = [[q, *v] + ([sum(v)] if total else []) for q, v in quarters.items()]
    return [*HEADER_BLOCK, head, *body, [], ["Notes: '-' means none."]]


def csv_of(rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def xlsx_of(sheets: dict[str, list[list[Any]]]) -> bytes:
    book = Workbook()
    first = True
    for name, rows in sheets.items():
        sheet = book.active if first else book.create_sheet(name)
        assert sheet is not None
        sheet.title = name
        first = False
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def load(actor: Any, filename: str, data: bytes, **kw: Any) -> LoadResult:
    return do_load_release(
        actor=actor,
        filename=filename,
        data=data,
        publication=kw.pop("publication", "NRM statistics, Quarter 1 2024"),
        released_on=kw.pop("released_on", date(2024, 5, 2)),
        url=kw.pop("url", "www.example.org/nrm-q1-2024"),
    )
