"""PNC vulnerability marker: the worklist, recording requested/applied, coverage by force,
and the export as an audited disclosure with its recipient."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from msoic.audit.models import AuditEvent
from msoic.cases.consultation import check_disclosure
from msoic.cases.marker import actions as marker
from msoic.cases.models import Person
from msoic.orgunits.models import OrgUnit
from tests.cases.cleanse_world import make_case, make_person

CG = date(2024, 5, 1)


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def _victim(inv, cg="positive", **extra):
    return make_person(
        inv,
        nrm_referred_on=date(2024, 1, 20),
        rg_decision="positive",
        rg_decided_on=date(2024, 1, 25),
        cg_decision=cg,
        cg_decided_on=CG if cg else None,
        **extra,
    )


@pytest.fixture
def people(db):
    k = make_case("kent", "K1", date(2024, 1, 10))
    e = make_case("essex", "E1", date(2024, 1, 10))
    c = make_case("cleveland", "C1", date(2024, 1, 10))
    return {
        "k_pos": _victim(k),
        "k_pos2": _victim(k, marker_requested_on=date(2024, 5, 3)),
        "k_neg": _victim(k, cg="negative"),
        "k_wait": _victim(k, cg=""),
        "k_suspect": make_person(k, category="suspect"),
        "e_pos": _victim(
            e, marker_requested_on=date(2024, 5, 2), marker_applied_on=date(2024, 5, 9)
        ),
        "c_pos": _victim(c),
    }


def test_only_positive_conclusive_grounds_victims_are_on_the_worklist(people, kent_user):
    text = _client(kent_user).get("/investigations/marker/?show=all").content.decode()
    assert people["k_pos"].reference in text and people["k_pos2"].reference in text
    for other in ("k_neg", "k_wait", "k_suspect", "e_pos", "c_pos"):
        assert people[other].reference not in text


def test_force_records_requested_then_applied_each_audited(people, kent_user):
    p = people["k_pos"]
    marker.do_request_marker(p, actor=kent_user, requested_on=date(2024, 5, 2))
    marker.do_apply_marker(p, actor=kent_user, applied_on=date(2024, 5, 10))
    p.refresh_from_db()
    assert (p.marker_requested_on, p.marker_applied_on) == (date(2024, 5, 2), date(2024, 5, 10))
    steps = list(
        AuditEvent.objects.filter(object_type="cases.person", object_id=str(p.pk))
        .order_by("seq")
        .values_list("action", "detail__step", "orgunit_code")
    )
    assert steps == [
        ("alteration", "cases.request_marker", "kent"),
        ("alteration", "cases.apply_marker", "kent"),
    ]


@pytest.mark.parametrize(
    ("who", "step", "on", "message"),
    [
        ("k_pos", "apply", date(2024, 6, 1), "requested before"),
        ("k_pos", "request", date(2024, 4, 1), "after the conclusive grounds decision"),
        ("k_pos2", "apply", date(2024, 5, 1), "before the date requested"),
        ("k_neg", "request", date(2024, 6, 1), "positive conclusive grounds"),
        ("k_pos", "request", date(2099, 1, 1), "future"),
    ],
)
def test_bad_marker_dates_are_refused(people, kent_user, who, step, on, message):
    person = people[who]
    with pytest.raises(ValidationError, match=message):
        if step == "request":
            marker.do_request_marker(person, actor=kent_user, requested_on=on)
        else:
            marker.do_apply_marker(person, actor=kent_user, applied_on=on)


def test_only_the_forces_own_users_record_the_marker(people, essex_user, national_analyst):
    for user in (essex_user, national_analyst):
        with pytest.raises(PermissionDenied):
            marker.do_request_marker(people["k_pos"], actor=user, requested_on=date(2024, 6, 1))
    r = _client(essex_user).post(
        f"/investigations/marker/people/{people['k_pos'].pk}/",
        {"step": "requested", "on": "2024-06-01"},
    )
    assert r.status_code == 404
    assert Person.objects.get(pk=people["k_pos"].pk).marker_requested_on is None


def test_recording_on_the_web(people, kent_user):
    c = _client(kent_user)
    r = c.post(
        f"/investigations/marker/people/{people['k_pos'].pk}/",
        {"step": "requested", "on": "2024-06-01"},
    )
    assert r.status_code == 302
    assert Person.objects.get(pk=people["k_pos"].pk).marker_requested_on == date(2024, 6, 1)


def test_coverage_by_force(people):
    rows, total = marker.coverage(OrgUnit.objects.forces())
    got = {c.code: (c.eligible, c.requested, c.applied, c.percent_applied) for c in rows}
    assert got == {
        "kent": (2, 1, 0, 0.0),
        "essex": (1, 1, 1, 100.0),
        "cleveland": (1, 0, 0, 0.0),
    }
    assert (total.eligible, total.requested, total.applied) == (4, 2, 1)
    assert total.percent_requested == 50.0


def test_coordinator_sees_coverage_for_their_forces(people, eastern_coordinator):
    text = _client(eastern_coordinator).get("/investigations/marker/").content.decode()
    assert "Kent Police" in text and "Essex Police" in text and "Cleveland" not in text


def test_export_is_a_disclosure_audited_with_its_recipient(people, kent_user):
    c = _client(kent_user)
    assert c.get("/investigations/marker/export/").status_code == 200
    r = c.post(
        "/investigations/marker/export/",
        {"recipient": "Kent PNC bureau", "purpose": "apply markers", "fmt": "csv"},
    )
    body = r.content.decode("utf-8-sig")
    assert r.status_code == 200 and body.startswith("Reference,Force,Crime reference")
    assert people["k_pos"].reference in body and people["e_pos"].reference not in body
    row = AuditEvent.objects.get(action="disclosure")
    assert row.recipient == "Kent PNC bureau"
    assert row.justification == "apply markers"
    assert row.detail["format"] == "csv" and row.detail["owners"] == ["kent"]
    assert row.orgunit_code == "kent" and row.actor == kent_user
    disclosed = [line.split(",")[0] for line in body.splitlines()[1:]]
    assert row.detail["people"] == sorted(disclosed) and row.detail["people_count"] == 2
    assert check_disclosure(row, disclosed).ok


def test_export_without_a_recipient_or_purpose_discloses_nothing(people, kent_user):
    client = _client(kent_user)
    r = client.post("/investigations/marker/export/", {"recipient": "", "fmt": "csv"})
    assert r.status_code == 200 and b"There is a problem" in r.content
    r = client.post("/investigations/marker/export/", {"recipient": "PNC bureau", "fmt": "csv"})
    assert b"Say what the list is for (the purpose)" in r.content
    assert not AuditEvent.objects.filter(action="disclosure").exists()


def test_national_xlsx_export_of_one_force(people, national_analyst):
    r = _client(national_analyst).post(
        "/investigations/marker/export/?force=essex",
        {"recipient": "Home Office", "purpose": "marker audit", "fmt": "xlsx"},
    )
    ws = load_workbook(io.BytesIO(r.content)).active
    values = [c.value for row in ws.iter_rows() for c in row]
    assert people["e_pos"].reference in values and people["k_pos"].reference not in values
    row = AuditEvent.objects.get(action="disclosure")
    assert row.detail["owners"] == ["essex"] and row.orgunit_code == "essex"
    assert row.detail["people"] == [people["e_pos"].reference]


def test_partners_have_no_marker_pages(people, partner_user, admin_user):
    for user in (partner_user, admin_user):
        assert _client(user).get("/investigations/marker/").status_code == 403


def test_the_worklist_logs_everyone_shown_in_one_row_whatever_their_number(people, kent_user):
    """s.62 without a query a person: the page's queries are the same for two people on
    the worklist as for eight, and its one consultation row names each of them."""
    client = _client(kent_user)

    def shown_and_logged() -> tuple[int, list[str]]:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/investigations/marker/?show=all").status_code == 200
        row = AuditEvent.objects.filter(action="consultation").latest("seq")
        assert row.detail["step"] == "cases.view_marker_list"
        assert row.detail["owners"] == ["kent"]
        return len(queries), row.detail["people"]

    few, named = shown_and_logged()
    assert named == sorted([people["k_pos"].reference, people["k_pos2"].reference])
    k = make_case("kent", "K2", date(2024, 2, 10))
    more = [_victim(k).reference for _ in range(6)]
    many, named = shown_and_logged()
    assert named == sorted([people["k_pos"].reference, people["k_pos2"].reference, *more])
    assert many == few
