"""The import and HTCDS exchange pages: who may use them, and what a user sees."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from msoic.audit.models import AuditAction, AuditEvent
from msoic.cases.models import Investigation, Person
from tests.cases.test_import import GOOD_INVESTIGATIONS, GOOD_PEOPLE, workbook
from tests.conftest import csv_bytes


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(name: str, data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("/investigations/import/", {"kent", "essex", "cleveland"}),
        ("/investigations/import/template.xlsx", {"kent", "essex", "cleveland"}),
        ("/investigations/htcds/", {"kent", "essex", "cleveland", "eastern", "national"}),
    ],
)
def test_each_persona_gets_the_page_or_a_refusal(personas, url, allowed):
    for name, user in personas.items():
        status = client_for(user).get(url).status_code
        assert status == (200 if name in allowed else 403), (name, status)


def test_hub_links_the_exchange_pages_for_a_force_user(kent_user, eastern_coordinator):
    page = client_for(kent_user).get("/investigations/").content.decode()
    assert "/investigations/import/" in page and "/investigations/htcds/" in page
    page = client_for(eastern_coordinator).get("/investigations/").content.decode()
    assert "/investigations/import/" not in page and "/investigations/htcds/" in page


def test_force_user_imports_a_workbook_into_their_own_force(kent_user):
    data = workbook(GOOD_INVESTIGATIONS, GOOD_PEOPLE)
    response = client_for(kent_user).post(
        "/investigations/import/", {"register_files": [upload("register.xlsx", data)]}
    )
    assert response.status_code == 200
    assert "2 investigations and 3 people were added" in response.content.decode()
    assert set(Investigation.objects.values_list("force__code", flat=True)) == {"kent"}


def test_a_refused_file_shows_every_problem_with_sheet_row_and_column(kent_user):
    people = [*GOOD_PEOPLE, ["46/2/24", "victim", "child", "male", "GB", "", "", "2024-03-01"]]
    data = workbook(GOOD_INVESTIGATIONS, people)
    response = client_for(kent_user).post(
        "/investigations/import/", {"register_files": [upload("register.xlsx", data)]}
    )
    page = response.content.decode()
    assert "nothing from this file was stored" in page
    assert "People" in page and "H (dtn_reported_on)" in page and ">5<" in page
    assert not Investigation.objects.exists()


def test_csv_files_of_both_kinds_in_one_upload(kent_user):
    files = [
        upload(
            "people.csv",
            csv_bytes(
                GOOD_PEOPLE,
                [
                    "crime_reference",
                    "category",
                    "age_group",
                    "gender",
                    "nationality",
                    "nrm_referred_on",
                    "nrm_referred_by_police",
                    "dtn_reported_on",
                ],
            ),
        ),
        upload(
            "inv.csv",
            csv_bytes(
                GOOD_INVESTIGATIONS,
                [
                    "crime_reference",
                    "opened_on",
                    "closed_on",
                    "outcome",
                    "exploitation_types",
                    "primary_exploitation",
                    "ocg_linked",
                ],
            ),
        ),
    ]
    response = client_for(kent_user).post("/investigations/import/", {"register_files": files})
    assert response.status_code == 200
    assert Person.objects.count() == 3


def test_template_download_is_a_workbook_with_guidance(kent_user):
    response = client_for(kent_user).get("/investigations/import/template.xlsx")
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["Guidance", "Investigations", "People"]


def test_coordinator_exports_a_force_of_their_region_naming_the_recipient(
    eastern_coordinator, essex_user
):
    from msoic.cases import actions
    from msoic.orgunits.models import OrgUnit

    case = actions.do_create_investigation(
        OrgUnit.objects.get(code="essex"),
        actor=essex_user,
        crime_reference="42/1/24",
        opened_on=date(2024, 1, 1),
        exploitation_types=["sexual"],
    )
    actions.do_add_person(
        case, actor=essex_user, category="victim", gender="female", nationality="RO"
    )
    response = client_for(eastern_coordinator).post(
        "/investigations/htcds/export/",
        {
            "force": "essex",
            "format": "csv",
            "recipient": "Salvation Army, J. Smith",
            "purpose": "Support referral",
        },
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="htcds-essex-')
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["prs_Gender"], r["prs_Citizenship"]) for r in rows] == [("Feminine", "RO")]
    event = AuditEvent.objects.get(action=AuditAction.DISCLOSURE)
    assert event.recipient == "Salvation Army, J. Smith"
    assert event.justification == "Support referral"
    assert event.actor_id == eastern_coordinator.pk
    assert event.detail["owners"] == ["essex"] and event.orgunit_code == "essex"
    assert event.detail["people"] == [case.people.get().reference]


def test_export_of_a_force_outside_the_users_scope_is_refused(eastern_coordinator):
    response = client_for(eastern_coordinator).post(
        "/investigations/htcds/export/", {"force": "cleveland", "format": "csv", "recipient": "x"}
    )
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.DISCLOSURE).exists()


def test_export_without_a_recipient_asks_for_one(kent_user):
    response = client_for(kent_user).post(
        "/investigations/htcds/export/",
        {"force": "kent", "format": "csv", "recipient": "", "purpose": "casework"},
    )
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.DISCLOSURE).exists()


def test_export_without_a_purpose_asks_for_one(kent_user):
    response = client_for(kent_user).post(
        "/investigations/htcds/export/", {"force": "kent", "format": "csv", "recipient": "NGO"}
    )
    assert response.status_code == 400
    assert "Say what the file is for" in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.DISCLOSURE).exists()


def test_htcds_import_onto_an_investigation_of_the_users_force(kent_user, kent_case):
    data = b"prs_Gender,prs_Citizenship,vic_TypeOfExploitation\nFeminine,ALB,ForcedLabour\n"
    response = client_for(kent_user).post(
        "/investigations/htcds/import/",
        {
            "crime_reference": kent_case.crime_reference,
            "received_from": "An NGO",
            "file": upload("ngo.csv", data),
        },
    )
    assert response.status_code == 200
    assert "1 potential victim was added" in response.content.decode()
    assert Person.objects.get(investigation=kent_case).nationality == "AL"


def test_htcds_import_shows_values_outside_the_picklists(kent_user, kent_case):
    data = b"prs_Gender,prs_Citizenship\nFeminine,AL\nWoman,AL\n"
    response = client_for(kent_user).post(
        "/investigations/htcds/import/",
        {
            "crime_reference": kent_case.crime_reference,
            "received_from": "x",
            "file": upload("n.csv", data),
        },
    )
    page = response.content.decode()
    assert (
        "A (prs_Gender)" in page and "&quot;Woman&quot; is not in the HTCDS v2.0 picklist" in page
    )
    assert not Person.objects.exists()


def test_htcds_import_cannot_name_another_forces_investigation(essex_user, kent_case):
    response = client_for(essex_user).post(
        "/investigations/htcds/import/",
        {
            "crime_reference": kent_case.crime_reference,
            "received_from": "x",
            "file": upload("n.csv", b"prs_Gender\nFeminine\n"),
        },
    )
    assert response.status_code == 400
    assert "No investigation 46/1000/24 on your force" in response.content.decode()
    assert not Person.objects.exists()


def test_coordinator_cannot_import(eastern_coordinator):
    response = client_for(eastern_coordinator).post("/investigations/htcds/import/", {})
    assert response.status_code == 403
