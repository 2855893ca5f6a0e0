"""Logging in and out: no open redirect, logout only by POST, the home page sends people on."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.auth_helpers import current_code
from tests.conftest import PERSONA_PASSWORD


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/path", "http:/\\evil.example"]
)
def test_login_never_redirects_off_site(kent_user, target):
    response = Client().post(
        f"/login/?next={target}",
        {"username": "kent.user", "password": PERSONA_PASSWORD, "next": target},
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_login_follows_a_local_next_through_the_second_factor(kent_user):
    client = Client()
    code = current_code(kent_user)
    response = client.post(
        "/login/", {"username": "kent.user", "password": PERSONA_PASSWORD, "next": "/api/v1/docs/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/login/verify/?next=%2Fapi%2Fv1%2Fdocs%2F"
    done = client.post("/login/verify/", {"code": code, "next": "/api/v1/docs/"})
    assert done.status_code == 302 and done["Location"] == "/api/v1/docs/"


def test_a_partner_without_a_second_factor_goes_straight_to_next(partner_user):
    response = Client().post(
        "/login/",
        {"username": "nca.partner", "password": PERSONA_PASSWORD, "next": "/api/v1/docs/"},
    )
    assert response.status_code == 302 and response["Location"] == "/api/v1/docs/"


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/path", "http:/\\evil.example"]
)
def test_the_second_factor_step_never_redirects_off_site(kent_user, target):
    client = Client()
    code = current_code(kent_user)
    client.post("/login/", {"username": "kent.user", "password": PERSONA_PASSWORD})
    response = client.post(f"/login/verify/?next={target}", {"code": code, "next": target})
    assert response.status_code == 302 and "evil.example" not in response["Location"]


def test_wrong_password_says_so_without_saying_which_part(kent_user):
    response = Client().post("/login/", {"username": "kent.user", "password": "nope"})
    assert response.status_code == 200
    assert b"Enter a correct username and password" in response.content
    unknown = Client().post("/login/", {"username": "no.such.user", "password": "nope"})
    assert b"Enter a correct username and password" in unknown.content


def test_logout_is_post_only(kent_user):
    client = Client()
    client.force_login(kent_user)
    assert client.get("/logout/").status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post("/logout/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session


def test_home_sends_anonymous_users_to_login_and_shows_others_their_home(kent_user):
    assert Client().get("/")["Location"] == "/login/"
    client = Client()
    client.force_login(kent_user)
    home = client.get("/")
    assert home.status_code == 200 and b"/dashboards/ms/?orgunit=kent" in home.content


def test_inactive_user_cannot_log_in(kent_user):
    kent_user.is_active = False
    kent_user.save()
    response = Client().post("/login/", {"username": "kent.user", "password": PERSONA_PASSWORD})
    assert response.status_code == 200
