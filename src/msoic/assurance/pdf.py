"""The force benchmarking report and the national summary as PDF, drawn by WeasyPrint from
the same report data as the HTML page and the XLSX, with a print stylesheet beside this
module. The document may fetch nothing (no files, no network)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.template.loader import render_to_string

STYLESHEET = Path(__file__).with_name("report_pdf.css")


def report_pdf(report: dict[str, Any]) -> bytes:
    from weasyprint import CSS, HTML

    html = render_to_string("assurance/report_pdf.html", report)
    style = CSS(string=STYLESHEET.read_text(encoding="utf-8"), url_fetcher=_refuse)
    pdf: bytes = HTML(string=html, url_fetcher=_refuse).write_pdf(stylesheets=[style])
    return pdf


def _refuse(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"the benchmarking PDF may not load {url}")
