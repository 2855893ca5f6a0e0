"""The register's validation rules, as tables: each bad input gets a message naming its
field; good input comes back normalised."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from msoic.cases import rules
from msoic.cases.models import Investigation
from msoic.orgunits.models import OrgUnit

pytestmark = pytest.mark.django_db

TODAY = date(2024, 6, 30)
D = date


def good_investigation(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "crime_reference": "46/1234/24",
        "opened_on": D(2024, 1, 10),
        "exploitation_types": ["labour", "criminal"],
        "primary_exploitation": "labour",
    }
    values.update(overrides)
    return values


def check_inv(**overrides: Any) -> rules.Checked:
    return rules.check_investigation(
        good_investigation(**overrides), force_id=0, taken_references=set(), today=TODAY
    )


def fields_of(checked: rules.Checked) -> dict[str, str]:
    return {p.field: p.message for p in checked.problems}


def test_a_good_investigation_is_normalised() -> None:
    checked = check_inv(ocg_linked=1)
    assert checked.ok, checked.problems
    assert checked.values["status"] == "live"
    assert checked.values["ocg_linked"] is True
    assert checked.values["exploitation_types"] == ["labour", "criminal"]


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"crime_reference": " "}, "crime_reference", "Enter the crime reference"),
        ({"opened_on": None}, "opened_on", "Enter the date"),
        ({"opened_on": D(2024, 7, 1)}, "opened_on", "future"),
        (
            {"closed_on": D(2024, 1, 9), "outcome": "nfa"},
            "closed_on",
            "Date closed (09/01/2024) cannot be before the date opened (10/01/2024)",
        ),
        ({"closed_on": D(2024, 2, 1)}, "outcome", "A closed investigation needs an outcome"),
        ({"outcome": "charged"}, "closed_on", "An outcome is recorded when"),
        ({"status": "closed"}, "closed_on", "needs the date it was closed"),
        (
            {"closed_on": D(2024, 2, 1), "outcome": "nfa", "status": "live"},
            "status",
            "cannot be live",
        ),
        (
            {"outcome": "acquitted", "closed_on": D(2024, 2, 1)},
            "outcome",
            '"acquitted" is not one of',
        ),
        (
            {"exploitation_types": ["labour", "fishing"]},
            "exploitation_types",
            '"fishing" is not in the catalogue',
        ),
        (
            {"primary_exploitation": "sexual"},
            "primary_exploitation",
            "must be one of the investigation's",
        ),
        (
            {"primary_exploitation": "bogus"},
            "primary_exploitation",
            '"bogus" is not in the catalogue',
        ),
        (
            {"primary_exploitation": ""},
            "primary_exploitation",
            "Choose which exploitation type is the primary",
        ),
        (
            {"last_reviewed_on": D(2023, 12, 1)},
            "last_reviewed_on",
            "cannot be before the date opened",
        ),
        ({"colour": "red"}, "colour", "not a field of an investigation"),
    ],
)
def test_bad_investigations_name_their_field(
    overrides: dict[str, Any], field: str, words: str
) -> None:
    problems = fields_of(check_inv(**overrides))
    assert field in problems, problems
    assert words in problems[field]


def test_a_single_type_is_the_primary_and_a_primary_alone_is_the_type() -> None:
    assert (
        check_inv(exploitation_types=["sexual"], primary_exploitation="").values[
            "primary_exploitation"
        ]
        == "sexual"
    )
    assert check_inv(exploitation_types=[], primary_exploitation="sexual").values[
        "exploitation_types"
    ] == ["sexual"]
    assert check_inv(exploitation_types="sexual; labour", primary_exploitation="labour").ok


def test_closing_with_outcome_is_fine() -> None:
    checked = check_inv(closed_on=D(2024, 3, 1), outcome="charged")
    assert checked.ok and checked.values["status"] == "closed"


def test_a_crime_reference_used_twice_in_a_force_is_refused_but_not_across_forces() -> None:
    kent = OrgUnit.objects.get(code="kent")
    essex = OrgUnit.objects.get(code="essex")
    inv = Investigation.objects.create(
        force=kent, crime_reference="46/1234/24", opened_on=D(2024, 1, 1)
    )
    clash = rules.check_investigation(good_investigation(), force_id=kent.pk, today=TODAY)
    assert fields_of(clash)["crime_reference"] == (
        "Crime reference 46/1234/24 is already used by another investigation in this force"
    )
    assert rules.check_investigation(good_investigation(), force_id=essex.pk, today=TODAY).ok
    # Updating the record itself is not a clash.
    assert rules.check_investigation(
        good_investigation(), force_id=kent.pk, pk=inv.pk, today=TODAY
    ).ok
    # A bulk import passes the references it holds.
    taken = {"46/1234/24"}
    assert not rules.check_investigation(
        good_investigation(), force_id=essex.pk, taken_references=taken, today=TODAY
    ).ok


# --- people ----------------------------------------------------------------------------


def check_p(**values: Any) -> rules.Checked:
    return rules.check_person({"category": "victim", **values}, today=TODAY)


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("GB", "GB"),
        ("gbr", "GB"),
        ("United Kingdom", "GB"),
        ("UK", "GB"),
        ("Viet Nam", "VN"),
        ("vietnam", "VN"),
        ("ALB", "AL"),
        ("albania", "AL"),
        ("", ""),
    ],
)
def test_nationality_accepts_codes_and_english_names_and_stores_alpha_2(
    given: str, stored: str
) -> None:
    checked = check_p(nationality=given)
    assert checked.ok, checked.problems
    assert checked.values["nationality"] == stored


@pytest.mark.parametrize("given", ["Atlantis", "XX", "ZZZ", "Brit"])
def test_an_unknown_nationality_is_a_clear_error(given: str) -> None:
    message = fields_of(check_p(nationality=given))["nationality"]
    assert f'Nationality "{given}" is not a country in ISO 3166-1' in message


def test_a_good_victim_with_the_whole_nrm_sequence() -> None:
    checked = check_p(
        age_group="adult",
        gender="female",
        nationality="AL",
        nrm_referred_on=D(2024, 1, 5),
        nrm_referred_by_police=True,
        rg_decision="positive",
        rg_decided_on=D(2024, 1, 10),
        cg_decision="positive",
        cg_decided_on=D(2024, 5, 1),
        marker_requested_on=D(2024, 5, 2),
        marker_applied_on=D(2024, 5, 3),
    )
    assert checked.ok, checked.problems


VICTIM = {
    "nrm_referred_on": D(2024, 1, 5),
    "rg_decision": "positive",
    "rg_decided_on": D(2024, 1, 10),
}


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"category": ""}, "category", "Enter the category"),
        ({"category": "bystander"}, "category", '"bystander" is not one of'),
        ({"age_group": "teen"}, "age_group", '"teen" is not one of'),
        ({"gender": "x"}, "gender", '"x" is not one of'),
        (
            {"cg_decision": "positive", "cg_decided_on": D(2024, 3, 1)},
            "cg_decision",
            "needs a reasonable grounds decision before it",
        ),
        (
            {**VICTIM, "cg_decision": "positive", "cg_decided_on": D(2024, 1, 9)},
            "cg_decided_on",
            "Conclusive grounds decision date (09/01/2024) cannot be before the reasonable grounds",
        ),
        (
            {
                **VICTIM,
                "rg_decision": "negative",
                "cg_decision": "positive",
                "cg_decided_on": D(2024, 3, 1),
            },
            "cg_decision",
            "follows a positive reasonable grounds decision",
        ),
        (
            {"rg_decision": "positive", "rg_decided_on": D(2024, 1, 10)},
            "rg_decision",
            "needs an NRM referral",
        ),
        (
            {**VICTIM, "rg_decided_on": D(2024, 1, 1)},
            "rg_decided_on",
            "cannot be before the NRM referral date",
        ),
        (
            {**VICTIM, "rg_decided_on": None},
            "rg_decided_on",
            "Enter the date of the reasonable grounds",
        ),
        ({**VICTIM, "rg_decision": ""}, "rg_decision", "Choose the reasonable grounds decision"),
        (
            {"age_group": "child", "dtn_reported_on": D(2024, 2, 1)},
            "dtn_reported_on",
            "a child is referred to the NRM (no consent is needed)",
        ),
        (
            {"age_group": "unknown", "dtn_reported_on": D(2024, 2, 1)},
            "dtn_reported_on",
            "only for an adult",
        ),
        (
            {"category": "suspect", "dtn_reported_on": D(2024, 2, 1)},
            "dtn_reported_on",
            "only recorded for a potential victim, not a suspect",
        ),
        ({"category": "witness", "rg_decision": "positive"}, "rg_decision", "not a witness"),
        (
            {"category": "victim", "arrested_on": D(2024, 2, 1)},
            "arrested_on",
            "only recorded for a suspect, not a potential victim",
        ),
        (
            {"category": "suspect", "arrested_on": D(2024, 2, 1), "charged_on": D(2024, 1, 1)},
            "charged_on",
            "cannot be before the arrest date",
        ),
        ({"nrm_referred_by_police": True}, "nrm_referred_on", "Enter the date of the NRM referral"),
        (
            {**VICTIM, "marker_requested_on": D(2024, 2, 1)},
            "marker_requested_on",
            "positive conclusive grounds",
        ),
        ({"nrm_referred_on": D(2024, 7, 5)}, "nrm_referred_on", "cannot be in the future"),
        ({"nrm_referred_on": "yesterday"}, "nrm_referred_on", "must be a date"),
    ],
)
def test_bad_people_name_their_field(values: dict[str, Any], field: str, words: str) -> None:
    problems = fields_of(check_p(**values))
    assert field in problems, problems
    assert words in problems[field]


def test_a_dtn_for_an_adult_is_fine_and_a_suspect_charged_after_arrest_is_fine() -> None:
    assert check_p(age_group="adult", dtn_reported_on=D(2024, 2, 1)).ok
    assert check_p(category="suspect", arrested_on=D(2024, 1, 1), charged_on=D(2024, 1, 2)).ok


def test_locate_adds_file_sheet_row_and_column() -> None:
    problems = rules.locate(
        check_p(nationality="Atlantis").problems,
        file="register.xlsx",
        sheet="People",
        row=7,
        columns={"nationality": "Nationality"},
    )
    assert str(problems[0]).startswith("register.xlsx, sheet People, row 7, column Nationality: ")
