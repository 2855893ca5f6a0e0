"""CPS pages for each persona: who sees which cases, what the audit log keeps of it, the web
upload's refusals, and the funnel for partners through disclosure control."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from msoic.audit.models import AuditEvent
from msoic.cps.actions import do_import_extract
from msoic.cps.models import CpsCase
from tests.cps.conftest import case_row, extract_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(national_analyst: Any) -> dict[str, CpsCase]:
    rows = [
        case_row(urn=f"01{force[:2].upper()}000000{n}", force=force)
        for n, force in enumerate(["kent", "essex", "cleveland"] * 2)
    ]
    assert do_import_extract("cps.csv", extract_csv(rows), actor=national_analyst).ok
    return {c.urn: c for c in CpsCase.objects.select_related("force")}


@pytest.mark.parametrize(
    ("persona", "forces"),
    [
        ("kent", {"kent"}),
        ("eastern", {"kent", "essex"}),
        ("national", {"kent", "essex", "cleveland"}),
    ],
)
def test_each_role_lists_its_forces_cases_and_the_viewing_is_logged(
    client, personas, cases, persona, forces
):
    client.force_login(personas[persona])
    body = client.get("/cps/").content.decode()
    shown = {c.urn for c in cases.values() if c.urn in body}
    assert shown == {c.urn for c in cases.values() if c.force.code in forces}
    row = AuditEvent.objects.filter(action="consultation", detail__step="cps.view_cases").last()
    assert set(row.detail["cps_cases"]) == shown and set(row.detail["owners"]) == forces


def test_the_list_costs_the_same_however_many_cases(client, personas, cases):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(personas["national"])
    client.get("/cps/")  # the session and the user, read once
    with CaptureQueriesContext(connection) as few:
        assert client.get("/cps/").status_code == 200
    more = [case_row(urn=f"01XX{n:07d}", force="kent") for n in range(30)]
    assert do_import_extract("more.csv", extract_csv(more), actor=personas["national"]).ok
    with CaptureQueriesContext(connection) as many:
        assert client.get("/cps/").status_code == 200
    assert len(many) == len(few)


def test_a_web_upload_with_problems_shows_each_where_it_is_and_stores_nothing(client, personas):
    client.force_login(personas["national"])
    data = extract_csv([case_row(), case_row(urn="01KT0000002", offences=["nope"])])
    page = client.post(
        "/cps/import/", {"extract_file": SimpleUploadedFile("x.csv", data, content_type="text/csv")}
    )
    assert page.status_code == 200
    assert (
        "x.csv, row 3, column G (offences): unknown offence code(s) nope" in page.content.decode()
    )
    assert not CpsCase.objects.exists()


def test_partners_get_the_funnel_only_under_disclosure_control(client, personas, cases):
    client.force_login(personas["partner"])
    assert client.get("/cps/").status_code == 403
    page = client.get("/cps/funnel/?period=FY2022-23").content.decode()
    assert "released under disclosure control" in page
    assert "Median days" not in page  # medians of small groups are not released
    refused = client.get("/cps/funnel/?period=FY2099-00").content.decode()
    assert "not over yet" in refused
