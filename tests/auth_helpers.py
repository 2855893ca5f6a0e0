"""Logging test clients in with both factors, and TOTP codes computed the way an
authenticator app does (RFC 6238, with the standard library only)."""

from __future__ import annotations

import hashlib
import hmac
import struct
import time
from typing import Any

import django_otp
from django.http import HttpRequest
from django.test import Client

from msoic.accounts.mfa import VERIFIED_USER_KEY

_PLAIN_FORCE_LOGIN = Client.force_login
_PLAIN_LOGIN = Client.login


def totp_code(key: bytes, *, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    counter = int((time.time() if at is None else at) // step)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def authenticator(user: Any) -> Any:
    """The user's confirmed TOTP device (enrolled now if they have none), ready to accept the
    current code again (a real app's code is accepted once per 30 seconds; tests log the
    same persona in more often than that)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test authenticator", confirmed=True)
    if device.last_t != -1 or device.throttling_failure_count:
        device.last_t = -1
        device.throttling_failure_count = 0
        device.save(update_fields=["last_t", "throttling_failure_count"])
    return device


def current_code(user: Any) -> str:
    return totp_code(authenticator(user).bin_key)


def login_password_only(client: Client, user: Any) -> None:
    """A session that has passed the password step only (what the login form gives before
    the second factor)."""
    _PLAIN_FORCE_LOGIN(client, user)


def force_login_with_second_factor(client: Client, user: Any, backend: str | None = None) -> None:
    """``Client.force_login`` in the test suite: logged in with both factors, as after the
    verification page (django-otp's ``login`` with the user's authenticator)."""
    _PLAIN_FORCE_LOGIN(client, user, backend)
    _pass_second_factor(client, user)


def _pass_second_factor(client: Client, user: Any) -> None:
    request = HttpRequest()
    request.session = client.session
    request.user = user
    django_otp.login(request, authenticator(user))
    request.session[VERIFIED_USER_KEY] = user.pk
    request.session.save()


def login_with_second_factor(client: Client, **credentials: Any) -> bool:
    """``Client.login`` in the test suite: the password is checked as before, then the
    session passes the second factor as ``force_login_with_second_factor`` does."""
    if not _PLAIN_LOGIN(client, **credentials):
        return False
    from django.contrib.auth import get_user_model

    _pass_second_factor(client, get_user_model().objects.get(pk=client.session["_auth_user_id"]))
    return True


def log_in_through_the_forms(client: Client, user: Any, password: str, **extra: Any) -> Any:
    """The password page, then the security code page, as a person does; the last response."""
    code = current_code(user)
    response = client.post("/login/", {"username": user.username, "password": password}, **extra)
    assert response.status_code == 302, f"password step: {response.status_code}"
    assert response["Location"].startswith("/login/verify/"), response["Location"]
    return client.post(response["Location"], {"code": code}, **extra)
