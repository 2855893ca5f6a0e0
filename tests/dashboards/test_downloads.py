"""Every chart's figures download as CSV and XLSX: the same rows as its table, scoped like
the page, and safe to open in a spreadsheet (no cell is run as a formula)."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from msoic.metrics.engine import query
from msoic.orgunits.models import OrgUnit

pytestmark = pytest.mark.usefixtures("dashboard_returns_for_module")


def url(block: str, fmt: str, dashboard: str = "ms") -> str:
    return reverse("dashboard-download", args=[dashboard, block, fmt])


def read_csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def read_xlsx(response) -> list[tuple]:
    wb = load_workbook(io.BytesIO(response.content))
    return list(wb.active.iter_rows(values_only=True))


@pytest.mark.parametrize(("dashboard", "page"), [("ms", "dashboard-ms"), ("oic", "dashboard-oic")])
def test_every_block_on_the_page_downloads_as_csv_and_xlsx(
    client, national_analyst, dashboard, page
):
    client.force_login(national_analyst)
    response = client.get(reverse(page))
    blocks = [response.context["headline_block"]]
    blocks += [b for s in response.context["sections"] for b in s.blocks]
    assert len(blocks) >= 7
    html = response.content.decode()
    for block in blocks:
        link = url(block.id, "csv", dashboard)
        assert link in html, block.id
        csv_rows = read_csv(client.get(link))
        assert csv_rows[0] == block.export_header()
        assert len(csv_rows) == len(block.rows) + 1
        xlsx = client.get(url(block.id, "xlsx", dashboard))
        assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
        assert f"msoic-{dashboard}-{block.id}-national-2024-02.xlsx" in xlsx["Content-Disposition"]
        rows = read_xlsx(xlsx)
        header_at = rows.index(tuple(block.export_header()))
        assert len(rows) - header_at - 1 == len(block.rows)


def test_force_download_figures_are_the_engines(client, national_analyst):
    client.force_login(national_analyst)
    response = client.get(
        url("forces", "xlsx"), {"measure": "ms_recorded_crimes", "period": "2024-02"}
    )
    rows = read_xlsx(response)
    header = (
        "Force",
        "Force code",
        "Year to Feb 2023",
        "Year to Feb 2024",
        "Change (%)",
        "Completeness",
    )
    body = rows[rows.index(header) + 1 :]
    kent = next(r for r in body if r[1] == "kent")
    result = query(
        "ms_recorded_crimes",
        OrgUnit.objects.get(code="kent"),
        "R12-2024-02",
        compare="previous-year",
    )
    assert kent[2:5] == (result.previous_value, result.value, result.change_pct)
    assert isinstance(kent[3], int)  # numbers stay numbers
    london = next(r for r in body if r[1] == "city-of-london")
    assert london[2:4] == (None, None) and london[5] == "incomplete"


def test_downloads_are_scoped_like_the_page(client, kent_user):
    client.force_login(kent_user)
    rows = read_csv(client.get(url("headline", "csv")))
    areas = {r[1] for r in rows[1:]}
    assert areas == {"Kent Police", "England and Wales"}
    assert client.get(url("headline", "csv"), {"orgunit": "essex"}).status_code == 403
    assert client.get(url("forces", "csv"), {"orgunit": "national"}).status_code == 403


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_downloads_neutralise_formulas_in_names(client, national_analyst, fmt):
    # Names come from reference data; one that looks like a formula must stay text.
    OrgUnit.objects.filter(code="kent").update(name='=HYPERLINK("http://example.invalid","x")')
    OrgUnit.objects.filter(code="essex").update(name="@SUM(A1:A9)")
    OrgUnit.objects.filter(code="cleveland").update(name="-1+2")
    client.force_login(national_analyst)
    response = client.get(url("forces", fmt))
    cells = [
        c for row in (read_csv(response) if fmt == "csv" else read_xlsx(response)) for c in row
    ]
    names = [c for c in cells if isinstance(c, str)]
    assert '\'=HYPERLINK("http://example.invalid","x")' in names
    assert "'@SUM(A1:A9)" in names and "'-1+2" in names
    # Only numbers (a negative change is data, not a formula) may start with a sign.
    assert not [c for c in names if c[:1] in ("=", "+", "-", "@", "\t", "\r") and not is_number(c)]


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_download_notes_say_what_and_where(client, eastern_coordinator):
    client.force_login(eastern_coordinator)
    rows = read_xlsx(client.get(url("forces", "xlsx")))
    notes = [r[0] for r in rows[:4]]
    assert notes[0] == "MSOIC Insight: Modern slavery, MS live investigations by force"
    assert notes[1] == "Area: Eastern. Month picked: February 2024."


def test_xlsx_sheet_names_are_ones_excel_accepts(client, national_analyst):
    from msoic.dashboards.views import sheet_title

    assert sheet_title("MS live investigations: share by exploitation type") == (
        "MS live investigations share by"
    )
    assert sheet_title("a/b\\c?d*e[f]g") == "a b c d e f g"
    client.force_login(national_analyst)
    response = client.get(url("mix-ms_live_investigations-exploitation_type", "xlsx"))
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.active.title == "MS live investigations share by"
