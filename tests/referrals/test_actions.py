"""The referral pathway's actions: routing by the ONS district lookup or the referrer's
choice, the proforma's checks (nothing stored from a refused referral), the force's steps,
escalation after 48 hours (time passed in, never slept), and the audit rows."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from msoic.audit.models import AuditEvent
from msoic.referrals.actions import (
    do_acknowledge_referral,
    do_assign_referral,
    do_escalate_overdue_referrals,
    do_record_referral_outcome,
    do_reroute_referral,
)
from msoic.referrals.models import LocalAuthority, Referral, Routing, Status
from msoic.referrals.reference import lookup_rows
from tests.referrals.conftest import SENT, add_spoc, submit

pytestmark = pytest.mark.django_db


# --- the reference data -----------------------------------------------------------------------


def test_every_district_of_england_and_wales_is_loaded_with_one_force():
    rows = lookup_rows()
    assert len(rows) == 318
    assert len({r["lad_code"] for r in rows}) == 318
    assert LocalAuthority.objects.count() == 318
    # every force of the reference data covers at least one district
    from msoic.orgunits.models import OrgUnit

    covered = set(LocalAuthority.objects.values_list("force__code", flat=True))
    assert covered == set(OrgUnit.objects.forces().values_list("code", flat=True))


@pytest.mark.parametrize(
    ("code", "force"),
    [
        ("E07000110", "kent"),  # Maidstone
        ("E06000035", "kent"),  # Medway, a unitary authority in Kent Police's area
        ("E06000033", "essex"),  # Southend-on-Sea
        ("E09000001", "city-of-london"),
        ("E09000030", "metropolitan"),  # Tower Hamlets
        ("E06000065", "north-yorkshire"),  # North Yorkshire (2023)
        ("E06000063", "cumbria"),  # Cumberland (2023)
        ("E06000066", "avon-and-somerset"),  # Somerset (2023)
        ("E06000046", "hampshire"),  # Isle of Wight
        ("W06000015", "south-wales"),  # Cardiff
        ("W06000023", "dyfed-powys"),  # Powys
    ],
)
def test_district_routes_to_its_police_force_area(hta_user, code, force):
    referral = submit(hta_user, local_authority=code)
    assert referral.force.code == force
    assert referral.routing == Routing.LOOKUP
    assert referral.local_authority_id == code


# --- routing and the SPOC -------------------------------------------------------------------------


def test_referral_goes_to_the_forces_organ_harvesting_spoc_in_post(hta_user, kent_user):
    add_spoc(
        kent_user, "kent", name="DI Former", starts_on=date(2022, 1, 1), ends_on=date(2023, 12, 31)
    )
    current = add_spoc(kent_user, "kent", name="DI Current", starts_on=date(2024, 1, 1))
    add_spoc(kent_user, "kent", theme="innerste", name="DS Other theme")
    referral = submit(hta_user)
    assert referral.spoc == current
    assert referral.reference == f"HTA-2024-{referral.pk:05d}"


def test_referral_to_a_force_without_a_spoc_in_post_still_goes_to_the_force(hta_user, essex_user):
    add_spoc(essex_user, "essex", ends_on=date(2024, 1, 31))
    referral = submit(hta_user, local_authority="E07000071")
    assert referral.force.code == "essex"
    assert referral.spoc is None


def test_place_not_known_goes_to_the_force_the_referrer_chose(hta_user):
    referral = submit(hta_user, local_authority="", force="essex")
    assert referral.force.code == "essex"
    assert referral.routing == Routing.MANUAL
    assert referral.local_authority is None


# --- bad input: every problem named, nothing stored ---------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        (
            {"local_authority": "E07999999"},
            "local_authority",
            "Unknown local authority 'E07999999'",
        ),
        ({"local_authority": "", "force": ""}, "local_authority", "or choose the force"),
        ({"local_authority": "", "force": "gotham"}, "force", "Unknown force 'gotham'"),
        ({"force": "essex"}, "force", "only when the local authority is not known"),
        ({"concern_on": date(2024, 3, 5)}, "concern_on", "in the future"),
        ({"concern_on": None}, "concern_on", "Give the date"),
        ({"indicators": []}, "indicators", "at least one indicator"),
        ({"indicators": ["payment", "telepathy"]}, "indicators", "Unknown indicator telepathy"),
        ({"narrative": "  "}, "narrative", "Describe"),
        ({"donor_ref": "John Smith"}, "donor_ref", "not a name"),
        ({"recipient_ref": "Smith"}, "recipient_ref", "not a name"),
        ({"donor_ref": "", "recipient_ref": ""}, "donor_ref", "reference"),
        ({"clinician": ""}, "clinician", "clinician"),
        ({"hospital": ""}, "hospital", "hospital"),
    ],
)
def test_bad_referral_is_refused_whole(hta_user, changes, field, words):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        submit(hta_user, **changes)
    assert words in " ".join(caught.value.message_dict[field])
    assert not Referral.objects.exists()
    assert AuditEvent.objects.count() == before


def test_every_problem_is_reported_together(hta_user):
    with pytest.raises(ValidationError) as caught:
        submit(
            hta_user,
            local_authority="X1",
            indicators=[],
            donor_ref="Jane Doe",
            concern_on=date(2030, 1, 1),
        )
    assert set(caught.value.message_dict) == {
        "local_authority",
        "indicators",
        "donor_ref",
        "concern_on",
    }


def test_only_the_hta_submits(kent_user, partner_user, national_analyst):
    for user in (kent_user, partner_user, national_analyst):
        with pytest.raises(PermissionDenied):
            submit(user)
    assert not Referral.objects.exists()


# --- the force's steps ----------------------------------------------------------------------------


def test_force_acknowledges_assigns_and_records_the_outcome(hta_user, kent_user):
    referral = submit(hta_user)
    do_acknowledge_referral(referral, actor=kent_user, at=SENT + timedelta(hours=3))
    do_assign_referral(referral, kent_user, actor=kent_user, at=SENT + timedelta(hours=4))
    closed = do_record_referral_outcome(
        referral,
        actor=kent_user,
        outcome="crime_recorded",
        reference="46/1/24",
        at=SENT + timedelta(days=5),
    )
    assert closed.status == Status.CLOSED
    assert closed.outcome_reference == "46/1/24"
    steps = list(
        AuditEvent.objects.filter(object_type="referrals.referral", object_id=str(referral.pk))
        .order_by("seq")
        .values_list("action", "detail__step")
    )
    assert steps == [
        ("collection", "referrals.submit"),
        ("alteration", "referrals.acknowledge"),
        ("alteration", "referrals.assign"),
        ("alteration", "referrals.record_outcome"),
    ]


def test_another_force_cannot_work_the_referral(
    hta_user, essex_user, eastern_coordinator, national_analyst
):
    referral = submit(hta_user)
    for user in (essex_user, eastern_coordinator, national_analyst, hta_user):
        with pytest.raises(PermissionDenied):
            do_acknowledge_referral(referral, actor=user)
    referral.refresh_from_db()
    assert referral.status == Status.SUBMITTED


@pytest.mark.parametrize(
    ("outcome", "reference", "note", "field"),
    [
        ("crime_recorded", "", "", "reference"),
        ("linked", "", "", "reference"),
        ("no_crime", "", "", "note"),
        ("arrested", "", "", "outcome"),
    ],
)
def test_outcome_needs_its_reference_or_reason(
    hta_user, kent_user, outcome, reference, note, field
):
    referral = do_acknowledge_referral(submit(hta_user), actor=kent_user, at=SENT)
    with pytest.raises(ValidationError) as caught:
        do_record_referral_outcome(
            referral, actor=kent_user, outcome=outcome, reference=reference, note=note
        )
    assert field in caught.value.message_dict
    referral.refresh_from_db()
    assert referral.status == Status.ACKNOWLEDGED


def test_outcome_before_acknowledgement_and_assignee_of_another_force_are_refused(
    hta_user, kent_user, essex_user
):
    referral = submit(hta_user)
    with pytest.raises(ValidationError):
        do_record_referral_outcome(referral, actor=kent_user, outcome="no_crime", note="x")
    do_acknowledge_referral(referral, actor=kent_user, at=SENT)
    with pytest.raises(ValidationError, match="not a user of Kent Police"):
        do_assign_referral(referral, essex_user, actor=kent_user)


# --- escalation after 48 hours ---------------------------------------------------------------------


def test_unacknowledged_referral_escalates_at_48_hours_and_only_once(hta_user):
    referral = submit(hta_user)
    assert do_escalate_overdue_referrals(now=SENT + timedelta(hours=47, minutes=59)) == []
    escalated = do_escalate_overdue_referrals(now=SENT + timedelta(hours=48))
    assert [r.pk for r in escalated] == [referral.pk]
    referral.refresh_from_db()
    assert referral.escalated_at == SENT + timedelta(hours=48)
    assert referral.is_overdue(SENT + timedelta(hours=48))
    assert do_escalate_overdue_referrals(now=SENT + timedelta(days=10)) == []
    row = AuditEvent.objects.get(detail__step="referrals.escalate")
    assert row.object_id == str(referral.pk) and row.orgunit_code == "kent"


def test_acknowledged_referral_does_not_escalate(hta_user, kent_user):
    referral = submit(hta_user)
    do_acknowledge_referral(referral, actor=kent_user, at=SENT + timedelta(hours=47))
    assert do_escalate_overdue_referrals(now=SENT + timedelta(hours=49)) == []


def test_escalate_command_takes_the_time_and_says_what_it_did(hta_user, capsys):
    referral = submit(hta_user)
    call_command("escalate_referrals", "--now", (SENT + timedelta(hours=30)).isoformat())
    assert "0 referrals escalated" in capsys.readouterr().out
    call_command("escalate_referrals", "--now", (SENT + timedelta(hours=50)).isoformat())
    out = capsys.readouterr().out
    assert f"{referral.reference} (Kent Police" in out and "1 referral escalated" in out


def test_escalation_task_runs_on_the_queue(hta_user, settings):
    from msoic.referrals.tasks import escalate_referrals_task

    submit(hta_user, at=SENT)  # long past: due now
    result = escalate_referrals_task.using(backend="default").call()
    assert result.startswith("escalated HTA-2024-")
    assert Referral.objects.get().escalated_at is not None


# --- re-routing by the unit ---------------------------------------------------------------------


def test_unit_reroutes_an_escalated_referral_and_the_48_hours_start_again(
    hta_user, national_analyst, essex_user
):
    from msoic.orgunits.models import OrgUnit

    spoc = add_spoc(essex_user, "essex")
    referral = submit(hta_user)
    do_escalate_overdue_referrals(now=SENT + timedelta(hours=48))
    moved_at = SENT + timedelta(hours=50)
    essex = OrgUnit.objects.get(code="essex")
    moved = do_reroute_referral(
        referral, essex, actor=national_analyst, reason="Kent: the address is in Essex", at=moved_at
    )
    assert (moved.force, moved.spoc, moved.routing) == (essex, spoc, Routing.UNIT)
    assert moved.escalated_at is None and moved.acknowledge_by == moved_at + timedelta(hours=48)
    assert do_escalate_overdue_referrals(now=moved_at + timedelta(hours=47)) == []
    assert do_escalate_overdue_referrals(now=moved_at + timedelta(hours=48)) == [moved]
    row = AuditEvent.objects.get(detail__step="referrals.reroute")
    assert row.detail["forces"] == ["kent", "essex"] and row.detail["reason"]


def test_reroute_is_the_units_before_acknowledgement_only(hta_user, kent_user, national_analyst):
    from msoic.orgunits.models import OrgUnit

    essex, kent = OrgUnit.objects.get(code="essex"), OrgUnit.objects.get(code="kent")
    referral = submit(hta_user)
    with pytest.raises(PermissionDenied):
        do_reroute_referral(referral, essex, actor=kent_user, reason="not ours")
    with pytest.raises(ValidationError) as caught:
        do_reroute_referral(referral, kent, actor=national_analyst, reason="")
    assert set(caught.value.message_dict) == {"force", "reason"}
    do_acknowledge_referral(referral, actor=kent_user, at=SENT)
    with pytest.raises(PermissionDenied):
        do_reroute_referral(referral, essex, actor=national_analyst, reason="too late")
    referral.refresh_from_db()
    assert referral.force == kent
