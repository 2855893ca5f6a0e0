"""A real headless Chromium against pytest-django's live server.

Pages are loaded the way a user loads them: log in through the form, then navigate. Each
page records console errors, uncaught exceptions and Content-Security-Policy violations,
which the tests assert are empty; ``axe_violations`` runs axe-core (served by the app's
own static files, so the CSP allows it) at the WCAG 2.2 AA level.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; the live server's database
# calls from test code are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("MSOIC_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VENDOR = Path(__file__).resolve().parents[2] / "src" / "msoic" / "static" / "vendor"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# Recorded in every page before its own scripts run.
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber);
});
"""


@pytest.fixture(autouse=True)
def reference_orgunits(transactional_db: None) -> None:
    """The nation, regions, forces and partners, as the migration loads them.

    Browser tests are transactional (the live server reads what they commit), so the
    database is flushed after each one, taking the migration's reference data with it.
    Loading it again (idempotently) keeps these tests independent of serialized rollback.
    """
    from msoic.orgunits.models import OrgUnit
    from msoic.orgunits.reference import load_reference_orgunits

    load_reference_orgunits(OrgUnit)


_SHARED: dict[str, Any] = {}


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One Chromium for the whole run.

    Other test packages import this fixture into their own conftest; each import is a
    separate fixture, but there can be only one Playwright per thread (a second one finds
    the first one's event loop running), so they all share the instance started first,
    and the fixture that started it stops it at the end of the session."""
    if "browser" in _SHARED:
        yield _SHARED["browser"]
        return
    from playwright.sync_api import sync_playwright

    missing = [
        n
        for n in (
            "vega.min.js",
            "vega-lite.min.js",
            "vega-embed.min.js",
            "axe.min.js",
            "govuk-frontend.min.css",
        )
        if not (VENDOR / n).exists()
    ]
    if missing:
        pytest.fail(f"front-end files missing from {VENDOR}: {missing}; run `make assets`")
    from django.db import connections

    # Starting Playwright's sync API leaves this thread in another contextvars context, in
    # which asgiref's Local (behind django.db.connections) is empty, so Django would hand
    # out fresh connection wrappers: ones without the test database's serialized contents
    # (breaking serialized_rollback for later tests). Put the wrappers back.
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"no Chromium at {CHROMIUM}: install Debian's chromium package (apt-get install "
            "chromium) or set MSOIC_CHROMIUM to its path; the browser tests never download one",
            pytrace=False,
        )
    wrappers = {alias: connections[alias] for alias in connections}
    playwright = sync_playwright().start()
    for alias, wrapper in wrappers.items():
        connections[alias] = wrapper
    _SHARED["browser"] = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        yield _SHARED["browser"]
    finally:
        _SHARED.pop("browser").close()
        playwright.stop()


@dataclass
class Watched:
    """A page and what went wrong on it."""

    page: Any
    errors: list[str] = field(default_factory=list)

    def csp_violations(self) -> list[str]:
        return list(self.page.evaluate("window.__cspViolations || []"))

    def problems(self) -> list[str]:
        return self.errors + [f"CSP: {v}" for v in self.csp_violations()]


@pytest.fixture
def watched(browser: Any) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    w = Watched(page)
    page.on(
        "console",
        lambda m: w.errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: w.errors.append(f"page error: {e}"))
    page.on(
        "response",
        lambda r: w.errors.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None,
    )
    yield w
    context.close()


def log_in(page: Any, base_url: str, username: str, password: str) -> None:
    """The password, then the security code from the user's authenticator (set up on the
    enrolment page, as a new user does, if they have none yet)."""
    from django.contrib.auth import get_user_model

    from tests.auth_helpers import authenticator, totp_code

    page.goto(f"{base_url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: not url.endswith("/login/"))
    if "/login/enrol/" in page.url:
        secret = (page.locator("#totp-secret").text_content() or "").strip()
        key = base64.b32decode(secret + "=" * (-len(secret) % 8))
        page.get_by_label("Security code from the app").fill(totp_code(key))
        page.get_by_role("button", name="Confirm").click()
        page.get_by_role("link", name="Continue").click()
    elif "/login/verify/" in page.url:
        device = authenticator(get_user_model().objects.get(username=username))
        page.get_by_label("Security code").fill(totp_code(device.bin_key))
        page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def wait_for_charts(page: Any) -> int:
    """Wait until every chart container is drawn (or failed); return how many were drawn."""
    total = page.locator("[data-vega-spec]").count()
    page.wait_for_function(
        "n => document.querySelectorAll('.msoic-chart__canvas--drawn, .msoic-chart__canvas--failed').length >= n",
        arg=total,
        timeout=30_000,
    )
    return page.locator(".msoic-chart__canvas--drawn svg").count()


def axe_violations(page: Any, base_url: str) -> list[dict[str, Any]]:
    """axe-core's violations at WCAG 2.2 AA, with every details element opened first."""
    # A click that navigates returns before the new document exists; wait for it to load
    # (and once more if the script tag lands while a document is still being replaced).
    for attempt in range(3):
        page.wait_for_load_state("load")
        try:
            page.add_script_tag(url=f"{base_url}/static/vendor/axe.min.js")
            break
        except Exception:
            if attempt == 2:
                raise
            page.wait_for_timeout(200)
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    result = page.evaluate(
        """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})
             .then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary)})))""",
        AXE_TAGS,
    )
    return list(result)
