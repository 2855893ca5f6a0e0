"""A person's NRM status and PNC marker eligibility are the model's: the marker worklist,
its export and the HTCDS export all read them from there."""

from __future__ import annotations

from datetime import date

import pytest

from msoic.cases.exchange.actions import trafficking_status
from msoic.cases.models import NrmStatus, Person
from tests.cases.cleanse_world import make_case, make_person


@pytest.mark.parametrize(
    ("rg", "cg", "status", "htcds"),
    [
        ("", "", NrmStatus.POTENTIAL, "PossibleVictimOfTrafficking"),
        ("positive", "", NrmStatus.POTENTIAL, "PossibleVictimOfTrafficking"),
        ("negative", "", NrmStatus.NOT_A_VICTIM, "NotAVictimOfTrafficking"),
        ("positive", "negative", NrmStatus.NOT_A_VICTIM, "NotAVictimOfTrafficking"),
        ("positive", "positive", NrmStatus.CONFIRMED, "ActualVictimOfTrafficking"),
        ("negative", "positive", NrmStatus.CONFIRMED, "ActualVictimOfTrafficking"),
    ],
)
def test_nrm_status_follows_the_decisions_recorded(db, rg, cg, status, htcds):
    person = make_person(make_case("kent", "K1", date(2024, 1, 10)), rg_decision=rg, cg_decision=cg)
    assert person.nrm_status == status
    assert trafficking_status(person) == htcds


def test_marker_eligibility_is_the_same_rule_on_a_person_and_on_a_queryset(db):
    case = make_case("kent", "K1", date(2024, 1, 10))
    eligible = make_person(case, rg_decision="positive", cg_decision="positive")
    others = [
        make_person(case, rg_decision="positive", cg_decision="negative"),
        make_person(case, rg_decision="positive", cg_decision=""),
        make_person(case, category="suspect", cg_decision="positive"),
    ]
    assert list(Person.objects.marker_eligible()) == [eligible]
    assert eligible.is_marker_eligible
    assert not any(p.is_marker_eligible for p in others)
