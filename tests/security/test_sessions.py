"""Sessions end after 30 minutes without a request; each request starts the 30 minutes again."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from tests.auth_helpers import log_in_through_the_forms
from tests.conftest import PERSONA_PASSWORD

PAGE = "/api/v1/docs/"
API = "/api/v1/metrics"


@contextmanager
def later(minutes: float):
    """Run the block as if ``minutes`` had passed (the clock Django's session store reads)."""
    shifted = timezone.now() + timedelta(minutes=minutes)
    with mock.patch("django.utils.timezone.now", return_value=shifted):
        yield


def logged_in_client() -> Client:
    """Logged in through both steps (password, then the security code)."""
    client = Client()
    user = get_user_model().objects.get(username="kent.user")
    response = log_in_through_the_forms(client, user, PERSONA_PASSWORD)
    assert response.status_code == 302
    return client


def test_session_idle_limit_is_30_minutes_and_refreshed_on_every_request():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_session_ends_after_30_minutes_idle(kent_user):
    client = logged_in_client()
    assert client.get(PAGE).status_code == 200
    with later(31):
        page = client.get(PAGE)
        assert page.status_code == 302 and page["Location"].startswith("/login/")
        assert client.get(API).status_code == 401


def test_activity_keeps_the_session_alive(kent_user):
    client = logged_in_client()
    with later(25):
        assert client.get(PAGE).status_code == 200
    with later(50):  # 25 minutes after the last request, 50 after logging in
        assert client.get(PAGE).status_code == 200
    with later(81):  # 31 minutes after the last request
        assert client.get(PAGE).status_code == 302


def test_server_side_expiry_is_set_thirty_minutes_ahead(kent_user):
    client = logged_in_client()
    client.get(PAGE)
    session = Session.objects.get(session_key=client.session.session_key)
    remaining = session.expire_date - timezone.now()
    assert timedelta(minutes=29) < remaining <= timedelta(minutes=30)


def test_session_cookie_is_httponly_samesite_and_ends_with_the_browser(kent_user):
    client = logged_in_client()
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert not cookie["expires"] and not cookie["max-age"]


def test_logging_in_rotates_the_session_key(kent_user):
    client = Client()
    client.get("/login/")
    client.cookies[settings.SESSION_COOKIE_NAME] = "attacker-chosen-session-key-0123456789"
    client.post("/login/", {"username": "kent.user", "password": PERSONA_PASSWORD})
    assert (
        client.cookies[settings.SESSION_COOKIE_NAME].value
        != "attacker-chosen-session-key-0123456789"
    )
