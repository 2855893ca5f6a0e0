"""Login throttling: keyed on the username and, separately, on the caller's address."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.signals import user_login_failed
from django.test import Client
from django.utils import timezone

from msoic.accounts.models import LoginFailure
from msoic.web.views import client_address
from tests.conftest import PERSONA_PASSWORD

LOGIN = "/login/"


def attempt(client: Client, username: str, password: str, address: str = "198.51.100.7", **extra):
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address, **extra
    )


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_right_password_logs_in(kent_user, client):
    response = attempt(client, "kent.user", PERSONA_PASSWORD)
    assert response.status_code == 302 and logged_in(client)


def test_five_failures_block_the_username_even_with_the_right_password(kent_user, client, settings):
    assert settings.MSOIC_LOGIN_MAX_FAILURES == 5
    for _ in range(5):
        assert attempt(client, "kent.user", "wrong-password").status_code == 200
    response = attempt(client, "kent.user", PERSONA_PASSWORD)
    assert response.status_code == 429
    assert int(response["Retry-After"]) == settings.MSOIC_LOGIN_WINDOW_SECONDS
    assert b"Too many failed attempts" in response.content
    assert not logged_in(client)


def test_four_failures_do_not_block(kent_user, client):
    for _ in range(4):
        attempt(client, "kent.user", "wrong-password")
    assert attempt(client, "kent.user", PERSONA_PASSWORD).status_code == 302


def test_username_block_holds_from_every_address(kent_user):
    for i in range(5):  # a guesser spreading attempts over five addresses
        attempt(Client(), "kent.user", "wrong-password", address=f"203.0.113.{i + 1}")
    client = Client()
    assert attempt(client, "kent.user", PERSONA_PASSWORD, address="192.0.2.200").status_code == 429
    assert not logged_in(client)


def test_username_is_counted_whatever_its_case(kent_user, client):
    for name in ["Kent.User", "KENT.USER", "kent.USER", " kent.user", "kent.User"]:
        attempt(client, name, "wrong-password")
    assert attempt(client, "kent.user", PERSONA_PASSWORD).status_code == 429


def test_many_failures_from_one_address_across_usernames_block_that_address(essex_user, settings):
    per_address = settings.MSOIC_LOGIN_MAX_FAILURES * settings.MSOIC_LOGIN_ADDRESS_FACTOR
    for i in range(per_address):  # one guess each at many usernames: no username reaches its limit
        attempt(Client(), f"someone{i}", "guess", address="198.51.100.66")
    blocked = Client()
    assert (
        attempt(blocked, "essex.user", PERSONA_PASSWORD, address="198.51.100.66").status_code == 429
    )
    assert not logged_in(blocked)
    other = Client()
    assert (
        attempt(other, "essex.user", PERSONA_PASSWORD, address="198.51.100.67").status_code == 302
    )


def test_a_blocked_attempt_does_not_check_the_password(kent_user, client):
    for _ in range(5):
        attempt(client, "kent.user", "wrong-password")
    checked = []

    def note(sender, credentials, **kwargs):
        checked.append(credentials.get("username"))

    user_login_failed.connect(note)
    try:
        assert attempt(client, "kent.user", "another-guess").status_code == 429
    finally:
        user_login_failed.disconnect(note)
    assert checked == []
    assert (
        LoginFailure.objects.filter(username="kent.user").count() == 5
    )  # blocked tries are not counted again


def test_failures_expire_after_the_window(kent_user, client, settings):
    for _ in range(5):
        attempt(client, "kent.user", "wrong-password")
    assert attempt(client, "kent.user", PERSONA_PASSWORD).status_code == 429
    LoginFailure.objects.update(
        at=timezone.now() - timedelta(seconds=settings.MSOIC_LOGIN_WINDOW_SECONDS + 1)
    )
    assert attempt(client, "kent.user", PERSONA_PASSWORD).status_code == 302


def test_success_clears_the_usernames_failures(kent_user, client):
    for _ in range(4):
        attempt(client, "kent.user", "wrong-password")
    assert attempt(client, "kent.user", PERSONA_PASSWORD).status_code == 302
    assert not LoginFailure.objects.filter(username="kent.user").exists()


def test_old_failures_are_pruned(kent_user, client, settings):
    LoginFailure.objects.create(
        username="old",
        address="192.0.2.1",
        at=timezone.now() - timedelta(seconds=3 * settings.MSOIC_LOGIN_WINDOW_SECONDS),
    )
    attempt(client, "kent.user", "wrong-password")
    assert not LoginFailure.objects.filter(username="old").exists()


@pytest.mark.parametrize(
    ("proxies", "forwarded", "remote", "expected"),
    [
        (
            0,
            "203.0.113.9",
            "10.0.0.2",
            "10.0.0.2",
        ),  # no proxy trusted: the header is the client's word
        (1, "203.0.113.9", "10.0.0.2", "203.0.113.9"),
        (
            1,
            "1.1.1.1, 203.0.113.9",
            "10.0.0.2",
            "203.0.113.9",
        ),  # the client's own prefix is ignored
        (2, "1.1.1.1, 203.0.113.9, 10.0.0.3", "10.0.0.2", "203.0.113.9"),
        (1, "", "10.0.0.2", "10.0.0.2"),
        (1, "not-an-address", "10.0.0.2", None),
    ],
)
def test_client_address_behind_trusted_proxies(rf, settings, proxies, forwarded, remote, expected):
    settings.MSOIC_TRUSTED_PROXIES = proxies
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_spoofed_forwarded_for_does_not_escape_the_address_block(essex_user, settings):
    settings.MSOIC_TRUSTED_PROXIES = 1
    per_address = settings.MSOIC_LOGIN_MAX_FAILURES * settings.MSOIC_LOGIN_ADDRESS_FACTOR
    for i in range(per_address):
        attempt(
            Client(),
            f"someone{i}",
            "guess",
            address="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{i}, 198.51.100.66",
        )
    response = attempt(
        Client(),
        "essex.user",
        PERSONA_PASSWORD,
        address="10.0.0.2",
        HTTP_X_FORWARDED_FOR="192.0.2.250, 198.51.100.66",
    )
    assert response.status_code == 429
