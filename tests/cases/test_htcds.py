"""HTCDS v2.0 exchange: export of potential victims in the standard's fields and picklist
values (CSV, and XLSX laid out like the standard's spreadsheet), audited as a disclosure;
import from a partner's file with every value checked against the standard."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import Workbook, load_workbook

from msoic.audit.models import AuditAction, AuditEvent
from msoic.cases import actions
from msoic.cases.consultation import check_disclosure
from msoic.cases.exchange import actions as htcds
from msoic.cases.models import Person
from msoic.orgunits.models import OrgUnit

TODAY = date(2025, 6, 30)
# The standard's own spreadsheet (IOM, CC BY 4.0): see data/README.md.
STANDARD_XLSX = Path(__file__).with_name("data") / "htcds_v2_spreadsheet.xlsx"


def csv_file(rows: list[dict[str, str]]) -> bytes:
    header = list(dict.fromkeys(k for r in rows for k in r))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


@pytest.fixture
def decided_victim(kent_user: Any, kent_case: Any) -> Any:
    return actions.do_add_person(
        kent_case,
        actor=kent_user,
        category="victim",
        age_group="child",
        gender="male",
        nationality="VN",
        nrm_referred_on=date(2024, 1, 12),
        nrm_referred_by_police=True,
        rg_decision="positive",
        rg_decided_on=date(2024, 1, 20),
        cg_decision="positive",
        cg_decided_on=date(2024, 6, 1),
    )


@pytest.fixture
def essex_case(essex_user: Any) -> Any:
    return actions.do_create_investigation(
        OrgUnit.objects.get(code="essex"),
        actor=essex_user,
        crime_reference="42/77/24",
        opened_on=date(2024, 3, 1),
        exploitation_types=["sexual"],
    )


def test_standard_picklists_come_from_the_field_standards():
    assert htcds.picklist("prs_Gender") == [
        "Feminine",
        "Masculine",
        "TransgenderFeminine",
        "TransgenderMasculine",
        "NonConforming",
        "NonSpecifiedUnknown",
    ]
    assert "SexualExploitation" in htcds.picklist("vic_TypeOfExploitation")
    assert set(htcds.EXPLOITATION_IN) == set(htcds.picklist("vic_TypeOfExploitation"))
    assert set(htcds.GENDER_IN) == set(htcds.picklist("prs_Gender"))


def test_export_csv_holds_victims_in_the_standards_values_and_pseudonyms_only(
    kent_user, kent_victim, decided_victim
):
    kent = kent_victim.force
    export = htcds.do_export_htcds(
        kent, "csv", actor=kent_user, purpose="casework", recipient="Unseen UK"
    )
    rows = list(csv.DictReader(io.StringIO(export.data.decode("utf-8-sig"))))
    assert [r["ext_PersonReference"] for r in rows] == [
        kent_victim.reference,
        decided_victim.reference,
    ]
    first, second = rows
    assert (first["prs_Gender"], first["prs_Citizenship"]) == ("Feminine", "AL")
    assert first["vic_TraffickingStatus"] == "PossibleVictimOfTrafficking"
    assert first["vic_TypeOfExploitation"] == "ForcedLabour"
    assert first["cas_Status"] == "Active" and first["cas_CaseOwner"] == "Kent Police"
    assert second["vic_TraffickingStatus"] == "ActualVictimOfTrafficking"
    assert second["vic_TraffickinStatusDecisionMakingOrg"] == "NonPoliceGovernmentalOrganization"
    assert second["cas_OutgoingReferralDate"] == "2024-01-12"
    assert second["ext_AgeGroup"] == "child"
    assert all(not r["prs_FirstName"] and not r["prs_Birthdate"] for r in rows)
    assert "46/1000/24" not in export.data.decode("utf-8-sig")  # no crime reference leaves


def test_export_is_a_disclosure_naming_owner_recipient_and_references(kent_user, kent_victim):
    htcds.do_export_htcds(
        kent_victim.force, "xlsx", actor=kent_user, purpose="casework", recipient="Unseen UK"
    )
    event = AuditEvent.objects.get(action=AuditAction.DISCLOSURE)
    assert event.recipient == "Unseen UK" and event.orgunit_code == "kent"
    assert event.detail["owners"] == ["kent"] and event.detail["format"] == "xlsx"
    assert event.detail["people"] == [kent_victim.reference]
    assert event.detail["people_count"] == 1
    assert check_disclosure(event, [kent_victim.reference]).ok
    assert not check_disclosure(event, [kent_victim.reference, "KENT-P999999"]).ok


def test_export_needs_a_recipient(kent_user, kent_victim):
    with pytest.raises(ValueError, match="recipient"):
        htcds.do_export_htcds(
            kent_victim.force, "csv", actor=kent_user, purpose="casework", recipient="  "
        )


def test_force_user_cannot_export_another_force(essex_user, kent_victim):
    with pytest.raises(PermissionDenied):
        htcds.do_export_htcds(
            kent_victim.force, "csv", actor=essex_user, purpose="casework", recipient="x"
        )


def test_xlsx_export_is_laid_out_like_the_standards_spreadsheet(kent_user, kent_victim):
    export = htcds.do_export_htcds(
        kent_victim.force, "xlsx", actor=kent_user, purpose="casework", recipient="x"
    )
    ours = load_workbook(io.BytesIO(export.data)).active
    standard = load_workbook(STANDARD_XLSX).active
    assert ours.title == standard.title == "Sheet1"
    width = standard.max_column
    for row in (1, 2):
        theirs = [standard.cell(row, c).value or "" for c in range(1, width + 1)]
        mine = [ours.cell(row, c).value or "" for c in range(1, width + 1)]
        assert mine == theirs
    assert ours.cell(1, width + 1).value == "ext_PersonReference"
    assert ours.cell(3, 1).value == 1 and ours.cell(3, width + 1).value == kent_victim.reference


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_round_trip_export_then_import_into_another_force(
    kent_user, essex_user, kent_victim, decided_victim, essex_case, fmt
):
    export = htcds.do_export_htcds(
        kent_victim.force, fmt, actor=kent_user, purpose="casework", recipient="Essex"
    )
    result = htcds.do_import_htcds(
        export.filename,
        export.data,
        essex_case,
        actor=essex_user,
        received_from="Kent Police",
        today=TODAY,
    )
    assert result.status == "accepted", result.lines()
    imported = list(Person.objects.filter(investigation=essex_case).order_by("reference"))
    assert [(p.gender, p.nationality, p.age_group, p.category) for p in imported] == [
        ("female", "AL", "adult", "victim"),
        ("male", "VN", "child", "victim"),
    ]
    assert imported[1].nrm_referred_on == date(2024, 1, 12)
    assert all(p.reference.startswith("ESSEX-P") for p in imported)
    essex_case.refresh_from_db()
    assert essex_case.exploitation_types == ["sexual", "labour"]
    assert essex_case.primary_exploitation == "sexual"
    collected = AuditEvent.objects.get(
        action=AuditAction.COLLECTION, detail__step="cases.import_htcds"
    )
    assert (
        collected.detail["received_from"] == "Kent Police" and collected.detail["people_count"] == 2
    )


def test_import_reads_the_standards_own_spreadsheet_with_an_ngos_rows(essex_user, essex_case):
    wb = load_workbook(STANDARD_XLSX)
    ws = wb.active
    headings = [c.value for c in ws[1]]

    def put(row: int, field: str, value: Any) -> None:
        ws.cell(row, headings.index(field) + 1).value = value

    put(3, "prs_FirstName", "A Name")
    put(3, "prs_Birthdate", date(2008, 5, 1))
    put(3, "prs_Gender", "Transgender Feminine")  # a label is accepted for its value
    put(3, "prs_Citizenship", "ALB;GRC")
    put(3, "vic_TypeOfExploitation", "ForcedBegging;SexualExploitation")
    put(3, "cas_IncomingReferralDate", date(2024, 4, 1))
    put(4, "prs_Gender", "Masculine")
    put(4, "prs_Citizenship", "Eritrea")
    buffer = io.BytesIO()
    wb.save(buffer)
    result = htcds.do_import_htcds(
        "ngo.xlsx",
        buffer.getvalue(),
        essex_case,
        actor=essex_user,
        received_from="An NGO",
        today=TODAY,
    )
    assert result.status == "accepted", result.lines()
    child, adult = Person.objects.filter(investigation=essex_case).order_by("reference")
    assert (child.gender, child.nationality, child.age_group) == ("female", "AL", "child")
    assert (adult.nationality, adult.age_group) == ("ER", "unknown")
    assert any("not stored" in n for n in result.notices)
    assert any("several citizenships" in n for n in result.notices)
    essex_case.refresh_from_db()
    assert essex_case.exploitation_types == ["sexual", "criminal"]


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("prs_Gender", "Woman", '"Woman" is not in the HTCDS v2.0 picklist'),
        ("vic_TypeOfExploitation", "ForcedLabour;Slavery", '"Slavery" is not in the HTCDS'),
        ("vic_TraffickingStatus", "Victim", "allowed: PossibleVictimOfTrafficking"),
        ("cas_Status", "Active;Closed", "takes one value"),
        ("prs_Citizenship", "Atlantis", "is not an ISO 3166 country"),
        ("cas_IncomingReferralDate", "last May", "is not a date"),
    ],
    ids=["gender", "exploitation", "status", "single-picklist", "citizenship", "date"],
)
def test_values_outside_the_standard_are_refused_naming_row_and_column(
    essex_user, essex_case, field, value, words
):
    rows = [
        {"prs_Gender": "Masculine", "prs_Citizenship": "GB", field: ""},
        {"prs_Gender": "Feminine", "prs_Citizenship": "AL", field: value},
    ]
    header = list(rows[0])
    result = htcds.do_import_htcds(
        "ngo.csv", csv_file(rows), essex_case, actor=essex_user, received_from="x", today=TODAY
    )
    assert result.status == "rejected"
    [problem] = result.problems
    letter = "ABC"[header.index(field)]
    assert (problem.row, problem.column) == (3, f"{letter} ({field})")
    assert words in problem.message
    assert not Person.objects.filter(investigation=essex_case).exists()
    assert AuditEvent.objects.filter(action=AuditAction.REJECT).count() == 1


def test_unknown_column_is_refused(essex_user, essex_case):
    data = b"prs_Gender,prs_Citizenship,prs_FavouriteColour\nMasculine,GB,blue\n"
    result = htcds.do_import_htcds("x.csv", data, essex_case, actor=essex_user, received_from="x")
    assert "prs_FavouriteColour" in result.problems[0].message


def test_the_register_rules_apply_to_what_an_import_makes(essex_user, essex_case):
    rows = [
        {
            "prs_Gender": "Masculine",
            "ext_AgeGroup": "teen",
            "cas_ReferredOrganisation": "NRM",
            "cas_OutgoingReferralDate": "2099-01-01",
        }
    ]
    result = htcds.do_import_htcds(
        "x.csv", csv_file(rows), essex_case, actor=essex_user, received_from="x", today=TODAY
    )
    assert [p.column for p in result.problems] == [
        "B (ext_AgeGroup)",
        "D (cas_OutgoingReferralDate)",
    ]
    assert "cannot be in the future" in result.problems[1].message


def test_only_the_forces_own_users_import_into_its_investigation(kent_user, essex_case):
    with pytest.raises(PermissionDenied):
        htcds.do_import_htcds(
            "x.csv", b"prs_Gender\n", essex_case, actor=kent_user, received_from="x"
        )


def test_empty_standard_template_holds_no_people(essex_user, essex_case):
    data = STANDARD_XLSX.read_bytes()
    result = htcds.do_import_htcds("t.xlsx", data, essex_case, actor=essex_user, received_from="x")
    assert result.status == "rejected" and result.problems[0].message == "file holds no people"


def test_dry_run_checks_without_storing(essex_user, essex_case):
    wb = Workbook()
    wb.active.append(["prs_Gender", "prs_Citizenship"])
    wb.active.append(["Masculine", "GB"])
    buffer = io.BytesIO()
    wb.save(buffer)
    result = htcds.do_import_htcds(
        "x.xlsx", buffer.getvalue(), essex_case, actor=essex_user, received_from="x", dry_run=True
    )
    assert result.status == "checked" and result.people == 1
    assert not Person.objects.filter(investigation=essex_case).exists()
