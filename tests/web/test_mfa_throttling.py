"""Throttling the second-factor step without lockout (OWASP ASVS 5.0 V6.3, issue 9 §6).

Wrong codes count like wrong passwords: per (username, address) pair with doubling delays,
per address across usernames, and per user across addresses with a short fixed wait only.
django-otp's throttle per device is off, so an attacker who has the password cannot keep
the user out by entering wrong codes.

Personas: the *attacker* knows the Kent user's password and guesses codes from 10.4.4.6 (or
from many addresses); the *victim* is the Kent user, at 10.9.9.9 with their phone.
"""

from __future__ import annotations

from datetime import timedelta

from django.test import Client

from msoic.accounts.models import (
    LoginFailure,
    LoginStep,
    RecoveryCode,
    RecoveryCodeDevice,
    hash_recovery_code,
)
from msoic.audit.models import AuditAction, AuditEvent
from tests.auth_helpers import current_code
from tests.conftest import PERSONA_PASSWORD

ATTACKER = "10.4.4.6"
VICTIM = "10.9.9.9"
WRONG = "000000"


def at_code_step(address: str) -> Client:
    """A client from ``address`` that has passed the password step as the Kent user."""
    client = Client(REMOTE_ADDR=address)
    response = client.post("/login/", {"username": "kent.user", "password": PERSONA_PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith("/login/verify/")
    return client


def enter(client: Client, code: str):
    return client.post("/login/verify/", {"code": code, "next": "/returns/"})


def age_code_failures(seconds: int) -> None:
    for failure in LoginFailure.objects.filter(step=LoginStep.CODE):
        failure.at -= timedelta(seconds=seconds)
        failure.save(update_fields=["at"])


def recovery_codes(user, *codes: str) -> None:
    device = RecoveryCodeDevice.objects.create(user=user, name="recovery codes")
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=device, code_hash=hash_recovery_code(c)) for c in codes
    )


def failed_code_rows() -> int:
    return AuditEvent.objects.filter(
        action=AuditAction.MFA, detail__step="verification failed"
    ).count()


def test_the_testers_attack_does_not_stop_the_victims_valid_code(kent_user):
    code = current_code(kent_user)
    attacker = at_code_step(ATTACKER)
    for _ in range(8):
        enter(attacker, WRONG)
    victim = at_code_step(VICTIM)
    done = enter(victim, code)
    assert done.status_code == 302 and done["Location"] == "/returns/"
    assert victim.get("/returns/").status_code == 200
    assert failed_code_rows() == 5  # the attacker's checked codes stay in the audit log


def test_the_attackers_own_pair_waits_and_the_wait_doubles(kent_user):
    code = current_code(kent_user)
    attacker = at_code_step(ATTACKER)
    for _ in range(5):
        assert enter(attacker, WRONG).status_code == 400
    refused = enter(attacker, code)  # even the right code is not checked while waiting
    assert refused.status_code == 429 and 25 <= int(refused["Retry-After"]) <= 30
    assert b"Too many wrong codes" in refused.content
    assert attacker.get("/returns/")["Location"].startswith("/login/verify/")
    age_code_failures(31)
    assert enter(attacker, WRONG).status_code == 400
    again = enter(attacker, WRONG)
    assert again.status_code == 429 and 55 <= int(again["Retry-After"]) <= 60
    assert failed_code_rows() == 6  # refusals while waiting are not checked, so not audited


def test_wrong_codes_and_passwords_share_the_addresss_ceiling(kent_user, essex_user, settings):
    per_address = settings.MSOIC_LOGIN_MAX_FAILURES * settings.MSOIC_LOGIN_ADDRESS_FACTOR
    current_code(kent_user)
    attacker = at_code_step(ATTACKER)
    for _ in range(4):
        enter(attacker, WRONG)
    for i in range(per_address - 4):
        Client(REMOTE_ADDR=ATTACKER).post("/login/", {"username": f"u{i}", "password": "x"})
    blocked = Client(REMOTE_ADDR=ATTACKER).post(
        "/login/", {"username": "essex.user", "password": PERSONA_PASSWORD}
    )
    assert blocked.status_code == 429
    # One failure fewer and the address is not blocked: the four wrong codes counted.
    LoginFailure.objects.filter(step=LoginStep.CODE).first().delete()
    assert (
        Client(REMOTE_ADDR=ATTACKER)
        .post("/login/", {"username": "essex.user", "password": PERSONA_PASSWORD})
        .status_code
        == 302
    )


def test_a_guesser_spread_over_many_addresses_is_slowed_for_at_most_a_minute(kent_user, settings):
    assert settings.MSOIC_MFA_USER_MAX_FAILURES == 10
    assert settings.MSOIC_MFA_USER_DELAY_SECONDS == 60
    code = current_code(kent_user)
    for i in range(10):  # a botnet: one wrong code from each of ten addresses
        assert enter(at_code_step(f"10.4.5.{i + 1}"), WRONG).status_code == 400
    victim = at_code_step(VICTIM)
    slowed = enter(victim, code)
    assert slowed.status_code == 429 and 1 <= int(slowed["Retry-After"]) <= 60
    assert b"Wait 1 minute " in slowed.content
    # Many more wrong codes do not make the wait longer than the minute.
    LoginFailure.objects.bulk_create(
        LoginFailure(username="kent.user", address=f"10.4.6.{i}", step=LoginStep.CODE)
        for i in range(200)
    )
    assert int(enter(victim, code)["Retry-After"]) <= 60
    age_code_failures(61)
    done = enter(victim, code)
    assert done.status_code == 302 and done["Location"] == "/returns/"


def test_the_per_user_cap_counts_codes_only_not_the_users_wrong_passwords(kent_user):
    code = current_code(kent_user)
    for i in range(12):
        Client(REMOTE_ADDR=f"10.4.7.{i + 1}").post(
            "/login/", {"username": "kent.user", "password": "guess"}
        )
    assert enter(at_code_step(VICTIM), code).status_code == 302


def test_a_recovery_code_works_from_another_address_after_the_attackers_wrong_ones(kent_user):
    current_code(kent_user)
    recovery_codes(kent_user, "ABCD-EFGH-JKLM-NPQR-STUV-WXYZ", "2345-6789-ABCD-EFGH-JKLM-NPQR")
    attacker = at_code_step(ATTACKER)
    for _ in range(8):
        enter(attacker, "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ")
    assert enter(attacker, "2345-6789-ABCD-EFGH-JKLM-NPQR").status_code == 429
    victim = at_code_step(VICTIM)
    done = enter(victim, "abcd-efgh-jklm-npqr-stuv-wxyz")
    assert done.status_code == 302 and done["Location"] == "/returns/"
    assert RecoveryCode.objects.filter(device__user=kent_user).count() == 1
    assert AuditEvent.objects.filter(detail__step="recovery code used").count() == 1
