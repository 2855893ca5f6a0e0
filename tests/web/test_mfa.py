"""The second factor: enrolment with a QR code, recovery codes shown once and kept hashed,
the code step after the password, resets by an administrator, and the audit rows of it all.

Personas: the Kent user enrols and logs in; the administrator resets a lost phone.
"""

from __future__ import annotations

import base64
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from msoic.accounts.checks import mfa_never_off_in_production, mfa_on_in_deployment
from msoic.accounts.models import LoginFailure, LoginStep, RecoveryCode, hash_recovery_code
from msoic.audit.models import AuditAction, AuditEvent
from tests.auth_helpers import current_code, log_in_through_the_forms, totp_code
from tests.conftest import PERSONA_PASSWORD


def mfa_events(user) -> list[str]:
    rows = AuditEvent.objects.filter(action=AuditAction.MFA, object_id=str(user.pk))
    return [r.detail["step"] for r in rows.order_by("seq")]


def password_step(client: Client, username: str = "kent.user", **extra) -> str:
    response = client.post("/login/", {"username": username, "password": PERSONA_PASSWORD}, **extra)
    assert response.status_code == 302
    return response["Location"]


def enrol(client: Client) -> list[str]:
    """From a password-only session: read the secret off the enrolment page, confirm with
    the code an app would show; the recovery codes shown."""
    page = client.get("/login/enrol/")
    secret = re.search(rb'id="totp-secret">([A-Z2-7]+)<', page.content).group(1).decode()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    done = client.post("/login/enrol/", {"code": totp_code(key)})
    assert done.status_code == 200, done.content
    return re.findall(r"<code>([A-Z0-9-]{29})</code>", done.content.decode())


def test_enrolment_shows_a_qr_code_inline_and_the_key_to_type(kent_user, client):
    assert password_step(client).startswith("/login/enrol/")
    page = client.get("/login/enrol/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and "<path" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # no inline script (CSP)
    assert " style=" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert re.search(r'id="totp-secret">[A-Z2-7]{32}<', html)
    # The page is the enrolment page until a code confirms it: nothing else opens.
    assert client.get("/returns/")["Location"].startswith("/login/enrol/")


def test_a_wrong_code_does_not_enrol(kent_user, client):
    password_step(client)
    client.get("/login/enrol/")
    response = client.post("/login/enrol/", {"code": "000000"})
    assert response.status_code == 400
    assert b"The code does not match" in response.content
    assert not TOTPDevice.objects.filter(user=kent_user, confirmed=True).exists()
    assert client.get("/returns/")["Location"].startswith("/login/enrol/")
    assert mfa_events(kent_user) == ["enrolment code wrong"]


def test_enrolling_logs_in_and_shows_ten_recovery_codes_once_kept_only_hashed(kent_user, client):
    password_step(client)
    codes = enrol(client)
    assert len(codes) == len(set(codes)) == 10
    assert client.get("/returns/").status_code == 200
    stored = set(
        RecoveryCode.objects.filter(device__user=kent_user).values_list("code_hash", flat=True)
    )
    assert stored == {hash_recovery_code(c) for c in codes}
    assert not any(c in stored or c.replace("-", "") in stored for c in codes)
    # Enrolment again shows no codes: a verified user is sent on, not to a new secret.
    assert mfa_events(kent_user) == ["enrolled"]
    login = AuditEvent.objects.filter(action="login", actor=kent_user).get()
    assert login.detail["second_factor"] == "totp (enrolled)"


def test_the_next_login_asks_for_the_code_and_accepts_the_apps_code(kent_user):
    code = current_code(kent_user)
    client = Client()
    assert password_step(client).startswith("/login/verify/")
    page = client.get("/login/verify/")
    assert page.status_code == 200 and b"Enter your security code" in page.content
    assert client.post("/login/verify/", {"code": code}).status_code == 302
    assert client.get("/returns/").status_code == 200
    assert "verified" in mfa_events(kent_user)


def test_a_wrong_code_is_refused_audited_and_slows_down_the_next_tries(kent_user, client):
    device = TOTPDevice.objects.get(
        pk=current_code(kent_user) and kent_user.totpdevice_set.get().pk
    )
    password_step(client)
    refused = client.post("/login/verify/", {"code": "123456"})
    assert refused.status_code == 400 and b"The code is wrong" in refused.content
    assert client.get("/returns/")["Location"].startswith("/login/verify/")
    assert mfa_events(kent_user) == ["verification failed"]
    # No throttle on the device itself (anyone with the password could lock the user out
    # with one): the wrong code counts against this (username, address) pair, like a wrong
    # password, so the right code a moment later is accepted.
    assert LoginFailure.objects.filter(username="kent.user", step=LoginStep.CODE).count() == 1
    for _ in range(4):
        assert client.post("/login/verify/", {"code": "123456"}).status_code == 400
    slowed = client.post("/login/verify/", {"code": totp_code(device.bin_key)})
    assert slowed.status_code == 429 and b"Too many wrong codes" in slowed.content
    assert client.get("/returns/")["Location"].startswith("/login/verify/")
    # Four wrong codes are free: the right one after them is accepted at once.
    LoginFailure.objects.filter(step=LoginStep.CODE).order_by("at").first().delete()
    assert client.post("/login/verify/", {"code": totp_code(device.bin_key)}).status_code == 302
    assert not LoginFailure.objects.filter(step=LoginStep.CODE).exists()  # success clears the pair


def test_a_recovery_code_logs_in_once(kent_user, client):
    password_step(client)
    codes = enrol(client)
    client.post("/logout/")
    first = Client()
    password_step(first)
    assert first.post("/login/verify/", {"code": codes[3].lower()}).status_code == 302
    assert first.get("/returns/").status_code == 200
    again = Client()
    password_step(again)
    assert again.post("/login/verify/", {"code": codes[3]}).status_code == 400
    events = mfa_events(kent_user)
    assert "recovery code used" in events
    used = AuditEvent.objects.filter(detail__step="recovery code used").get()
    assert used.detail["recovery_codes_left"] == 9
    assert RecoveryCode.objects.filter(device__user=kent_user).count() == 9


def test_an_enrolled_user_cannot_replace_the_factor_without_giving_the_code(kent_user, client):
    current_code(kent_user)
    password_step(client)
    response = client.get("/login/enrol/")
    assert response.status_code == 302 and response["Location"].startswith("/login/verify/")


def test_the_steps_need_the_password_first(db, client):
    assert client.get("/login/verify/")["Location"] == "/login/"
    assert client.get("/login/enrol/")["Location"] == "/login/"


def test_an_administrator_resets_a_lost_phone_and_ends_the_sessions(kent_user, admin_user, capsys):
    client = Client()
    log_in_through_the_forms(client, kent_user, PERSONA_PASSWORD)
    assert client.get("/returns/").status_code == 200
    call_command("mfa", "reset", "kent.user", "--by", "admin.user", "--reason", "phone lost")
    assert "reset kent.user" in capsys.readouterr().out
    assert not TOTPDevice.objects.filter(user=kent_user).exists()
    assert client.get("/returns/")["Location"].startswith("/login/")  # logged out
    row = AuditEvent.objects.get(action=AuditAction.MFA, detail__step="reset")
    assert (
        row.actor == admin_user and row.justification == "" and row.detail["reason"] == "phone lost"
    )
    assert row.detail["sessions_ended"] == 1 and row.detail["devices_removed"] >= 1
    assert password_step(Client()).startswith("/login/enrol/")


@pytest.mark.parametrize("by", ["essex.user", "nobody"])
def test_only_an_administrator_resets_a_second_factor(kent_user, essex_user, by):
    current_code(kent_user)
    with pytest.raises(CommandError, match="not an active administrator"):
        call_command("mfa", "reset", "kent.user", "--by", by, "--reason", "x")
    assert TOTPDevice.objects.filter(user=kent_user).exists()


def test_a_reset_needs_a_reason(kent_user, admin_user):
    with pytest.raises(CommandError, match="say why"):
        call_command("mfa", "reset", "kent.user", "--by", "admin.user", "--reason", " ")


def test_mfa_status_lists_who_still_has_to_enrol(kent_user, essex_user, partner_user, capsys):
    current_code(kent_user)
    call_command("mfa", "status")
    out = capsys.readouterr().out
    assert re.search(r"kent.user .* enrolled", out)
    assert re.search(r"essex.user .* NOT ENROLLED \(required\)", out)
    assert re.search(r"nca.partner .* not enrolled$", out, re.M)


def test_logout_writes_an_audit_row(kent_user, client):
    client.force_login(kent_user)
    client.post("/logout/", REMOTE_ADDR="198.51.100.7")
    row = AuditEvent.objects.get(action=AuditAction.LOGOUT)
    assert row.actor == kent_user and row.detail == {
        "step": "logged out",
        "address": "198.51.100.7",
    }


def test_a_partner_may_enrol_and_then_must_give_the_code(partner_user):
    client = Client()
    password_step(client, "nca.partner")
    assert client.get("/").status_code == 200  # in, without a second factor
    codes = enrol(client)
    assert len(codes) == 10
    later = Client()
    assert password_step(later, "nca.partner").startswith("/login/verify/")


def test_check_deploy_refuses_the_demo_switch(settings):
    settings.MSOIC_MFA_DEMO_OFF = False
    assert mfa_on_in_deployment() == []
    settings.MSOIC_MFA_DEMO_OFF = True
    assert [e.id for e in mfa_on_in_deployment()] == ["msoic.E101"]
    with pytest.raises(SystemCheckError, match="MSOIC_MFA_DEMO_OFF"):
        call_command("check", "--deploy", "--tag", "security")
    settings.PRODUCTION = True
    assert [e.id for e in mfa_never_off_in_production()] == ["msoic.E102"]
