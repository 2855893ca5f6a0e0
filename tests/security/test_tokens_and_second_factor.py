"""Authentication classes across the whole URLconf (issue 9 §5 and §6).

- An API token is for ``/api/`` only: on every other URL it opens nothing (the caller is
  anonymous: login redirect or 401), however many scopes it has.
- On the API, each endpoint needs its scope: a token without it gets 403.
- A session that has passed the password but not the second factor reaches no URL but the
  login steps: every role, every URL, is sent to verification (or enrolment).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from msoic.accounts.models import ApiToken, TokenScope
from tests.auth_helpers import authenticator, login_password_only
from tests.conftest import csv_bytes
from tests.security.urlconf import all_patterns, sample_url

PUBLIC = {"login", "healthz", "set-password", "capability-survey-respond"}  # a set-password or
# survey link is its own credential (single use, no login)
LOGIN_STEPS = {"mfa-verify", "mfa-enrol", "logout"}
# Endpoints that need no scope: the API's description and its documentation page.
UNSCOPED_API = {"api-openapi", "api-docs"}


def is_api(pattern: Any) -> bool:
    return pattern.route.startswith("api/")


def call(client: Client, url: str, **extra: Any) -> Any:
    response = client.get(url, **extra)
    if response.status_code == 405:
        response = client.post(url, {"anything": "1"}, **extra)
    return response


def turned_away(response: Any) -> bool:
    return response.status_code == 401 or (
        response.status_code == 302
        and response["Location"].startswith("/login/?")
        or response.status_code == 302
        and response["Location"] == "/login/"
    )


@pytest.fixture
def full_token(national_analyst: Any) -> str:
    _, raw = ApiToken.issue(national_analyst, TokenScope.values)
    return raw


def test_a_token_opens_no_web_url(full_token):
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {full_token}"}
    # The same token does open the API (so the walk below can fail).
    assert Client().get("/api/v1/metrics", **bearer).status_code == 200
    failures = []
    walked = 0
    for pattern in all_patterns():
        if pattern.name in PUBLIC or is_api(pattern):
            continue
        walked += 1
        client = Client()
        url = sample_url(pattern)
        response = call(client, url, **bearer)
        if not turned_away(response):
            failures.append(f"{pattern.name} {url} -> {response.status_code}")
        if "_auth_user_id" in client.session:
            failures.append(f"{pattern.name} {url} left a logged-in session")
    assert walked > 50
    assert not failures, "\n".join(failures)


def test_a_token_never_turns_into_a_session(full_token):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {full_token}")
    assert client.get("/api/v1/metrics").status_code == 200
    assert "_auth_user_id" not in client.session
    assert turned_away(client.get("/"))
    assert turned_away(client.get("/returns/"))


def test_every_api_endpoint_names_its_scope():
    missing = [
        p.name
        for p in all_patterns()
        if is_api(p)
        and p.name not in UNSCOPED_API
        and not getattr(p.callback, "required_scope", None)
    ]
    assert not missing, f"API endpoints without a token scope: {missing}"


READS = [
    "/api/v1/values?metric=ms_arrests&period=2024-01&orgunit=national",
    "/api/v1/series?metric=ms_arrests&start=2024-01&end=2024-01&orgunit=national",
    "/api/v1/metrics",
    "/api/v1/submissions",
]


@pytest.mark.parametrize("url", READS)
def test_reading_needs_read_values(national_analyst, url):
    _, write_only = ApiToken.issue(national_analyst, [TokenScope.WRITE_RETURNS])
    _, read = ApiToken.issue(national_analyst, [TokenScope.READ_VALUES])
    refused = Client(HTTP_AUTHORIZATION=f"Bearer {write_only}").get(url)
    assert refused.status_code == 403
    assert "read:values" in refused.json()["error"]
    assert 'error="insufficient_scope"' in refused["WWW-Authenticate"]
    assert Client(HTTP_AUTHORIZATION=f"Bearer {read}").get(url).status_code != 403


def test_a_submission_needs_read_values_to_be_read(national_analyst, kent_user):
    from msoic.collection.actions import do_submit_return
    from msoic.collection.models import Submission

    rows = [["kent", "2024-01", "ms_arrests", "", 2, ""]]
    do_submit_return("jan.csv", csv_bytes(rows), actor=national_analyst)
    sub = Submission.objects.get(orgunit__code="kent")
    _, write_only = ApiToken.issue(national_analyst, [TokenScope.WRITE_RETURNS])
    _, read = ApiToken.issue(national_analyst, [TokenScope.READ_VALUES])
    url = f"/api/v1/submissions/{sub.pk}"
    assert Client(HTTP_AUTHORIZATION=f"Bearer {write_only}").get(url).status_code == 403
    assert Client(HTTP_AUTHORIZATION=f"Bearer {read}").get(url).status_code == 200


def test_submitting_a_return_needs_write_returns(kent_user):
    _, read_only = ApiToken.issue(kent_user, [TokenScope.READ_VALUES])
    _, write = ApiToken.issue(kent_user, [TokenScope.WRITE_RETURNS])
    body = csv_bytes([["kent", "2024-01", "ms_arrests", "", 2, ""]])
    refused = Client(HTTP_AUTHORIZATION=f"Bearer {read_only}").post(
        "/api/v1/returns",
        body,
        content_type="text/csv",
        HTTP_CONTENT_DISPOSITION="attachment; filename=jan.csv",
    )
    assert refused.status_code == 403 and "write:returns" in refused.json()["error"]
    accepted = Client(HTTP_AUTHORIZATION=f"Bearer {write}").post(
        "/api/v1/returns",
        body,
        content_type="text/csv",
        HTTP_CONTENT_DISPOSITION="attachment; filename=jan.csv",
    )
    assert accepted.status_code in {200, 201}, accepted.content


# --- the second factor, every URL, every role --------------------------------------------


def _walk_half_logged_in(user: Any) -> tuple[int, list[str], list[str]]:
    """Every URL but the public ones and the login steps, with a password-only session: the
    Location of each response, and what went elsewhere."""
    client = Client()
    login_password_only(client, user)
    locations, wrong = [], []
    walked = 0
    for pattern in all_patterns():
        if pattern.name in PUBLIC | LOGIN_STEPS:
            continue
        walked += 1
        url = sample_url(pattern)
        response = call(client, url)
        if response.status_code != 302:
            wrong.append(f"{pattern.name} {url} -> {response.status_code}")
        else:
            locations.append(response["Location"])
    return walked, locations, wrong


@pytest.mark.parametrize(
    "persona", ["kent", "essex", "cleveland", "eastern", "national", "partner", "admin"]
)
def test_an_enrolled_user_who_has_not_given_the_code_reaches_no_url(personas, persona):
    user = personas[persona]
    authenticator(user)
    walked, locations, wrong = _walk_half_logged_in(user)
    assert walked > 100
    assert not wrong, "\n".join(wrong)
    elsewhere = [loc for loc in locations if not loc.startswith("/login/verify/")]
    assert not elsewhere, elsewhere[:10]


@pytest.mark.parametrize("persona", ["kent", "eastern", "national", "admin"])
def test_a_user_with_record_access_must_enrol_before_reaching_any_url(personas, persona):
    """Users who can open records, and administrators (who can make an account that
    does), reach nothing but the enrolment step until they have a second factor."""
    walked, locations, wrong = _walk_half_logged_in(personas[persona])
    assert walked > 100
    assert not wrong, "\n".join(wrong)
    elsewhere = [loc for loc in locations if not loc.startswith("/login/enrol/")]
    assert not elsewhere, elsewhere[:10]


def test_partners_without_a_second_factor_are_not_forced_to_enrol(personas):
    client = Client()
    login_password_only(client, personas["partner"])
    assert client.get("/").status_code == 200  # the home page, not the enrolment step


def test_with_the_demo_switch_on_a_password_is_enough(kent_user, settings):
    settings.MSOIC_MFA_DEMO_OFF = True
    client = Client()
    login_password_only(client, kent_user)
    assert client.get("/").status_code == 200
