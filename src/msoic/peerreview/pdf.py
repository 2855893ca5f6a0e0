"""The force report as PDF, drawn by WeasyPrint from the same template data as the HTML
page, with its own print stylesheet (report_pdf.css beside this module)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.template.loader import render_to_string

STYLESHEET = Path(__file__).with_name("report_pdf.css")


def report_pdf(context: dict[str, Any], *, compress: bool = True) -> bytes:
    return _pdf("peerreview/report_pdf.html", context, compress=compress)


def tracker_pdf(context: dict[str, Any], *, compress: bool = True) -> bytes:
    """The national recommendations tracker (the roll-up page's tables) as PDF."""
    return _pdf("peerreview/tracker_pdf.html", context, compress=compress)


def _pdf(template: str, context: dict[str, Any], *, compress: bool) -> bytes:
    from weasyprint import CSS, HTML

    html = render_to_string(template, context)
    style = CSS(string=STYLESHEET.read_text(encoding="utf-8"), url_fetcher=_refuse)
    # No base URL: the document may not fetch anything (no files, no network).
    pdf: bytes = HTML(string=html, url_fetcher=_refuse).write_pdf(
        stylesheets=[style], uncompressed_pdf=not compress
    )
    return pdf


def _refuse(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"the report PDF may not load {url}")
