"""Login throttling (OWASP ASVS 5.0 V6.3): per (username, address) pair with delays that
double, and a ceiling per address across usernames. No count per username alone: an
attacker's failures never lock the victim out from the victim's own address.

Personas: the *attacker* guesses from 203.0.113.66; the *victim* is the Kent user, who
logs in from 198.51.100.7 with the right password and the code from their app.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.signals import user_login_failed
from django.test import Client
from django.utils import timezone

from msoic.accounts.models import LoginFailure
from msoic.audit.models import AuditAction, AuditEvent
from msoic.web.views import client_address, pair_delay_seconds
from tests.auth_helpers import current_code
from tests.conftest import PERSONA_PASSWORD

LOGIN = "/login/"
ATTACKER = "203.0.113.66"
VICTIM = "198.51.100.7"


def attempt(client: Client, username: str, password: str, address: str = VICTIM, **extra):
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address, **extra
    )


def password_accepted(response) -> bool:
    """The password step passed: on to the second factor (or straight in)."""
    return response.status_code == 302 and response["Location"].startswith("/login/")


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def age_failures(seconds: int) -> None:
    """Move every recorded failure ``seconds`` into the past (instead of sleeping)."""
    for failure in LoginFailure.objects.all():
        failure.at -= timedelta(seconds=seconds)
        failure.save(update_fields=["at"])


@pytest.mark.parametrize(
    ("failures", "delay"),
    [(0, 0), (4, 0), (5, 30), (6, 60), (7, 120), (9, 480), (10, 900), (40, 900), (10_000, 900)],
)
def test_the_delay_doubles_after_the_free_tries_up_to_the_cap(settings, failures, delay):
    assert settings.MSOIC_LOGIN_MAX_FAILURES == 5
    assert settings.MSOIC_LOGIN_DELAY_SECONDS == 30
    assert settings.MSOIC_LOGIN_DELAY_CAP_SECONDS == 900
    assert pair_delay_seconds(failures) == delay


def test_right_password_leads_to_the_second_factor(kent_user, client):
    response = attempt(client, "kent.user", PERSONA_PASSWORD)
    assert password_accepted(response) and logged_in(client)


def test_four_failures_for_a_pair_do_not_slow_it_down(kent_user, client):
    for _ in range(4):
        assert attempt(client, "kent.user", "wrong-password").status_code == 200
    assert password_accepted(attempt(client, "kent.user", PERSONA_PASSWORD))


def test_the_attackers_fifth_failure_makes_the_pair_wait_and_the_wait_grows(kent_user):
    attacker = Client()
    for _ in range(5):
        assert attempt(attacker, "kent.user", "guess", address=ATTACKER).status_code == 200
    refused = attempt(attacker, "kent.user", PERSONA_PASSWORD, address=ATTACKER)
    assert refused.status_code == 429 and not logged_in(attacker)
    assert 25 <= int(refused["Retry-After"]) <= 30
    assert b"Too many failed attempts" in refused.content and b"Wait 1 minute " in refused.content
    age_failures(31)  # the first delay has passed: one more try, which fails
    assert attempt(attacker, "kent.user", "guess", address=ATTACKER).status_code == 200
    again = attempt(attacker, "kent.user", "guess", address=ATTACKER)
    assert again.status_code == 429 and 55 <= int(again["Retry-After"]) <= 60


def test_the_victim_from_their_own_address_is_not_locked_out_by_the_attacker(kent_user):
    code = current_code(kent_user)  # the victim's authenticator app
    for _ in range(15):  # below the attacker address's ceiling, far above the pair's free tries
        attempt(Client(), "kent.user", "guess", address=ATTACKER)
    assert attempt(Client(), "kent.user", PERSONA_PASSWORD, address=ATTACKER).status_code == 429
    victim = Client()
    response = attempt(victim, "kent.user", PERSONA_PASSWORD, address=VICTIM)
    assert response.status_code == 302 and response["Location"].startswith("/login/verify/")
    done = victim.post("/login/verify/", {"code": code, "next": "/"}, REMOTE_ADDR=VICTIM)
    assert done.status_code == 302 and done["Location"] == "/"
    assert victim.get("/").status_code == 200  # the home page, logged in


def test_failures_spread_over_many_addresses_lock_nobody_out(kent_user):
    for i in range(30):  # a botnet: one guess from each of thirty addresses
        attempt(Client(), "kent.user", "guess", address=f"203.0.113.{i + 1}")
    assert password_accepted(attempt(Client(), "kent.user", PERSONA_PASSWORD, address=VICTIM))


def test_the_pair_is_counted_whatever_the_usernames_case(kent_user):
    for name in ["Kent.User", "KENT.USER", "kent.USER", " kent.user", "kent.User"]:
        attempt(Client(), name, "guess", address=ATTACKER)
    assert attempt(Client(), "kent.user", PERSONA_PASSWORD, address=ATTACKER).status_code == 429


def test_many_failures_from_one_address_across_usernames_block_that_address(essex_user, settings):
    per_address = settings.MSOIC_LOGIN_MAX_FAILURES * settings.MSOIC_LOGIN_ADDRESS_FACTOR
    for i in range(per_address):  # one guess each at many usernames: no pair reaches its limit
        attempt(Client(), f"someone{i}", "guess", address=ATTACKER)
    blocked = Client()
    response = attempt(blocked, "essex.user", PERSONA_PASSWORD, address=ATTACKER)
    assert response.status_code == 429 and not logged_in(blocked)
    assert int(response["Retry-After"]) <= settings.MSOIC_LOGIN_WINDOW_SECONDS
    assert password_accepted(attempt(Client(), "essex.user", PERSONA_PASSWORD, address=VICTIM))


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
    assert LoginFailure.objects.filter(username="kent.user").count() == 5  # not counted again


def test_failures_expire_after_the_window(kent_user, client, settings):
    for _ in range(5):
        attempt(client, "kent.user", "wrong-password")
    assert attempt(client, "kent.user", PERSONA_PASSWORD).status_code == 429
    age_failures(settings.MSOIC_LOGIN_WINDOW_SECONDS + 1)
    assert password_accepted(attempt(client, "kent.user", PERSONA_PASSWORD))


def test_success_clears_the_pairs_failures_only(kent_user, client):
    for _ in range(4):
        attempt(client, "kent.user", "wrong-password")
    attempt(Client(), "kent.user", "guess", address=ATTACKER)
    assert password_accepted(attempt(client, "kent.user", PERSONA_PASSWORD))
    assert not LoginFailure.objects.filter(username="kent.user", address=VICTIM).exists()
    assert LoginFailure.objects.filter(username="kent.user", address=ATTACKER).count() == 1


def test_old_failures_are_pruned(kent_user, client, settings):
    LoginFailure.objects.create(
        username="old",
        address="192.0.2.1",
        at=timezone.now() - timedelta(seconds=3 * settings.MSOIC_LOGIN_WINDOW_SECONDS),
    )
    attempt(client, "kent.user", "wrong-password")
    assert not LoginFailure.objects.filter(username="old").exists()


def test_a_failed_login_writes_an_audit_row_with_the_username_and_address_not_the_password(
    kent_user,
):
    attempt(Client(), "kent.user", "Secret-guess-77", address=ATTACKER)
    row = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED, detail__step="login failed")
    assert row.detail["username"] == "kent.user" and row.detail["address"] == ATTACKER
    assert row.actor is None
    assert "Secret-guess-77" not in str(row.detail) + row.justification + row.object_id


@pytest.mark.parametrize(
    ("proxies", "forwarded", "remote", "expected"),
    [
        # no proxy trusted: the header is the client's word
        (0, "203.0.113.9", "10.0.0.2", "10.0.0.2"),
        (1, "203.0.113.9", "10.0.0.2", "203.0.113.9"),
        # the client's own prefix is ignored
        (1, "1.1.1.1, 203.0.113.9", "10.0.0.2", "203.0.113.9"),
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
