"""CPS extracts: what is stored, what is refused (whole, with file, row and column), and how
a re-sent extract updates cases by URN and keeps versions."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from msoic.audit.models import AuditEvent
from msoic.cps.actions import do_import_extract
from msoic.cps.models import CaseVersion, CpsCase, Link, LinkStatus
from tests.conftest import xlsx_bytes
from tests.cps.conftest import case_row, extract_csv

pytestmark = pytest.mark.django_db


def test_an_extract_is_stored_with_a_first_version(national_analyst):
    rows = [
        case_row(),
        case_row(
            urn="01KT0000002",
            police_reference="",
            outcome="ongoing",
            outcome_on=None,
            sentence_months=None,
            first_hearing_on=None,
        ),
    ]
    outcome = do_import_extract("cps.csv", extract_csv(rows), actor=national_analyst)
    assert outcome.status == "accepted", [str(p) for p in outcome.problems]
    assert (outcome.new, outcome.updated, outcome.unchanged) == (2, 0, 0)
    case = CpsCase.objects.get(urn="01KT0000001")
    assert case.force.code == "kent" and case.offences == ["msa-s2"]
    assert case.sentence_months == 60 and case.version == 1
    assert CaseVersion.objects.filter(case=case, version=1).exists()
    row = AuditEvent.objects.get(detail__step="cps.import_extract", action="collection")
    assert row.detail["cps_cases_count"] == 2 and row.detail["new"] == 2


def test_resending_updates_by_urn_keeps_versions_and_is_idempotent(national_analyst):
    do_import_extract("a.csv", extract_csv([case_row()]), actor=national_analyst)
    again = do_import_extract("a.csv", extract_csv([case_row()]), actor=national_analyst)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 1)
    assert CaseVersion.objects.count() == 1
    changed = do_import_extract(
        "b.csv", extract_csv([case_row(sentence_months=72)]), actor=national_analyst
    )
    assert (changed.new, changed.updated) == (0, 1)
    case = CpsCase.objects.get()
    assert case.version == 2 and case.sentence_months == 72
    versions = {v.version: v.data["sentence_months"] for v in case.versions.all()}
    assert versions == {1: 60, 2: 72}


def test_a_change_to_a_linked_field_reopens_a_confirmed_link(national_analyst):
    do_import_extract("a.csv", extract_csv([case_row()]), actor=national_analyst)
    case = CpsCase.objects.get()
    Link.objects.create(
        case=case,
        suspect_id=1,
        suspect_ref="P1",
        investigation_id=1,
        force=case.force,
        crime_reference="46/001234/23",
        probability=0.7,
        status=LinkStatus.CONFIRMED,
    )
    outcome = do_import_extract(
        "b.csv", extract_csv([case_row(police_reference="46/009999/23")]), actor=national_analyst
    )
    assert outcome.reopened == 1
    assert Link.objects.get().status == LinkStatus.CLERICAL
    # a change to the outcome alone leaves a confirmed link alone
    Link.objects.update(status=LinkStatus.CONFIRMED)
    outcome = do_import_extract(
        "c.csv",
        extract_csv([case_row(police_reference="46/009999/23", sentence_months=12)]),
        actor=national_analyst,
    )
    assert outcome.reopened == 0 and Link.objects.get().status == LinkStatus.CONFIRMED


@pytest.mark.parametrize(
    ("overrides", "column", "words"),
    [
        ({"force": "atlantis"}, "B (force)", "unknown force"),
        ({"offences": ["msa-s2", "xyz-9"]}, "G (offences)", "unknown offence code(s) xyz-9"),
        ({"first_hearing_on": date(2023, 4, 1)}, "I (first_hearing_on)", "before the charge"),
        ({"outcome_on": date(2023, 5, 10)}, "K (outcome_on)", "before the first hearing"),
        ({"outcome": "ongoing", "sentence_months": None}, "K (outcome_on)", "no outcome date"),
        ({"outcome": "acquitted"}, "L (sentence_months)", "conviction only"),
        ({"charged_on": "2023-13-01"}, "H (charged_on)", "is not a date"),
        ({"defendant_birth_year": 1850}, "F (defendant_birth_year)", "year of birth"),
        ({"urn": ""}, "A (urn)", "urn is required"),
        ({"outcome": "pardoned"}, "J (outcome)", "is not one of"),
    ],
)
def test_a_bad_row_refuses_the_whole_file_naming_row_and_column(
    national_analyst, overrides, column, words
):
    rows = [case_row(urn="01KT0000009"), case_row(**overrides)]
    outcome = do_import_extract("bad.csv", extract_csv(rows), actor=national_analyst)
    assert outcome.status == "rejected"
    where = [(p.file, p.row, p.column) for p in outcome.problems]
    assert ("bad.csv", 3, column) in where, [str(p) for p in outcome.problems]
    assert any(words in p.message for p in outcome.problems), [str(p) for p in outcome.problems]
    assert not CpsCase.objects.exists()
    assert AuditEvent.objects.filter(action="reject", detail__step="cps.import_extract").exists()


def test_a_urn_twice_in_a_file_is_refused(national_analyst):
    rows = [case_row(), case_row(defendant_ref="D0002")]
    outcome = do_import_extract("dup.csv", extract_csv(rows), actor=national_analyst)
    assert outcome.status == "rejected"
    assert [(p.row, p.column) for p in outcome.problems] == [(3, "A (urn)")]
    assert "also on row 2" in outcome.problems[0].message
    assert not CpsCase.objects.exists()


def test_xlsx_extracts_are_read_with_date_cells_and_sheet_named(national_analyst):
    from msoic.cps.actions import COLUMNS

    good = case_row()
    cells = [";".join(good[c]) if c == "offences" else good[c] for c in COLUMNS]
    outcome = do_import_extract(
        "cps.xlsx", xlsx_bytes([cells], list(COLUMNS)), actor=national_analyst
    )
    assert outcome.status == "accepted", [str(p) for p in outcome.problems]
    assert CpsCase.objects.get().charged_on == date(2023, 5, 2)
    bad = list(cells)
    bad[1] = "nowhere"
    outcome = do_import_extract(
        "bad.xlsx", xlsx_bytes([bad], list(COLUMNS)), actor=national_analyst
    )
    assert [(p.row, p.column) for p in outcome.problems] == [(2, "B (force)")]


def test_only_the_unit_imports(kent_user, partner_user):
    for user in (kent_user, partner_user):
        with pytest.raises(PermissionDenied):
            do_import_extract("a.csv", extract_csv([case_row()]), actor=user)


def test_the_command_checks_with_dry_run_and_refuses_with_every_problem(tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_bytes(extract_csv([case_row()]))
    call_command("cps", "import", str(good), "--dry-run")
    assert "1 cases checked, nothing stored" in capsys.readouterr().out
    assert not CpsCase.objects.exists()
    call_command("cps", "import", str(good))
    assert CpsCase.objects.count() == 1
    bad = tmp_path / "bad.csv"
    bad.write_bytes(extract_csv([case_row(urn="01KT0000005", force="nowhere", offences=["zz"])]))
    with pytest.raises(CommandError, match="refused, nothing stored"):
        call_command("cps", "import", str(bad))
    err = capsys.readouterr().err
    assert "bad.csv, row 2, column B (force)" in err and "column G (offences)" in err


def test_the_register_takes_a_suspects_year_of_birth_and_refuses_a_bad_one(kent_user):
    from msoic.cases.models import Person
    from msoic.cases.register.importer import import_files
    from msoic.orgunits.models import OrgUnit
    from tests.conftest import csv_bytes

    kent = OrgUnit.objects.get(code="kent")
    investigations = csv_bytes([["46/000001/23", "2023-01-05"]], ["crime_reference", "opened_on"])
    header = ["crime_reference", "category", "birth_year"]
    good = csv_bytes([["46/000001/23", "suspect", "1984"]], header)
    results = import_files(
        [("inv.csv", investigations), ("people.csv", good)], kent, actor=kent_user
    )
    assert [r.status for r in results] == ["accepted", "accepted"]
    assert Person.objects.get(force=kent).birth_year == 1984
    bad = csv_bytes([["46/000001/23", "suspect", "84"], ["46/000001/23", "victim", "1990"]], header)
    (result,) = import_files([("bad.csv", bad)], kent, actor=kent_user)
    assert result.status == "rejected"
    columns = {(p.row, p.column) for p in result.problems}
    assert columns == {(2, "C (birth_year)"), (3, "C (birth_year)")}, result.lines()
