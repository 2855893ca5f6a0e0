"""A built report in every output: HTML, PDF (tagged, PDF/UA-1), DOCX, XLSX and JSON.

Every format is drawn from the same :class:`msoic.reports.resolve.Built`, so a published
snapshot renders again exactly as it was published. Charts are the dashboards' Vega-Lite
specifications drawn on the server by vl-convert: vector SVG in HTML and PDF, PNG in DOCX
(Word documents take no SVG from python-docx). Each output ends with the figures and
where they came from (provenance).
"""

from __future__ import annotations

import io
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from msoic.reports.resolve import Built
from msoic.web.exports import xlsx_bytes

FORMATS = ("html", "pdf", "docx", "xlsx", "json")
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
STYLESHEET = Path(__file__).with_name("report.css")
CHART_WIDTH = 560


# --- charts -----------------------------------------------------------------------------------


def _fixed_width(spec: dict[str, Any]) -> dict[str, Any]:
    """The dashboards' spec sized for a page (vl-convert has no container to fit)."""
    return {**spec, "width": CHART_WIDTH, "autosize": {"type": "pad"}}


@lru_cache(maxsize=64)
def _svg(spec_json: str) -> str:
    import vl_convert as vlc

    svg: str = vlc.vegalite_to_svg(json.loads(spec_json))
    return svg


def chart_svg(spec: dict[str, Any]) -> str:
    return _svg(json.dumps(_fixed_width(spec), sort_keys=True))


def titled(svg: str, description: str) -> str:
    """The chart's SVG with its description as the SVG's own ``<title>``: the PDF's Figure
    takes its alternative text (PDF/UA-1 requires one) from it."""
    start = svg.index(">", svg.index("<svg")) + 1
    return f"{svg[:start]}<title>{escape(description)}</title>{svg[start:]}"


def chart_png(spec: dict[str, Any]) -> bytes:
    """The chart's SVG (drawn once, shared with HTML and PDF) rasterised: the same pixels as
    drawing the spec to PNG, without running Vega a second time."""
    import vl_convert as vlc

    png: bytes = vlc.svg_to_png(chart_svg(spec), scale=2)
    return png


# --- HTML -------------------------------------------------------------------------------------


def behind(figure: dict[str, Any]) -> str:
    """What is behind a figure, in words: "43 of 43 returns" (with "(incomplete)" and the
    force-months from records), or for a date "3 records"."""
    p = figure["provenance"]
    if figure.get("unit") == "date":
        n = p["records"]
        return f"{n} record{'' if n == 1 else 's'}"
    out = f"{p['returns_received']} of {p['returns_expected']} returns"
    if not p["complete"]:
        out += " (incomplete)"
    if p["from_records"]:
        out += f", {p['from_records']} from records"
    return out


def _title_of(figure: dict[str, Any]) -> str:
    p = figure["provenance"]
    if figure.get("unit") == "date":
        return f"{figure['label']}: {figure['value']}, from {behind(figure)}, as at {p['as_at']}"
    done = "complete" if p["complete"] else "incomplete"
    return (
        f"{figure['label']}: {p['returns_received']} of {p['returns_expected']} returns "
        f"({done}), as at {p['as_at']}"
    )


def segments_html(
    segments: list[dict[str, str]], figures: dict[str, Any], links: bool
) -> SafeString:
    out: list[str] = []
    for seg in segments:
        if "t" in seg:
            out.append(escape(seg["t"]))
            continue
        figure = figures[seg["f"]]
        if links and figure.get("link"):
            out.append(
                format_html(
                    '<a class="govuk-link report-figure" href="{}" id="fig-{}" title="{}">{}</a>',
                    figure["link"],
                    figure["id"],
                    _title_of(figure),
                    figure["text"],
                )
            )
        else:
            out.append(
                format_html(
                    '<span class="report-figure" id="fig-{}" title="{}">{}</span>',
                    figure["id"],
                    _title_of(figure),
                    figure["text"],
                )
            )
    return mark_safe("".join(out))  # noqa: S308 (every part escaped above)


def _view(built: Built, *, links: bool, svg: bool) -> list[dict[str, Any]]:
    """Blocks with their text as safe HTML, for the templates."""
    figs = built.figures
    out: list[dict[str, Any]] = []
    for block in built.blocks:
        kind = block["kind"]
        item: dict[str, Any] = {"kind": kind}
        if kind == "heading":
            item.update(level=block["level"] + 1, number=block["number"])
            item["html"] = segments_html(block["text"], figs, links)
        elif kind in ("paragraph", "quote"):
            item["html"] = segments_html(block["text"], figs, links)
        elif kind in ("list", "tiles"):
            item["items"] = [segments_html(i, figs, links) for i in block["items"]]
        else:
            item.update(
                id=block["id"],
                caption=block.get("caption") or block.get("title", ""),
                head=block["head"],
                numeric=block.get("numeric", [False] + [True] * (len(block["head"]) - 1)),
                rows=[[segments_html(c, figs, links) for c in row] for row in block["rows"]],
            )
            if kind == "chart" and svg:
                drawn = titled(chart_svg(block["spec"]), block["description"])
                item["svg"] = mark_safe(drawn)  # noqa: S308 (vl-convert output, title escaped)
                item["description"] = block["description"]
        out.append(item)
    return out


def context(built: Built, *, links: bool = True, svg: bool = True) -> dict[str, Any]:
    return {
        "report": built,
        "blocks": _view(built, links=links, svg=svg),
        "figures": [{**f, "behind": behind(f)} for f in built.figures.values()],
    }


def html_document(built: Built, *, links: bool = True) -> str:
    """The whole report as a standalone HTML page (its stylesheet inline)."""
    return render_to_string(
        "reports/document.html",
        {**context(built, links=links), "css": STYLESHEET.read_text(encoding="utf-8")},
    )


# --- PDF --------------------------------------------------------------------------------------


def pdf_bytes(built: Built) -> bytes:
    """Tagged PDF (PDF/UA-1: a structure tree, a title, the language): figures without
    links (a printed page cannot follow them; the appendix gives each one's query)."""
    from weasyprint import HTML

    html = html_document(built, links=False)
    pdf: bytes = HTML(string=html, url_fetcher=_refuse).write_pdf(
        pdf_variant="pdf/ua-1", pdf_tags=True
    )
    return pdf


def _refuse(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"the report PDF may not load {url}")


# --- DOCX -------------------------------------------------------------------------------------


def _plain(segments: list[dict[str, str]], figures: dict[str, Any]) -> str:
    return "".join(s["t"] if "t" in s else figures[s["f"]]["text"] for s in segments)


def docx_bytes(built: Built) -> bytes:
    """A Word document with real headings, lists and tables, for editors who work in Word."""
    from docx import Document
    from docx.shared import Cm

    figs = built.figures
    doc = Document()
    doc.core_properties.title = built.title
    doc.core_properties.language = "en-GB"
    doc.add_heading(built.title, level=0)
    doc.add_paragraph(f"{built.period_label}. Built {built.built_at} ({built.mode}).")
    for block in built.blocks:
        kind = block["kind"]
        if kind == "heading":
            text = _plain(block["text"], figs)
            if block["number"]:
                text = f"{block['number']}. {text}"
            doc.add_heading(text, level=min(block["level"], 3))
        elif kind == "paragraph":
            doc.add_paragraph(_plain(block["text"], figs))
        elif kind == "quote":
            doc.add_paragraph(_plain(block["text"], figs), style="Intense Quote")
        elif kind in ("list", "tiles"):
            for item in block["items"]:
                doc.add_paragraph(_plain(item, figs), style="List Bullet")
        else:
            if kind == "chart":
                doc.add_picture(io.BytesIO(chart_png(block["spec"])), width=Cm(15))
                doc.add_paragraph(block["description"], style="Caption")
            caption = block.get("caption") or block.get("title", "")
            if caption and kind == "table":
                doc.add_paragraph(caption, style="Caption")
            table = doc.add_table(rows=1, cols=len(block["head"]))
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, block["head"], strict=True):
                cell.text = text
            for row in block["rows"]:
                cells = table.add_row().cells
                for cell, seg in zip(cells, row, strict=True):
                    cell.text = _plain(seg, figs)
    doc.add_heading("Figures and where they come from", level=1)
    table = doc.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells, ["Figure", "As printed", "Query", "Returns or records"], strict=True
    ):
        cell.text = text
    for f in figs.values():
        p = f["provenance"]
        cells = table.add_row().cells
        cells[0].text = f["label"]
        cells[1].text = f["text"]
        cells[2].text = p["query"]
        cells[3].text = behind(f)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


# --- XLSX and JSON ----------------------------------------------------------------------------

XLSX_HEADER = [
    "id",
    "label",
    "value",
    "as printed",
    "metric",
    "org unit",
    "period",
    "shown",
    "qualifier",
    "qualifier holds",
    "template line",
    "query",
    "as at",
    "returns received",
    "returns expected",
    "complete",
    "from records (force-months)",
    "disclosure",
    "missing forces",
    "records (a date)",
]


def xlsx_report(built: Built) -> bytes:
    """Every figure with its provenance, one row each, formula-safe (msoic.web.exports)."""
    rows = []
    for f in built.figures.values():
        p = f["provenance"]
        rows.append(
            [
                f["id"],
                f["label"],
                f["value"],
                f["text"],
                f["metric"] or f.get("source", ""),
                f["orgunit"],
                f["period"],
                f["show"],
                f["qualifier"] or "",
                "" if f["qualifier_holds"] is None else f["qualifier_holds"],
                f["line"],
                p["query"],
                p["as_at"],
                p["returns_received"],
                p["returns_expected"],
                p["complete"],
                p["from_records"],
                p["disclosure"],
                " ".join(p["missing_forces"]),
                p.get("records", ""),
            ]
        )
    notes = [f"{built.title}, {built.period_label}", f"Built {built.built_at} ({built.mode})"]
    return xlsx_bytes("Figures", XLSX_HEADER, rows, notes)


def json_report(built: Built) -> bytes:
    data = {
        "title": built.title,
        "period": built.period,
        "mode": built.mode,
        "built_at": built.built_at,
        "template_version": built.template_version,
        "warnings": built.warnings,
        "figures": list(built.figures.values()),
    }
    return json.dumps(data, indent=2, ensure_ascii=False).encode()


def render(built: Built, fmt: str) -> bytes:
    if fmt == "html":
        return html_document(built).encode()
    if fmt == "pdf":
        return pdf_bytes(built)
    if fmt == "docx":
        return docx_bytes(built)
    if fmt == "xlsx":
        return xlsx_report(built)
    if fmt == "json":
        return json_report(built)
    raise ValueError(f"unknown format {fmt!r} (use {', '.join(FORMATS)})")
