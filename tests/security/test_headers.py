"""Security headers on every response: CSP without inline script, framing denied, nosniff,
Referrer-Policy, Cross-Origin-Opener-Policy; and templates that need no inline script or style."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from msoic.accounts.models import ApiToken
from tests.conftest import PERSONA_PASSWORD
from tests.security.urlconf import all_patterns, sample_url

SRC = Path(__file__).resolve().parents[2] / "src" / "msoic"


def csp_directives(response) -> dict[str, list[str]]:
    out = {}
    for part in response["Content-Security-Policy"].split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def assert_secure_headers(response, where: str) -> None:
    csp = csp_directives(response)
    scripts = csp.get("script-src", csp.get("default-src"))
    assert scripts == ["'self'"], (where, scripts)
    assert "'unsafe-inline'" not in response["Content-Security-Policy"], where
    assert "'unsafe-eval'" not in response["Content-Security-Policy"], where
    assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"], where
    assert csp["base-uri"] == ["'none'"], where
    assert response["X-Frame-Options"] == "DENY", where
    assert response["X-Content-Type-Options"] == "nosniff", where
    assert response["Referrer-Policy"] == "same-origin", where
    assert response["Cross-Origin-Opener-Policy"] == "same-origin", where


@pytest.mark.django_db
def test_every_url_sends_the_headers_to_anonymous_callers():
    client = Client()
    for pattern in all_patterns():
        url = sample_url(pattern)
        assert_secure_headers(client.get(url), f"anonymous GET {url}")
    assert_secure_headers(client.get("/no-such-page/"), "404")


@pytest.mark.django_db
def test_every_url_sends_the_headers_to_logged_in_users(national_analyst, kent_user):
    for username in ("national.analyst", "kent.user"):
        client = Client()
        assert client.login(username=username, password=PERSONA_PASSWORD)
        for pattern in all_patterns():
            if pattern.name == "logout":
                continue
            url = sample_url(pattern)
            response = client.get(url)
            assert_secure_headers(response, f"{username} GET {url} ({response.status_code})")
            assert "no-store" in response["Cache-Control"], url


def test_api_errors_and_throttled_logins_send_the_headers(kent_user):
    _, raw = ApiToken.issue(kent_user)
    assert_secure_headers(
        Client(HTTP_AUTHORIZATION="Bearer nope").get("/api/v1/metrics"), "bad token"
    )
    assert_secure_headers(
        Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/values"), "api 400"
    )
    client = Client()
    for _ in range(6):
        response = client.post("/login/", {"username": "kent.user", "password": "wrong"})
    assert response.status_code == 429
    assert_secure_headers(response, "429")


# Self-contained documents the product writes as files (a report's HTML output, also the
# source of its PDF): never served as a page of the site, so their CSS is inside them.
STANDALONE_DOCUMENTS = {"reports/templates/reports/document.html"}


def template_files() -> list[Path]:
    return sorted(
        p
        for p in SRC.rglob("*.html")
        if "templates" in p.parts and str(p.relative_to(SRC)) not in STANDALONE_DOCUMENTS
    )


def test_there_are_templates_to_check():
    assert len(template_files()) >= 3


@pytest.mark.parametrize("path", template_files(), ids=lambda p: str(p.relative_to(SRC)))
def test_templates_have_no_inline_script_style_or_handlers(path):
    """The CSP would block them in the browser; catch them here with the file named."""
    html = path.read_text(encoding="utf-8")
    for tag in re.findall(r"<script\b[^>]*>", html, flags=re.IGNORECASE):
        assert "src=" in tag or 'type="application/json"' in tag, f"inline script {tag}"
    assert not re.search(r"<style\b", html, flags=re.IGNORECASE), "inline <style> block"
    assert not re.search(r"\sstyle=", html, flags=re.IGNORECASE), "style= attribute"
    assert not re.search(r"\son[a-z]+\s*=", html, flags=re.IGNORECASE), "inline event handler"
    assert not re.search(r"(src|href)=\"(https?:)?//", html), "asset from another host"
    assert "javascript:" not in html.lower()
