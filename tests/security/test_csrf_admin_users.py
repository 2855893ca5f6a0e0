"""CSRF on user management: an administrator's session cookie alone changes no account;
the same POSTs with the page's token do. (The pattern of tests/security/test_csrf.py, on a
real account rather than a made-up URL.)"""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from msoic.accounts.models import ApiToken
from msoic.audit.models import AuditEvent
from tests.auth_helpers import force_login_with_second_factor
from tests.security.test_csrf import csrf_from

pytestmark = pytest.mark.django_db


def test_user_changes_need_the_csrf_token(admin_user, kent_user):
    token, _ = ApiToken.issue(kent_user)
    TOTPDevice.objects.create(user=kent_user, name="phone", confirmed=True)
    client = Client(enforce_csrf_checks=True)
    force_login_with_second_factor(client, admin_user)
    base = f"/admin-users/{kent_user.pk}"
    posts = {
        "/admin-users/new/": {
            "username": "forged.user",
            "first_name": "F",
            "last_name": "U",
            "role": "national",
        },
        f"{base}/role/": {"role": "partner", "orgunit": "nca"},
        f"{base}/active/": {"active": "0", "reason": "forged"},
        f"{base}/mfa-reset/": {"mfa-reason": "forged"},
        f"{base}/set-password-link/": {},
        f"{base}/tokens/{token.pk}/revoke/": {f"revoke-{token.pk}-reason": "forged"},
    }
    rows = AuditEvent.objects.count()
    for url, data in posts.items():
        assert client.post(url, data).status_code == 403, url
    kent_user.refresh_from_db()
    token.refresh_from_db()
    assert kent_user.is_active and kent_user.role == "force" and not token.revoked
    assert TOTPDevice.objects.filter(user=kent_user).exists()
    assert AuditEvent.objects.count() == rows

    page = client.get(f"{base}/").content.decode()
    csrf = csrf_from(page)
    response = client.post(
        f"{base}/active/", {"active": "0", "reason": "left", "csrfmiddlewaretoken": csrf}
    )
    assert response.status_code == 302
    kent_user.refresh_from_db()
    assert not kent_user.is_active
