"""The login steps in a real browser: the enrolment page (QR code drawn as inline SVG), the
recovery codes and the security-code page, with no CSP violation, no error and no WCAG 2.2
AA violation (axe-core). Persona: the Kent user, logging in for the first time."""

from __future__ import annotations

import base64

import pytest

from tests.auth_helpers import authenticator, totp_code
from tests.browser.conftest import axe_violations
from tests.conftest import PERSONA_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def password(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PERSONA_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: not url.endswith("/login/"))


def test_first_login_enrols_then_the_next_asks_for_the_code(live_server, watched, kent_user):
    page, base = watched.page, live_server.url
    password(page, base, "kent.user")
    assert "/login/enrol/" in page.url
    qr = page.get_by_role("img", name="QR code to scan with your authenticator app")
    assert qr.locator("svg path").count() == 1 and qr.bounding_box()["width"] >= 200
    assert axe_violations(page, base) == []
    secret = (page.locator("#totp-secret").text_content() or "").strip()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.get_by_label("Security code from the app").fill(totp_code(key))
    page.get_by_role("button", name="Confirm").click()
    assert page.get_by_role("heading", name="Authenticator app set up").is_visible()
    assert page.locator("#recovery-codes li").count() == 10
    assert axe_violations(page, base) == []
    page.get_by_role("link", name="Continue", exact=True).click()
    page.wait_for_url(f"{base}/")  # the home page

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(lambda url: url.endswith("/login/"))
    password(page, base, "kent.user")
    assert "/login/verify/" in page.url
    assert axe_violations(page, base) == []
    device = authenticator(kent_user)
    page.get_by_label("Security code").fill(totp_code(device.bin_key))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{base}/")  # the home page
    assert watched.problems() == []
