"""Cleanse pages: the unit opens one, a force works its worklist on the web, a coordinator
sees progress for their forces only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from msoic.cases.cleanse import actions as cleanse
from msoic.cases.models import Cleanse, Investigation
from tests.cases.cleanse_world import make_case

TODAY = timezone.localdate()
_localdate = timezone.localdate


@pytest.fixture(autouse=True)
def _today_stays_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """The module's TODAY is read at import: a run that crosses midnight would see the code's
    "today" move on under it, so the code's today is held at TODAY."""

    def localdate(value=None, timezone=None):  # type: ignore[no-untyped-def]
        return TODAY if value is None else _localdate(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)


def _client(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def opened(db, national_analyst):
    old = TODAY - timedelta(days=400)
    for i in range(3):
        make_case("kent", f"K{i}", old)
    make_case("essex", "E0", old)
    make_case("cleveland", "C0", old)
    return cleanse.do_open_cleanse(
        title="Stale cases",
        criteria={"stale_days": 180},
        deadline=TODAY + timedelta(days=14),
        actor=national_analyst,
    )


def test_the_unit_opens_a_cleanse_from_the_form(db, national_analyst):
    make_case("kent", "K9", TODAY - timedelta(days=400))
    c = _client(national_analyst)
    assert c.get("/investigations/cleanse/new/").status_code == 200
    response = c.post(
        "/investigations/cleanse/new/",
        {
            "title": "Spring",
            "stale_days": "90",
            "deadline": (TODAY + timedelta(days=7)).isoformat(),
        },
    )
    made = Cleanse.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/cleanse/{made.pk}/")
    assert made.items.count() == 1


def test_the_form_says_what_is_wrong(db, national_analyst):
    response = _client(national_analyst).post(
        "/investigations/cleanse/new/", {"title": "X", "deadline": "2020-01-01"}
    )
    assert response.status_code == 200
    assert b"Choose at least one criterion" in response.content
    assert not Cleanse.objects.exists()


def test_a_force_confirms_and_closes_cases_from_its_worklist(opened, kent_user):
    c = _client(kent_user)
    page = c.get(f"/investigations/cleanse/{opened.pk}/worklist/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "K0" in text and "E0" not in text and "3 outstanding cases" in text
    k0 = opened.items.get(investigation__crime_reference="K0")
    k1 = opened.items.get(investigation__crime_reference="K1")
    r = c.post(
        f"/investigations/cleanse/items/{k0.pk}/", {"step": "confirm", "confirm-note": "CPS"}
    )
    assert r.status_code == 302
    r = c.post(
        f"/investigations/cleanse/items/{k1.pk}/",
        {"step": "close", "close-closed_on": TODAY.isoformat(), "close-outcome": "nfa"},
    )
    assert r.status_code == 302
    assert Investigation.objects.get(crime_reference="K1").status == "closed"
    detail = c.get(f"/investigations/cleanse/{opened.pk}/").content.decode()
    assert "2 of 3 cases done" in detail
    assert "Essex" not in detail


def test_a_refused_change_is_shown_not_stored(opened, kent_user):
    k0 = opened.items.get(investigation__crime_reference="K0")
    c = _client(kent_user)
    r = c.post(
        f"/investigations/cleanse/items/{k0.pk}/",
        {"step": "close", "close-closed_on": "2000-01-01", "close-outcome": "nfa"},
    )
    assert r.status_code == 200
    assert "Date closed (01/01/2000) cannot be before the date opened" in r.content.decode()
    assert not opened.items.exclude(resolution="").exists()


def test_others_cannot_work_a_forces_worklist(opened, essex_user, eastern_coordinator):
    k0 = opened.items.get(investigation__crime_reference="K0")
    url = f"/investigations/cleanse/items/{k0.pk}/"
    assert (
        _client(essex_user).post(url, {"step": "confirm", "confirm-note": "x"}).status_code == 404
    )
    assert _client(eastern_coordinator).get(url).status_code == 200
    assert (
        _client(eastern_coordinator).post(url, {"step": "confirm", "confirm-note": "x"}).status_code
        == 403
    )


def test_coordinator_sees_progress_of_their_forces_only(opened, eastern_coordinator):
    text = (
        _client(eastern_coordinator).get(f"/investigations/cleanse/{opened.pk}/").content.decode()
    )
    assert "Kent Police" in text and "Essex Police" in text and "Cleveland" not in text


def test_the_unit_downloads_progress(opened, national_analyst):
    r = _client(national_analyst).get(f"/investigations/cleanse/{opened.pk}/progress.csv")
    lines = r.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Force,Cases on worklist")
    assert any(line.startswith("Total,5,0,0,0,0,5") for line in lines)


def test_partners_have_no_cleanse_pages(opened, partner_user):
    assert _client(partner_user).get("/investigations/cleanse/").status_code == 403


def test_worklist_page_queries_do_not_grow_with_its_cases(opened, kent_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = _client(kent_user)
    c.get(f"/investigations/cleanse/{opened.pk}/worklist/")  # session and catalogue warm
    with CaptureQueriesContext(connection) as few:
        c.get(f"/investigations/cleanse/{opened.pk}/worklist/?show=all")
    for i in range(3, 30):
        make_case("kent", f"K{i}", TODAY - timedelta(days=400))
    more = cleanse.do_open_cleanse(
        title="Again",
        criteria={"stale_days": 180},
        deadline=TODAY + timedelta(days=3),
        actor=opened.opened_by,
    )
    with CaptureQueriesContext(connection) as many:
        r = c.get(f"/investigations/cleanse/{more.pk}/worklist/?show=all")
    assert r.content.decode().count("/investigations/cleanse/items/") == 30
    assert len(many) == len(few)
