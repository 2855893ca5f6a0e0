"""The national NRM statistics page: the series (chart and tables) and the releases for the
national team, a release loaded from the form (audited), a bad file refused with each
problem's sheet, row and column; nobody else may see or load."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from msoic.audit.models import AuditAction, AuditEvent
from msoic.nrmstats.models import Release
from tests.conftest import PERSONA_PASSWORD
from tests.nrmstats.conftest import HEADER_BLOCK, csv_of, load, responder_rows, xlsx_of

URL = "/nrm-statistics/"
Q = {
    "Jan to Mar 2023": [1500, 1300, 1250, 270, 190],
    "Apr to Jun 2023": [1470, 1000, 980, 200, 150],
}


def login(client: Any, user: Any) -> Any:
    client.login(username=user.username, password=PERSONA_PASSWORD)
    return client


def form(data: bytes, name: str = "q1.csv", **kw: Any) -> dict[str, Any]:
    return {
        "publication": kw.get("publication", "NRM statistics, Quarter 2 2023"),
        "released_on": kw.get("released_on", "2023-08-03"),
        "url": kw.get("url", "www.example.org/nrm"),
        "release_file": SimpleUploadedFile(name, data),
    }


@pytest.mark.django_db
def test_the_page_before_any_release(client: Any, national_analyst: Any) -> None:
    html = login(client, national_analyst).get(URL).content.decode()
    assert 'id="no-series"' in html and "Load a release" in html


@pytest.mark.django_db
def test_a_release_loaded_on_the_web_is_shown(client: Any, national_analyst: Any) -> None:
    response = login(client, national_analyst).post(URL, form(csv_of(responder_rows(Q))))
    assert response.status_code == 302
    release = Release.objects.get()
    assert release.url == "www.example.org/nrm"
    assert AuditEvent.objects.filter(
        action=AuditAction.COLLECTION, object_type="nrmstats.release", actor=national_analyst
    ).exists()
    html = client.get(URL).content.decode()
    assert 'data-quarter="FY2023-24-Q1"' in html
    row = re.search(r'data-quarter="FY2023-24-Q1">(.*?)</tr>', html, re.S)
    assert row is not None
    assert "<td" in row.group(1) and ">3,800<" in row.group(1) and ">2,330<" in row.group(1)
    assert "NRM statistics, Quarter 2 2023" in html and "3 August 2023" in html
    spec = json.loads(
        re.search(r'id="nrm-spec" type="application/json">(.*?)</script>', html, re.S).group(1)
    )  # type: ignore[union-attr]
    assert spec["description"].startswith("Line chart: national referrals")
    assert {p["series"] for p in spec["data"]["values"]} == {
        "Police",
        "Local authority",
        "Home Office",
        "NGO",
        "Other first responders",
    }


@pytest.mark.django_db
def test_a_bad_file_is_refused_with_where(client: Any, national_analyst: Any) -> None:
    rows = responder_rows(Q)
    rows[len(HEADER_BLOCK) + 1][2] = "lots"
    data = xlsx_of({"Table_1": rows})
    response = login(client, national_analyst).post(URL, form(data, "bad.xlsx"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "nothing from bad.xlsx was stored" in html
    assert "bad.xlsx: Sheet &#x27;Table_1&#x27;, row 6, column C:" in html
    assert Release.objects.count() == 0


@pytest.mark.django_db
def test_the_form_checks_its_fields(client: Any, national_analyst: Any, settings: Any) -> None:
    response = login(client, national_analyst).post(
        URL, form(csv_of(responder_rows(Q)), released_on="yesterday")
    )
    assert response.status_code == 200 and "Enter a valid date" in response.content.decode()
    settings.MSOIC_MAX_UPLOAD_BYTES = 100
    response = client.post(URL, form(csv_of(responder_rows(Q))))
    assert "more than the 100 a file may be" in response.content.decode()
    assert Release.objects.count() == 0


@pytest.mark.django_db
def test_nobody_else_sees_or_loads(client: Any, personas: dict[str, Any]) -> None:
    for name, user in personas.items():
        if name == "national":
            continue
        login(client, user)
        assert client.get(URL).status_code == 403
        assert client.post(URL, form(csv_of(responder_rows(Q)))).status_code == 403
        client.logout()
    assert Release.objects.count() == 0


@pytest.mark.django_db
def test_the_series_reads_every_loaded_release(client: Any, national_analyst: Any) -> None:
    assert load(national_analyst, "a.csv", csv_of(responder_rows(Q))).ok
    later = {"Jul to Sep 2023": [1440, 1100, 1080, 290, 210]}
    assert load(national_analyst, "b.csv", csv_of(responder_rows(later))).ok
    html = login(client, national_analyst).get(URL).content.decode()
    assert html.count("data-quarter=") == 3
    assert html.count("data-release=") == 2
