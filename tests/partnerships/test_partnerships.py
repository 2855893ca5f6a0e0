"""Partnerships: members, meetings with counts by force, coverage on the page and through the
engine, and who may do what."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from msoic.audit.models import AuditEvent
from msoic.metrics import engine
from msoic.orgunits.models import OrgUnit
from msoic.partnerships.actions import do_change_members, do_record_meeting
from msoic.partnerships.models import Meeting
from tests.partnerships.conftest import make_partnership

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def ou(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


def test_a_meeting_records_people_by_member_force(personas: dict[str, Any]) -> None:
    p = make_partnership(personas["national"], coordinator=personas["eastern"])
    assert sorted(p.organisations.values_list("name", flat=True)) == [
        "Essex County Council",
        "The Salvation Army",
    ]
    coordinator = client_for(personas["eastern"])
    response = coordinator.post(
        f"/partnerships/{p.pk}/meetings/new/",
        {
            "on": "2023-05-17",
            "venue": "Chelmsford",
            "partner_attendees": "6",
            "force_kent": "4",
            "force_essex": "3",
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert {a.force.code: a.people for a in meeting.attendance.all()} == {"kent": 4, "essex": 3}
    page = coordinator.get(f"/partnerships/{p.pk}/").content.decode()
    assert "Kent Police 4" in page and "Chelmsford" in page


def test_a_meeting_with_a_non_member_or_before_the_start_is_refused(
    personas: dict[str, Any],
) -> None:
    p = make_partnership(personas["national"])
    with pytest.raises(ValidationError, match="Cleveland Police is not a member"):
        do_record_meeting(
            p,
            actor=personas["national"],
            on=date(2023, 5, 1),
            counts={ou("cleveland"): 2, ou("kent"): 1},
        )
    with pytest.raises(ValidationError, match="cannot be before it"):
        do_record_meeting(
            p, actor=personas["national"], on=date(2020, 5, 1), counts={ou("kent"): 1}
        )
    with pytest.raises(ValidationError, match="nobody attended"):
        do_record_meeting(p, actor=personas["national"], on=date(2023, 5, 1), counts={})
    assert not Meeting.objects.exists()


def test_force_user_cannot_record_meetings_or_see_other_partnerships(
    personas: dict[str, Any],
) -> None:
    eastern = make_partnership(personas["national"])
    north = make_partnership(
        personas["national"], name="Tees Valley Network", area="cleveland", forces=("cleveland",)
    )
    kent = client_for(personas["kent"])
    assert kent.get(f"/partnerships/{eastern.pk}/").status_code == 200
    assert kent.get(f"/partnerships/{north.pk}/").status_code == 404
    assert kent.get(f"/partnerships/{eastern.pk}/meetings/new/").status_code == 403
    with pytest.raises(PermissionDenied):
        do_record_meeting(
            eastern, actor=personas["kent"], on=date(2023, 5, 1), counts={ou("kent"): 1}
        )
    assert client_for(personas["partner"]).get("/partnerships/").status_code == 403


def test_coverage_table_and_metric_count_forces_in_a_partnership(personas: dict[str, Any]) -> None:
    make_partnership(personas["national"], forces=("kent", "essex"), started_on=date(2023, 10, 1))
    make_partnership(
        personas["national"],
        name="Kent local",
        area="kent",
        forces=("kent",),
        started_on=date(2022, 1, 1),
    )
    nation, eastern = ou("national"), ou("eastern")
    year = engine.query("partnership_coverage", nation, "FY2023-24", compare="previous-year")
    assert year.value == 2 and year.coverage.complete  # a stock: March 2024, Kent once
    assert year.previous_value == 1  # March 2023: Kent's local partnership only
    assert engine.query("partnership_coverage", nation, "2023-09").value == 1
    assert engine.query("partnership_coverage", eastern, "FY2023-24").value == 2
    assert engine.query("partnership_coverage", ou("cleveland"), "FY2023-24").value == 0
    page = client_for(personas["eastern"]).get("/partnerships/").content.decode()
    assert "2 of 7 forces are in at least one partnership" in page
    assert "Cleveland" not in page  # outside the coordinator's region
    national_page = client_for(personas["national"]).get("/partnerships/").content.decode()
    assert f"2 of {OrgUnit.objects.forces().count()} forces" in national_page


def test_coordinator_sets_up_partnerships_for_their_region_only(personas: dict[str, Any]) -> None:
    coordinator = personas["eastern"]
    own = make_partnership(coordinator, name="Essex local", area="essex", forces=("essex",))
    assert own.area.code == "essex"
    with pytest.raises(PermissionDenied):
        make_partnership(coordinator, name="Tees", area="cleveland", forces=("cleveland",))
    with pytest.raises(ValidationError, match="already recorded"):
        make_partnership(personas["national"], name="essex LOCAL", area="essex")
    response = client_for(coordinator).post(
        "/partnerships/new/",
        {
            "name": "Tees",
            "area": "cleveland",
            "cadence": "quarterly",
            "started_on": "2023-01-01",
            "forces": ["cleveland"],
        },
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()


def test_list_query_count_does_not_grow_with_partnerships(
    personas: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    unit = personas["national"]
    make_partnership(unit, name="P0")
    national = client_for(unit)
    national.get("/partnerships/")
    with django_assert_max_num_queries(15) as few:
        national.get("/partnerships/")
    for n in range(1, 8):
        p = make_partnership(unit, name=f"P{n}", forces=("kent", "essex", "cleveland"))
        do_record_meeting(p, actor=unit, on=date(2023, 6, 1), counts={ou("kent"): 2})
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = national.get("/partnerships/").content.decode()
    assert "P7" in page


# --- changing the members ----------------------------------------------------------------


def members_of(p: Any) -> tuple[list[str], list[str]]:
    return (
        sorted(p.forces.values_list("code", flat=True)),
        sorted(p.organisations.values_list("name", flat=True)),
    )


def test_the_regions_coordinator_changes_the_members_on_the_web_audited(
    personas: dict[str, Any],
) -> None:
    p = make_partnership(personas["national"], coordinator=personas["eastern"])
    unit = personas["national"]
    do_record_meeting(p, actor=unit, on=date(2023, 6, 1), counts={ou("kent"): 3})
    coordinator = client_for(personas["eastern"])
    detail = coordinator.get(f"/partnerships/{p.pk}/").content.decode()
    assert f'href="/partnerships/{p.pk}/members/"' in detail
    form = coordinator.get(f"/partnerships/{p.pk}/members/").content.decode()
    assert "The Salvation Army" in form and "for the months before stays as it was" in form
    response = coordinator.post(
        f"/partnerships/{p.pk}/members/",
        {
            "forces": ["essex", "norfolk", "suffolk"],
            "organisations": "The Salvation Army\n  Norfolk County Council \n\nThe Salvation Army",
            "on": "2023-10-01",
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/partnerships/{p.pk}/"
    assert members_of(p) == (
        ["essex", "norfolk", "suffolk"],
        ["Norfolk County Council", "The Salvation Army"],
    )
    row = AuditEvent.objects.filter(detail__step="partnerships.change_members").get()
    assert row.actor == personas["eastern"] and row.object_id == str(p.pk)
    assert row.orgunit_code == "eastern"
    assert row.detail["forces"] == ["kent", "norfolk", "suffolk"]  # added or removed
    assert row.detail["on"] == "2023-10-01"
    assert row.detail["before"] == {
        "forces": ["essex", "kent"],
        "organisations": ["Essex County Council", "The Salvation Army"],
    }
    # Kent has left; the page says when, and the meeting it attended keeps its count
    page = coordinator.get(f"/partnerships/{p.pk}/").content.decode()
    assert "Kent Police, 1 April 2022 to 30 September 2023" in page
    assert Meeting.objects.get().attendance.get().force.code == "kent"
    # the same members again: nothing changes, no second row
    assert not do_change_members(
        p,
        actor=unit,
        forces=list(OrgUnit.objects.filter(code__in=["suffolk", "essex", "norfolk"])),
        organisations=["Norfolk County Council", "The Salvation Army"],
    )
    assert AuditEvent.objects.filter(detail__step="partnerships.change_members").count() == 1
    # coverage through the engine follows the members from the day given, and keeps the past
    eastern = ou("eastern")
    assert engine.query("partnership_coverage", eastern, "FY2023-24").value == 3  # March 2024
    assert engine.query("partnership_coverage", eastern, "2023-09").value == 2  # Kent, Essex
    assert engine.query("partnership_coverage", ou("kent"), "2023-09").value == 1
    assert engine.query("partnership_coverage", ou("kent"), "2023-10").value == 0
    assert engine.query("partnership_coverage", eastern, "FY2022-23").value == 2


def test_members_change_only_on_a_day_they_can(personas: dict[str, Any]) -> None:
    unit = personas["national"]
    p = make_partnership(unit, started_on=date(2022, 4, 1))  # Kent and Essex
    do_change_members(
        p, actor=unit, forces=[ou("essex")], organisations=[], on=date(2023, 1, 1)
    )  # Kent a member until 31 December 2022

    def change(codes: list[str], on: date) -> bool:
        forces = list(OrgUnit.objects.filter(code__in=codes))
        return do_change_members(p, actor=unit, forces=forces, organisations=[], on=on)

    with pytest.raises(ValidationError) as bad:
        change(["kent", "essex"], date(2022, 12, 31))  # back before it left
    assert bad.value.messages == [
        "Kent Police was a member until 31 December 2022: it cannot join again before the day after"
    ]
    with pytest.raises(ValidationError, match="started on 1 April 2022"):
        change(["essex", "norfolk"], date(2022, 3, 1))
    with pytest.raises(ValidationError, match="a day still to come"):
        change(["essex", "norfolk"], timezone.localdate() + timedelta(days=2))
    with pytest.raises(ValidationError, match="Essex Police joined on 1 April 2022"):
        change(["norfolk"], date(2022, 4, 1))
    assert members_of(p)[0] == ["essex"]
    assert change(["kent", "essex"], date(2023, 6, 1))  # back again
    spans = sorted(p.memberships.filter(force__code="kent").values_list("joined_on", "left_on"))
    assert spans == [(date(2022, 4, 1), date(2022, 12, 31)), (date(2023, 6, 1), None)]
    kent = ou("kent")
    assert [
        engine.query("partnership_coverage", kent, m).value for m in ("2023-03", "2023-06")
    ] == [
        0,
        1,
    ]
    page = client_for(unit).post(
        f"/partnerships/{p.pk}/members/", {"forces": ["essex"], "on": "2021-01-01"}
    )
    assert page.status_code == 200 and "members cannot change before it" in page.content.decode()


def test_members_cannot_be_emptied_or_changed_by_others(personas: dict[str, Any]) -> None:
    p = make_partnership(personas["national"], coordinator=personas["kent"])
    before = members_of(p)
    unit = client_for(personas["national"])
    empty = unit.post(f"/partnerships/{p.pk}/members/", {"forces": [], "organisations": "X"})
    assert empty.status_code == 200 and "Choose at least one member force" in empty.content.decode()
    unknown = unit.post(f"/partnerships/{p.pk}/members/", {"forces": ["atlantis"]})
    assert unknown.status_code == 200 and "Select a valid choice" in unknown.content.decode()
    with pytest.raises(ValidationError, match="members must be forces"):
        do_change_members(p, actor=personas["national"], forces=[ou("eastern")], organisations=[])
    # the named coordinator, a Kent user, records meetings but does not change the members
    kent = client_for(personas["kent"])
    assert kent.get(f"/partnerships/{p.pk}/meetings/new/").status_code == 200
    assert kent.post(f"/partnerships/{p.pk}/members/", {"forces": ["kent"]}).status_code == 403
    assert (
        f'href="/partnerships/{p.pk}/members/"'
        not in kent.get(f"/partnerships/{p.pk}/").content.decode()
    )
    with pytest.raises(PermissionDenied):
        do_change_members(p, actor=personas["kent"], forces=[ou("kent")], organisations=[])
    assert members_of(p) == before
    assert not AuditEvent.objects.filter(detail__step="partnerships.change_members").exists()


def test_the_coordinator_cadence_and_end_are_changed_on_the_web_audited(
    personas: dict[str, Any],
) -> None:
    unit = personas["national"]
    p = make_partnership(unit, coordinator=personas["kent"])  # Kent and Essex from April 2022
    do_record_meeting(p, actor=unit, on=date(2023, 6, 1), counts={ou("kent"): 3})
    coordinator = client_for(personas["eastern"])
    detail = coordinator.get(f"/partnerships/{p.pk}/").content.decode()
    assert f'href="/partnerships/{p.pk}/details/"' in detail
    form = coordinator.get(f"/partnerships/{p.pk}/details/").content.decode()
    assert 'value="quarterly" selected' in form
    response = coordinator.post(
        f"/partnerships/{p.pk}/details/",
        {"cadence": "monthly", "coordinator": personas["eastern"].username, "ended_on": ""},
    )
    assert response.status_code == 302
    p.refresh_from_db()
    assert (p.cadence, p.coordinator, p.ended_on) == ("monthly", personas["eastern"], None)
    row = AuditEvent.objects.filter(detail__step="partnerships.change_details").get()
    assert row.actor == personas["eastern"] and row.orgunit_code == "eastern"
    assert row.detail["before"] == {
        "cadence": "quarterly",
        "coordinator": personas["kent"].username,
    }
    assert row.detail["changed"] == {
        "cadence": "monthly",
        "coordinator": personas["eastern"].username,
    }
    # the end: refused before the last meeting, then recorded; coverage stops after it
    early = coordinator.post(
        f"/partnerships/{p.pk}/details/",
        {
            "cadence": "monthly",
            "coordinator": personas["eastern"].username,
            "ended_on": "2023-05-01",
        },
    )
    assert early.status_code == 200
    assert "a meeting is recorded on 1 June 2023" in early.content.decode()
    ended = coordinator.post(
        f"/partnerships/{p.pk}/details/",
        {
            "cadence": "monthly",
            "coordinator": personas["eastern"].username,
            "ended_on": "2023-09-30",
        },
    )
    assert ended.status_code == 302
    assert (
        "ended on 30 September 2023" in coordinator.get(f"/partnerships/{p.pk}/").content.decode()
    )
    kent = ou("kent")
    assert engine.query("partnership_coverage", kent, "2023-09").value == 1
    assert engine.query("partnership_coverage", kent, "2023-10").value == 0
    # nothing is recorded after the end
    with pytest.raises(ValidationError, match="a meeting cannot be after it"):
        do_record_meeting(p, actor=unit, on=date(2023, 11, 1), counts={kent: 1})
    with pytest.raises(ValidationError, match="members cannot change after it"):
        do_change_members(p, actor=unit, forces=[kent], organisations=[], on=date(2023, 11, 1))
    # the same details again: no second row
    assert AuditEvent.objects.filter(detail__step="partnerships.change_details").count() == 2
    same = coordinator.post(
        f"/partnerships/{p.pk}/details/",
        {
            "cadence": "monthly",
            "coordinator": personas["eastern"].username,
            "ended_on": "2023-09-30",
        },
    )
    assert same.status_code == 302
    assert AuditEvent.objects.filter(detail__step="partnerships.change_details").count() == 2


def test_details_refused_whole_and_only_for_those_who_change_members(
    personas: dict[str, Any],
) -> None:
    from msoic.partnerships.actions import do_change_details

    unit = personas["national"]
    p = make_partnership(unit, coordinator=personas["kent"])
    with pytest.raises(ValidationError) as bad:
        do_change_details(
            p,
            actor=unit,
            cadence="hourly",
            coordinator=personas["partner"],
            ended_on=date(2022, 1, 1),
        )
    assert len(bad.value.messages) == 4  # every problem at once (the end: two reasons)
    with pytest.raises(ValidationError, match="not before"):
        do_change_details(
            p,
            actor=unit,
            cadence="monthly",
            coordinator=None,
            ended_on=timezone.localdate() + timedelta(days=1),
        )
    # the named coordinator, a Kent user, records meetings but does not change the details
    kent = client_for(personas["kent"])
    assert kent.get(f"/partnerships/{p.pk}/details/").status_code == 403
    assert kent.post(f"/partnerships/{p.pk}/details/", {"cadence": "monthly"}).status_code == 403
    with pytest.raises(PermissionDenied):
        do_change_details(
            p, actor=personas["kent"], cadence="monthly", coordinator=None, ended_on=None
        )
    p.refresh_from_db()
    assert (p.cadence, p.coordinator, p.ended_on) == ("quarterly", personas["kent"], None)
    assert not AuditEvent.objects.filter(detail__step="partnerships.change_details").exists()
