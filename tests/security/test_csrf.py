"""CSRF: every POST with a session needs the token; bearer-token API calls carry no cookie."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.auth_helpers import current_code
from tests.conftest import PERSONA_PASSWORD
from tests.security.urlconf import all_patterns, sample_url


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, "the form has no CSRF token"
    return match.group(1)


def test_login_form_without_the_token_is_refused(kent_user):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "kent.user", "password": PERSONA_PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_login_form_with_its_token_works(kent_user):
    client = Client(enforce_csrf_checks=True)
    token = csrf_from(client.get("/login/").content.decode())
    response = client.post(
        "/login/",
        {"username": "kent.user", "password": PERSONA_PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_logout_without_the_token_is_refused(kent_user):
    client = Client(enforce_csrf_checks=True)
    token = csrf_from(client.get("/login/").content.decode())
    client.post(
        "/login/",
        {"username": "kent.user", "password": PERSONA_PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert client.post("/logout/").status_code == 403
    assert "_auth_user_id" in client.session


@pytest.mark.django_db
def test_every_url_refuses_a_session_post_without_the_token(national_analyst):
    """Whatever the view, a POST riding on a session cookie without the token changes nothing."""
    client = Client(enforce_csrf_checks=True)
    code = current_code(national_analyst)
    token = csrf_from(client.get("/login/").content.decode())
    client.post(
        "/login/",
        {
            "username": "national.analyst",
            "password": PERSONA_PASSWORD,
            "csrfmiddlewaretoken": token,
        },
    )
    token = csrf_from(client.get("/login/verify/").content.decode())
    client.post("/login/verify/", {"code": code, "csrfmiddlewaretoken": token})
    assert "_auth_user_id" in client.session and "otp_device_id" in client.session
    for pattern in all_patterns():
        if pattern.name == "login":
            continue
        url = sample_url(pattern)
        response = client.post(url, {"anything": "1"})
        assert response.status_code in {403, 405}, (pattern.name, url, response.status_code)
    assert "_auth_user_id" in client.session
