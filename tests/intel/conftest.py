"""Helpers for intelligence log tests: extracts as real CSV and XLSX bytes."""

from __future__ import annotations

from datetime import date
from typing import Any

from msoic.intel.actions import do_import_extract
from msoic.orgunits.models import OrgUnit
from tests.conftest import csv_bytes, xlsx_bytes

HEADER = [
    "reference",
    "created",
    "hashtags",
    "source_evaluation",
    "intelligence_assessment",
    "handling_code",
    "handling_conditions",
    "route",
    "exploitation_types",
    "summary",
    "investigation",
    "operation",
]


def log_row(reference: str = "KT-001", **given: Any) -> list[Any]:
    """A good row: an OIC-tagged small boat log, graded 2BP, with ``given`` changed."""
    row = {
        "reference": reference,
        "created": "2023-09-04",
        "hashtags": "#NATOIC #KENTOIC",
        "source_evaluation": "2",
        "intelligence_assessment": "B",
        "handling_code": "P",
        "handling_conditions": "",
        "route": "small boat",
        "exploitation_types": "",
        "summary": "Small boat launch reported from a beach near the harbour at night.",
        "investigation": "",
        "operation": "",
    }
    row.update(given)
    return [row[c] for c in HEADER]


def extract_csv(rows: list[list[Any]], header: list[str] | None = None) -> bytes:
    return csv_bytes(rows, header or HEADER)


def extract_xlsx(rows: list[list[Any]], header: list[str] | None = None) -> bytes:
    return xlsx_bytes(rows, header or HEADER, sheet="Logs")


def send(actor: Any, force: str, rows: list[list[Any]], name: str = "extract.csv") -> Any:
    outcome = do_import_extract(
        OrgUnit.objects.get(code=force), name, extract_csv(rows), actor=actor
    )
    assert outcome.ok, [str(p) for p in outcome.problems]
    return outcome


def days_ago(today: date, n: int) -> date:
    from datetime import timedelta

    return today - timedelta(days=n)
