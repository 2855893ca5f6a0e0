"""The shipped ``annual`` template built from the demo's records for FY2023-24: every figure
it states, with its value, and each output (HTML, tagged PDF, DOCX, XLSX, JSON) drawn.

The demo is built once for the module (returns, the register, AIDANT, Terminus, training,
documents, partnerships and intelligence logs; rolled back at the end). The expected figures are the annual report 2023/24's, typed here
from the report, except where the demo does not yet give the report's figure: those are
the demo's, marked, and the build warns that their qualifier no longer holds."""

from __future__ import annotations

import io
import json
import re
import zlib
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import call_command

from msoic.metrics.periods import Period
from msoic.reports import actions, render
from tests.conftest import module_data

# id -> as printed. Every value is the report's, except the two marked.
ANNUAL_2023_24 = {
    "glance-trained": "2,283",
    "glance-oic-disruptions": "614",
    "glance-aidant-disruptions": "328",
    "glance-lorry-stops": "3,007",
    "glance-intel-reviewed": "1,190",
    "glance-documents": "102",
    "ctx-ms-live-prev": "3,884",
    "ctx-ms-live-change": "-9%",
    "ctx-ms-live": "3,552",
    "ctx-ms-crimes-prev": "10,315",
    "ctx-ms-crimes-change": "-10.8%",
    "ctx-ms-crimes": "9,197",
    "ctx-nrm-prev": "3,592",
    "ctx-nrm-change": "0.3%",
    "ctx-nrm": "3,604",
    "ctx-oic-disruptions-prev": "370",
    "ctx-oic-disruptions-change": "65.9%",
    "ctx-oic-disruptions": "614",
    "ctx-soc-prev": "54",
    "ctx-soc-change": "44.4%",
    "ctx-soc": "78",
    "ctx-dde-live": "just over 3,000",  # the demo's register holds 2,111 (warned)
    "ctx-all-live": "around 4,000",  # the demo's national count is 3,552 (warned)
    "mix-criminal": "around 60%",
    "mix-sexual": "approximately 17%",
    "mix-labour": "about 16%",
    "mix-domestic": "around 3%",
    "hashtag-logs": "over 1,300",
    "partners-forces": "43",
    "aidant33-tvp-sites": "172",
    "aidant33-herts-businesses": "3,909",
    "aidant35-checks": "over 10,000",
    "aidant35-offenders": "39",
    "aidant-disruptions": "328",
    "aidant-victims": "110",
    "aidant-referrals": "76",
    "aidant-arrests": "57",
    "aidant-investigations": "55",
    "terminus-lorry": "3,007",
    "terminus-ga": "419",
    "terminus-gm": "355",
    "terminus-debriefs": "275",
    "terminus-cash": "£46,400",
    "terminus-fines": "£152,000",
    "terminus-drugs": "£3,000,000+",
    "training-people": "2,283",
}
DEMO_DIFFERS = {"ctx-dde-live": 2111, "ctx-all-live": 3552}


@pytest.fixture(scope="module")
def annual(django_db_setup: Any, django_db_blocker: Any) -> Any:
    with module_data(django_db_blocker):
        only = ["returns", "register", "intensifications", "terminus", "training"]
        only += ["documents", "partnerships", "intelligence"]
        args = [a for name in only for a in ("--only", name)]
        call_command("demo", *args, stdout=io.StringIO())
        text, _ = actions.template_text("annual")
        built = actions.build_text(text, Period.parse("FY2023-24"))
        yield SimpleNamespace(built=built)


@pytest.fixture
def built(annual: Any, db: Any) -> Any:
    return annual.built


def test_the_annual_report_states_every_figure_from_the_demos_records(built: Any) -> None:
    assert built.errors == []
    printed = {fid: f["text"] for fid, f in built.figures.items()}
    assert printed == ANNUAL_2023_24
    for fid, value in DEMO_DIFFERS.items():
        assert built.figures[fid]["value"] == value
        assert built.figures[fid]["qualifier_holds"] is False
    warned = sorted(re.match(r"line (\d+)", w).group(1) for w in built.warnings)  # type: ignore[union-attr]
    assert warned == sorted(str(built.figures[f]["line"]) for f in DEMO_DIFFERS)
    held = [f for f in built.figures.values() if f["qualifier"] and f["id"] not in DEMO_DIFFERS]
    assert held and all(f["qualifier_holds"] for f in held)
    assert all(f["provenance"]["query"].startswith("msoic query ") for f in built.figures.values())


def _pdf_objects(data: bytes) -> bytes:
    """The PDF's objects with every compressed stream inflated (object streams included)."""
    out = [data]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        try:
            out.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(out)


def test_every_output_is_drawn_and_the_pdf_is_tagged(built: Any) -> None:
    html = render.render(built, "html").decode()
    assert html.count('id="fig-') == len(ANNUAL_2023_24)  # each figure once, with its id
    assert 'href="/dashboards/ms/?orgunit=national&amp;period=R12-2024-02"' in html
    assert html.count("<svg") == 2  # the two charts, as vector SVG

    pdf = _pdf_objects(render.render(built, "pdf"))
    assert b"/StructTreeRoot" in pdf and b"/MarkInfo" in pdf and b"/Lang" in pdf
    for role in (b"/H1", b"/H2", b"/P", b"/Table", b"/TH", b"/TD"):
        assert role in pdf, role

    from docx import Document

    doc = Document(io.BytesIO(render.render(built, "docx")))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert "2. National context" in headings
    assert any("3,552" in c.text for t in doc.tables for row in t.rows for c in row.cells)

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(render.render(built, "xlsx"))).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows.index(tuple(render.XLSX_HEADER))
    by_id = {r[0]: r for r in rows[header + 1 :]}
    assert set(by_id) == set(ANNUAL_2023_24)
    assert by_id["ctx-ms-live-change"][2] == -8.5 and by_id["ctx-ms-live-change"][3] == "'-9%"

    data = json.loads(render.render(built, "json"))
    figure = next(f for f in data["figures"] if f["id"] == "terminus-cash")
    assert figure["value"] == 46400 and figure["text"] == "£46,400"
    assert figure["provenance"]["complete"] is True
