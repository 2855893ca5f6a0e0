"""The force report as PDF, drawn by WeasyPrint from the same template data as the HTML
page. The PDF's HTML is never served to a browser, so its stylesheet sits in the document
(the site's CSP does not apply to it)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string


def report_pdf(context: dict[str, Any], *, compress: bool = True) -> bytes:
    from weasyprint import HTML

    html = render_to_string("peerreview/report_pdf.html", context)
    # No base URL: the document may not fetch anything (no files, no network).
    pdf: bytes = HTML(string=html, url_fetcher=_refuse).write_pdf(uncompressed_pdf=not compress)
    return pdf


def _refuse(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"the report PDF may not load {url}")
