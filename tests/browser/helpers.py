"""What the browser tests share: logging in, waiting for charts, axe-core, and what went
wrong on a page. The fixtures that start Chromium and open watched pages are in
:mod:`tests.browser.fixtures` (registered for every test package by tests/conftest.py).

Pages are loaded the way a user loads them: log in through the form, then navigate. Each
page records console errors, uncaught exceptions and Content-Security-Policy violations,
which the tests assert are empty; ``axe_violations`` runs axe-core (served by the app's
own static files, so the CSP allows it) at the WCAG 2.2 AA level.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.conftest import PERSONA_PASSWORD

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


@dataclass
class Watched:
    """A page and what went wrong on it."""

    page: Any
    errors: list[str] = field(default_factory=list)

    def csp_violations(self) -> list[str]:
        return list(self.page.evaluate("window.__cspViolations || []"))

    def problems(self) -> list[str]:
        return self.errors + [f"CSP: {v}" for v in self.csp_violations()]


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
        page.get_by_role("link", name="Continue", exact=True).click()
    elif "/login/verify/" in page.url:
        device = authenticator(get_user_model().objects.get(username=username))
        page.get_by_label("Security code").fill(totp_code(device.bin_key))
        page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def switch_user(page: Any, base_url: str, username: str) -> None:
    """Log out, then log in as a persona (all personas share ``PERSONA_PASSWORD``)."""
    page.get_by_role("button", name="Log out").click()
    log_in(page, base_url, username, PERSONA_PASSWORD)


def wait_for_charts(page: Any) -> int:
    """Wait until every chart container is drawn (or failed); return how many were drawn."""
    total = page.locator("[data-vega-spec]").count()
    page.wait_for_function(
        "n => document.querySelectorAll('.msoic-chart__canvas--drawn, .msoic-chart__canvas--failed').length >= n",
        arg=total,
        timeout=30_000,
    )
    return page.locator(".msoic-chart__canvas--drawn svg").count()


def axe_violations(page: Any, base_url: str | None) -> list[dict[str, Any]]:
    """axe-core's violations at WCAG 2.2 AA, with every details element opened first.
    axe-core comes from the live server at ``base_url``, or (None: a document set on a page
    with no server behind it) from the vendor folder itself."""
    script = (
        {"url": f"{base_url}/static/vendor/axe.min.js"}
        if base_url is not None
        else {"path": str(VENDOR / "axe.min.js")}
    )
    # A click that navigates returns before the new document exists; wait for it to load
    # (and once more if the script tag lands while a document is still being replaced).
    for attempt in range(3):
        page.wait_for_load_state("load")
        try:
            page.add_script_tag(**script)
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


def check_page(page: Any, base_url: str, watched: Watched) -> None:
    """The page passes axe-core at WCAG 2.2 AA, and nothing went wrong on it so far (no
    console error, uncaught exception, failed request or CSP violation)."""
    violations = axe_violations(page, base_url)
    assert violations == [], f"axe on {page.url}: {violations}"
    problems = watched.problems()
    assert problems == [], f"on {page.url}: {problems}"


def load_orgunits() -> None:
    """The nation, regions, forces and partners, as the migration loads them (idempotent)."""
    from msoic.orgunits.models import OrgUnit
    from msoic.orgunits.reference import load_reference_orgunits

    load_reference_orgunits(OrgUnit)
