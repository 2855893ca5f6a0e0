"""The force benchmarking report and the national summary, as HTML and XLSX."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from msoic.assurance.actions import do_challenge_grade
from msoic.assurance.models import Campaign
from tests.assurance.conftest import submitted_campaign

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def campaign(national_analyst: Any) -> Campaign:
    campaign = submitted_campaign(
        national_analyst, {"kent": {"LG1": "red"}, "essex": {"LG1": "red"}, "cleveland": {}}
    )
    kent = campaign.assessments.get(orgunit__code="kent")
    g = kent.grades.select_related("standard").get(standard__reference="LG2")
    g.evidence = "=cmd|' /C calc'!A0"
    g.save()
    do_challenge_grade(g, "amber", "Minutes missing", actor=national_analyst)
    return campaign


def sheet_values(content: bytes) -> list[Any]:
    ws = load_workbook(io.BytesIO(content)).active
    return [c.value for row in ws.iter_rows() for c in row]


def test_force_report_html_and_xlsx(campaign: Campaign, kent_user: Any) -> None:
    kent = campaign.assessments.get(orgunit__code="kent")
    c = client_for(kent_user)
    page = c.get(f"/assurance/assessments/{kent.pk}/report/").content.decode()
    assert "Kent Police: Benchmarking 2023/24" in page
    assert "Minutes missing" in page and "Essex" not in page
    values = sheet_values(c.get(f"/assurance/assessments/{kent.pk}/report.xlsx").content)
    assert "Agreed grade" in values and "Minutes missing" in values
    assert "'=cmd|' /C calc'!A0" in values  # formula-safe
    assert not any(isinstance(v, str) and "Essex" in v for v in values)
    pdf = c.get(f"/assurance/assessments/{kent.pk}/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")


def test_force_report_of_another_force_is_404(campaign: Campaign, essex_user: Any) -> None:
    kent = campaign.assessments.get(orgunit__code="kent")
    c = client_for(essex_user)
    assert c.get(f"/assurance/assessments/{kent.pk}/report/").status_code == 404
    assert c.get(f"/assurance/assessments/{kent.pk}/report.xlsx").status_code == 404


def test_national_summary_for_the_unit_only(
    campaign: Campaign, national_analyst: Any, eastern_coordinator: Any
) -> None:
    c = client_for(national_analyst)
    page = c.get(f"/assurance/campaigns/{campaign.pk}/summary/").content.decode()
    assert "National benchmarking summary" in page and "3 forces submitted; 47 standards" in page
    values = sheet_values(c.get(f"/assurance/campaigns/{campaign.pk}/summary.xlsx").content)
    assert "LG1" in values and "Red (forces)" in values
    pdf = c.get(f"/assurance/campaigns/{campaign.pk}/summary.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    assert c.get(f"/assurance/campaigns/{campaign.pk}/summary.doc").status_code == 404
    coord = client_for(eastern_coordinator)
    assert coord.get(f"/assurance/campaigns/{campaign.pk}/summary/").status_code == 403


def test_force_report_page_is_one_four_column_table_per_area(
    campaign: Campaign, kent_user: Any
) -> None:
    """The page fits the column: standard, grade (and the agreed grade), evidence with the
    planned actions, and the national distribution; the downloads keep every column."""
    import re

    kent = campaign.assessments.get(orgunit__code="kent")
    page = client_for(kent_user).get(f"/assurance/assessments/{kent.pk}/report/").content.decode()
    captions = re.findall(r'<caption class="[^"]*" id="report-(\w+)">', page)
    assert captions == ["LG", "INT", "INV", "VC", "TR"]
    lg = page[page.index('id="report-LG"') : page.index('id="report-INT"')]
    assert lg.count('<th scope="col"') == 4
    assert lg.count('<th scope="row"') == 9  # LG1 to LG9
    lg2 = re.search(r"LG2 Governance board</th>(.*?)</tr>", lg, re.S)
    assert lg2 is not None
    assert 'msoic-grade--green">Green</strong><br>Agreed: ' in lg2.group(1)
    assert 'msoic-grade--amber">Amber</strong>' in lg2.group(1)
    assert "Minutes missing" in lg2.group(1)
    lg1 = re.search(r"LG1 Chief officer lead</th>(.*?)</tr>", lg, re.S)
    assert lg1 is not None and "Red 2<br>Amber 0<br>Green 1" in lg1.group(1)
