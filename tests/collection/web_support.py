"""Helpers shared by the web tests of collection: storing returns and reading pages."""

from __future__ import annotations

import html as html_lib
import re
from typing import Any

from msoic.collection.models import Submission
from msoic.collection.pipeline import import_file
from tests.conftest import csv_bytes


def store(actor: Any, rows: list[list[Any]], name: str = "return.csv") -> Submission:
    """Send ``rows`` (canonical CSV rows) through the pipeline; return the first submission."""
    outcome = import_file(name, csv_bytes(rows), actor=actor)
    assert outcome.status == "accepted", outcome.lines()
    first = outcome.submissions[0]
    return Submission.objects.get(
        dataset=first.dataset, orgunit__code=first.force, period=f"{first.period}-01"
    )


def kent_return(actor: Any, month: str = "2024-02", arrests: int = 3) -> Submission:
    return store(
        actor,
        [
            ["kent", month, "ms_arrests", "", arrests, ""],
            ["kent", month, "ms_recorded_crimes", "", 10, "one operation"],
        ],
    )


def history(actor: Any, force: str, metric: str, months: list[str], value: int) -> None:
    """A steady recent level, so that a much higher figure raises the outlier warning."""
    store(actor, [[force, m, metric, "", value, ""] for m in months], name=f"history-{force}.csv")


def text(response: Any) -> str:
    """The page's visible text, tags removed and spaces squeezed, for readable assertions."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", html))).strip()
