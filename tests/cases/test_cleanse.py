"""Data cleanse: opening takes a snapshot, forces work their worklist through the register's
actions, progress and the before-and-after are computed for each viewer's forces."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from msoic.audit.models import AuditEvent
from msoic.cases.cleanse import actions as cleanse
from msoic.cases.models import Cleanse, CleanseItem, Investigation, Review
from msoic.orgunits.models import OrgUnit
from tests.cases.cleanse_world import make_case, make_person

TODAY = timezone.localdate()
_localdate = timezone.localdate


@pytest.fixture(autouse=True)
def _today_stays_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """The module's TODAY is read at import: a run that crosses midnight would see the code's
    "today" move on under it, so the code's today is held at TODAY."""

    def localdate(value=None, timezone=None):  # type: ignore[no-untyped-def]
        return TODAY if value is None else _localdate(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)


OLD = date(2024, 1, 15)


@pytest.fixture
def register(db):
    """Kent: two stale cases, one fresh, one with no exploitation type, one closed.
    Essex: one stale case and one whose victim waits for a decision. Cleveland: one stale."""
    cases = {
        "k1": make_case("kent", "K1", OLD),
        "k2": make_case("kent", "K2", OLD, last_reviewed_on=date(2024, 3, 1)),
        "k3": make_case("kent", "K3", OLD, last_reviewed_on=TODAY - timedelta(days=10)),
        "k4": make_case("kent", "K4", TODAY - timedelta(days=20), primary=""),
        "k5": make_case("kent", "K5", OLD, closed_on=date(2024, 6, 1)),
        "e1": make_case("essex", "E1", OLD),
        "e2": make_case("essex", "E2", TODAY - timedelta(days=100)),
        "c1": make_case("cleveland", "C1", OLD),
    }
    make_person(cases["e2"], nrm_referred_on=TODAY - timedelta(days=90))
    make_person(cases["k3"], nrm_referred_on=TODAY - timedelta(days=5))  # too recent
    return cases


def _open(actor, **criteria):
    return cleanse.do_open_cleanse(
        title="Winter cleanse",
        criteria=criteria or {"stale_days": 180, "missing_exploitation": True, "nrm_days": 60},
        deadline=TODAY + timedelta(days=30),
        actor=actor,
    )


def test_opening_puts_each_matching_live_case_on_its_forces_worklist(register, national_analyst):
    opened = _open(national_analyst)
    items = {
        i.investigation.crime_reference: i for i in opened.items.select_related("investigation")
    }
    assert set(items) == {"K1", "K2", "K4", "E1", "E2", "C1"}
    assert items["K1"].reasons == ["stale"]
    assert items["K4"].reasons == ["missing_exploitation"]
    assert items["E2"].reasons == ["nrm"]
    assert items["E1"].force.code == "essex"
    # the baseline: live investigations per force the day it opened
    assert opened.baseline == {"kent": 4, "essex": 2, "cleveland": 1}
    row = AuditEvent.objects.get(object_type="cases.cleanse", object_id=str(opened.pk))
    assert row.action == "collection" and row.detail["items"] == 6


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        ({"stale_days": 180}, {"K1", "K2", "E1", "C1"}),
        ({"missing_exploitation": True}, {"K4"}),
        ({"nrm_days": 60}, {"E2"}),
        ({"nrm_days": 120}, set()),
    ],
)
def test_each_criterion_alone(register, national_analyst, criteria, expected):
    opened = _open(national_analyst, **criteria)
    assert {i.investigation.crime_reference for i in opened.items.all()} == expected


@pytest.mark.parametrize(
    ("criteria", "deadline_days", "message"),
    [
        ({}, 10, "at least one criterion"),
        ({"stale_days": 0}, 10, "1 or more"),
        ({"stale_days": "soon"}, 10, "whole number"),
        ({"stale_days": 90}, 0, "deadline must be after"),
    ],
)
def test_bad_cleanse_criteria_are_refused(national_analyst, criteria, deadline_days, message):
    with pytest.raises(ValidationError, match=message):
        cleanse.do_open_cleanse(
            title="Bad",
            criteria=criteria or {"missing_exploitation": False},
            deadline=TODAY + timedelta(days=deadline_days),
            actor=national_analyst,
        )
    assert not Cleanse.objects.exists()


def test_only_the_unit_opens_a_cleanse(register, kent_user, eastern_coordinator):
    for user in (kent_user, eastern_coordinator):
        with pytest.raises(PermissionDenied):
            _open(user)


def _item(opened, ref):
    return opened.items.get(investigation__crime_reference=ref)


def test_force_confirms_updates_and_closes_through_the_register_actions(
    register, national_analyst, kent_user
):
    opened = _open(national_analyst)
    cleanse.do_confirm_cleanse_item(_item(opened, "K1"), actor=kent_user, note="Awaiting CPS")
    cleanse.do_update_cleanse_item(
        _item(opened, "K4"),
        actor=kent_user,
        primary_exploitation="sexual",
        exploitation_types=["sexual"],
    )
    cleanse.do_close_cleanse_item(
        _item(opened, "K2"), actor=kent_user, closed_on=TODAY, outcome="nfa"
    )
    k1, k2, k4 = (Investigation.objects.get(crime_reference=r) for r in ("K1", "K2", "K4"))
    assert k1.last_reviewed_on == TODAY
    assert Review.objects.get(investigation=k1).note == "Awaiting CPS"
    assert k4.primary_exploitation == "sexual"
    assert (k2.status, k2.closed_on, k2.outcome) == ("closed", TODAY, "nfa")
    resolutions = dict(
        opened.items.filter(resolution__gt="").values_list(
            "investigation__crime_reference", "resolution"
        )
    )
    assert resolutions == {"K1": "confirmed", "K4": "updated", "K2": "closed"}
    # each: the register's own audit row for the case, and one for the worklist item
    steps = list(
        AuditEvent.objects.filter(actor=kent_user)
        .order_by("seq")
        .values_list("detail__step", flat=True)
    )
    assert steps == [
        "cases.review_investigation",
        "cases.cleanse_confirmed",
        "cases.update_investigation",
        "cases.cleanse_updated",
        "cases.close_investigation",
        "cases.cleanse_closed",
    ]


def test_a_case_is_resolved_once_and_a_confirmation_needs_a_note(
    register, national_analyst, kent_user
):
    opened = _open(national_analyst)
    item = _item(opened, "K1")
    with pytest.raises(ValidationError):
        cleanse.do_confirm_cleanse_item(item, actor=kent_user, note="  ")
    assert not CleanseItem.objects.get(pk=item.pk).resolution
    cleanse.do_confirm_cleanse_item(item, actor=kent_user, note="Still live")
    with pytest.raises(ValidationError, match="already recorded as confirmed"):
        cleanse.do_close_cleanse_item(item, actor=kent_user, closed_on=TODAY, outcome="nfa")


def test_another_force_cannot_work_the_worklist(
    register, national_analyst, essex_user, eastern_coordinator
):
    opened = _open(national_analyst)
    for user in (essex_user, eastern_coordinator, national_analyst):
        with pytest.raises(PermissionDenied):
            cleanse.do_confirm_cleanse_item(_item(opened, "K1"), actor=user, note="x")
    assert not opened.items.exclude(resolution="").exists()


def test_progress_and_before_and_after_per_force_and_in_total(
    register, national_analyst, kent_user
):
    opened = _open(national_analyst)
    cleanse.do_confirm_cleanse_item(_item(opened, "K1"), actor=kent_user, note="Live")
    cleanse.do_close_cleanse_item(
        _item(opened, "K2"), actor=kent_user, closed_on=TODAY, outcome="charged"
    )
    result = cleanse.progress(opened, OrgUnit.objects.forces())
    rows = {r.code: r for r in result.forces}
    assert set(rows) == {"kent", "essex", "cleveland"}
    kent = rows["kent"]
    assert (kent.items, kent.confirmed, kent.closed, kent.done, kent.outstanding) == (3, 1, 1, 2, 1)
    assert kent.percent_done == pytest.approx(66.7)
    assert (kent.live_at_opening, kent.live_now, kent.live_change) == (4, 3, -1)
    assert kent.overdue == 0 and kent.status == "Started"
    assert rows["essex"].status == "Not started"
    total = result.total
    assert (total.items, total.done, total.outstanding) == (6, 2, 4)
    assert (total.live_at_opening, total.live_now) == (7, 6)
    # after the deadline what is outstanding is overdue
    late = cleanse.progress(opened, OrgUnit.objects.forces(), opened.deadline + timedelta(days=1))
    assert {r.code: r.overdue for r in late.forces} == {"kent": 1, "essex": 2, "cleveland": 1}
    assert late.total.overdue == 4


def test_progress_costs_the_same_queries_whatever_the_forces(
    register, national_analyst, django_assert_num_queries
):
    opened = _open(national_analyst)
    with django_assert_num_queries(3):
        cleanse.progress(opened, OrgUnit.objects.forces())
