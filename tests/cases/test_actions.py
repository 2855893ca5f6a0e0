"""Register actions: each change checked by the rules, atomic, audited without personal
values, and only by the force's own users."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from msoic.audit.models import AuditEvent
from msoic.cases import actions
from msoic.cases.models import Investigation, Person, Review
from msoic.cases.rules import RegisterRuleError
from msoic.orgunits.models import OrgUnit

pytestmark = pytest.mark.django_db
D = date


def last_audit() -> AuditEvent:
    return AuditEvent.objects.order_by("-seq").first()  # type: ignore[return-value]


def test_creating_an_investigation_is_a_collection_row_naming_fields_not_values(
    kent_case: Investigation,
) -> None:
    row = last_audit()
    assert (row.action, row.object_type, row.object_id) == (
        "collection",
        "cases.investigation",
        str(kent_case.pk),
    )
    assert row.orgunit_code == "kent"
    assert row.detail["step"] == "cases.create_investigation"
    assert "officer_in_charge" in row.detail["fields"]
    assert "DC Example" not in str(row.detail) and "46/1000/24" not in str(row.detail)
    assert kent_case.primary_exploitation == "labour" and kent_case.status == "live"


def test_a_crime_reference_used_twice_in_a_force_stores_nothing(
    kent_user: Any, kent: OrgUnit, kent_case: Investigation
) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(RegisterRuleError) as err:
        actions.do_create_investigation(
            kent, actor=kent_user, crime_reference="46/1000/24", opened_on=D(2024, 2, 1)
        )
    assert err.value.problems[0].field == "crime_reference"
    assert Investigation.objects.count() == 1 and AuditEvent.objects.count() == before


def test_another_forces_user_cannot_change_the_register(
    essex_user: Any, national_analyst: Any, kent: OrgUnit, kent_case: Investigation
) -> None:
    for user in (essex_user, national_analyst):
        with pytest.raises(PermissionDenied):
            actions.do_create_investigation(
                kent, actor=user, crime_reference="X", opened_on=D(2024, 1, 1)
            )
        with pytest.raises(PermissionDenied):
            actions.do_update_investigation(kent_case, actor=user, officer_in_charge="DS Other")


def test_update_audits_the_changed_fields_only(kent_user: Any, kent_case: Investigation) -> None:
    actions.do_update_investigation(
        kent_case, actor=kent_user, officer_in_charge="DS Other", ocg_linked=False
    )
    row = last_audit()
    assert row.action == "alteration" and row.detail["fields"] == ["officer_in_charge"]
    seq = row.seq
    actions.do_update_investigation(kent_case, actor=kent_user, officer_in_charge="DS Other")
    assert last_audit().seq == seq  # nothing changed, nothing logged


def test_close_needs_a_date_not_before_opening_and_an_outcome(
    kent_user: Any, kent_case: Investigation
) -> None:
    with pytest.raises(RegisterRuleError) as err:
        actions.do_close_investigation(
            kent_case, actor=kent_user, closed_on=D(2024, 1, 1), outcome="nfa"
        )
    assert [p.field for p in err.value.problems] == ["closed_on"]
    with pytest.raises(RegisterRuleError):
        actions.do_close_investigation(
            kent_case, actor=kent_user, closed_on=D(2024, 3, 1), outcome=""
        )
    closed = actions.do_close_investigation(
        kent_case, actor=kent_user, closed_on=D(2024, 3, 1), outcome="charged"
    )
    assert (closed.status, closed.outcome) == ("closed", "charged")
    assert last_audit().detail["step"] == "cases.close_investigation"
    assert sorted(last_audit().detail["fields"]) == ["closed_on", "outcome", "status"]


def test_review_keeps_the_note_and_sets_last_reviewed(
    kent_user: Any, kent_case: Investigation
) -> None:
    review = actions.do_review_investigation(
        kent_case, actor=kent_user, note="Suspects still under surveillance"
    )
    kent_case.refresh_from_db()
    assert kent_case.last_reviewed_on == review.reviewed_on
    assert review.reviewed_by == kent_user
    assert "surveillance" not in str(last_audit().detail)
    with pytest.raises(RegisterRuleError):
        actions.do_review_investigation(kent_case, actor=kent_user, note="  ")
    actions.do_close_investigation(
        kent_case, actor=kent_user, closed_on=D(2024, 3, 1), outcome="nfa"
    )
    with pytest.raises(RegisterRuleError):
        actions.do_review_investigation(kent_case, actor=kent_user, note="still live?")
    assert Review.objects.count() == 1


def test_people_get_pseudonymous_references_in_sequence(
    kent_user: Any, kent_case: Investigation, kent_victim: Person
) -> None:
    assert kent_victim.reference == "KENT-P000001"
    assert kent_victim.nationality == "AL"
    second = actions.do_add_person(kent_case, actor=kent_user, category="suspect")
    assert second.reference == "KENT-P000002"
    row = last_audit()
    assert (row.action, row.object_type, row.detail["step"]) == (
        "collection",
        "cases.person",
        "cases.add_person",
    )
    assert row.detail["investigation"] == kent_case.pk
    assert "AL" not in str(row.detail.values())


def test_the_nrm_sequence_through_the_actions(kent_user: Any, kent_victim: Person) -> None:
    with pytest.raises(RegisterRuleError) as err:
        actions.do_record_decision(
            kent_victim, actor=kent_user, stage="cg", decision="positive", decided_on=D(2024, 3, 1)
        )
    assert "needs a reasonable grounds decision" in err.value.problems[0].message
    actions.do_record_nrm_referral(kent_victim, actor=kent_user, referred_on=D(2024, 1, 12))
    actions.do_record_decision(
        kent_victim, actor=kent_user, stage="rg", decision="positive", decided_on=D(2024, 1, 15)
    )
    with pytest.raises(RegisterRuleError) as err:
        actions.do_record_decision(
            kent_victim, actor=kent_user, stage="cg", decision="positive", decided_on=D(2024, 1, 14)
        )
    assert err.value.problems[0].field == "cg_decided_on"
    person = actions.do_record_decision(
        kent_victim, actor=kent_user, stage="cg", decision="positive", decided_on=D(2024, 4, 1)
    )
    assert (person.cg_decision, person.cg_decided_on) == ("positive", D(2024, 4, 1))
    row = last_audit()
    assert row.detail["step"] == "cases.record_cg_decision"
    assert row.detail["fields"] == ["cg_decided_on", "cg_decision"]


def test_a_duty_to_notify_for_a_child_is_refused(kent_user: Any, kent_case: Investigation) -> None:
    child = actions.do_add_person(kent_case, actor=kent_user, category="victim", age_group="child")
    with pytest.raises(RegisterRuleError) as err:
        actions.do_record_dtn(child, actor=kent_user, reported_on=D(2024, 2, 1))
    assert "a child is referred to the NRM" in err.value.problems[0].message
    adult = actions.do_add_person(kent_case, actor=kent_user, category="victim", age_group="adult")
    assert actions.do_record_dtn(adult, actor=kent_user, reported_on=D(2024, 2, 1)).dtn_reported_on


def test_decisions_only_for_victims_and_arrests_only_for_suspects(
    kent_user: Any, kent_case: Investigation, kent_victim: Person
) -> None:
    suspect = actions.do_add_person(kent_case, actor=kent_user, category="suspect")
    with pytest.raises(RegisterRuleError, match="potential victim"):
        actions.do_record_nrm_referral(suspect, actor=kent_user, referred_on=D(2024, 2, 1))
    with pytest.raises(RegisterRuleError, match="suspect"):
        actions.do_record_arrest(kent_victim, actor=kent_user, arrested_on=D(2024, 2, 1))
    actions.do_record_arrest(suspect, actor=kent_user, arrested_on=D(2024, 2, 1))
    with pytest.raises(RegisterRuleError, match="before the arrest"):
        actions.do_record_charge(suspect, actor=kent_user, charged_on=D(2024, 1, 20))
    assert actions.do_record_charge(suspect, actor=kent_user, charged_on=D(2024, 2, 2)).charged_on


def test_an_unknown_nationality_or_exploitation_code_stores_nothing(
    kent_user: Any, kent: OrgUnit, kent_case: Investigation
) -> None:
    with pytest.raises(RegisterRuleError, match="ISO 3166-1"):
        actions.do_add_person(kent_case, actor=kent_user, category="victim", nationality="Narnia")
    with pytest.raises(RegisterRuleError, match="not in the catalogue"):
        actions.do_create_investigation(
            kent,
            actor=kent_user,
            crime_reference="46/2/24",
            opened_on=D(2024, 1, 1),
            exploitation_types=["piracy"],
        )
    assert Person.objects.count() == 0 and Investigation.objects.count() == 1


def test_a_system_actor_may_build_the_register(kent: OrgUnit) -> None:
    inv = actions.do_create_investigation(
        kent, actor="demo", crime_reference="D/1", opened_on=D(2023, 4, 1)
    )
    assert last_audit().actor_label == "demo"
    refs = actions.allocate_person_references(kent, 3)
    assert refs == ["KENT-P000001", "KENT-P000002", "KENT-P000003"]
    assert inv.force == kent
