"""The error pages (issue 11 item 10): GOV.UK pages with the service header, the user's
navigation where the user is known, plain words on what to do next, and never a stack
trace or an internal detail. DEBUG is off in tests, as in production. The API answers
JSON instead. The 500 page renders without the database or the request."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from msoic.web import errors
from tests.web.error_urls import SECRET

pytestmark = pytest.mark.urls("tests.web.error_urls")

NAV = '<nav class="msoic-nav" aria-label="Main">'


def page(response) -> str:
    return response.content.decode()


def assert_plain(html: str) -> None:
    for leak in (SECRET, "Traceback", "hunter2", "Exception", "django", "File &quot;"):
        assert leak not in html, leak
    assert 'class="msoic-header"' in html
    assert "Go to the MSOIC Insight home page" in html


@pytest.mark.django_db
def test_missing_page_is_404_with_the_users_navigation(client: Client, kent_user):
    client.force_login(kent_user)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = page(response)
    assert '<h1 class="govuk-heading-l">Page not found</h1>' in html
    assert NAV in html and ">Modern slavery</a>" in html
    assert "kent.user" in html  # the header names who is logged in
    assert_plain(html)


@pytest.mark.django_db
def test_missing_page_for_someone_not_logged_in_has_the_header_but_no_navigation(client: Client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = page(response)
    assert "Page not found" in html and NAV not in html
    assert_plain(html)


@pytest.mark.django_db
def test_another_forces_template_is_403_page_not_a_bare_refusal(client: Client, kent_user):
    client.force_login(kent_user)
    response = client.get("/returns/template/ms-monthly/essex/2024-01.xlsx")
    assert response.status_code == 403
    html = page(response)
    assert "You cannot see this page" in html and NAV in html
    assert "administrator" in html
    assert_plain(html)


@pytest.mark.django_db
def test_suspicious_request_is_400_without_the_reason(client: Client, kent_user):
    client.force_login(kent_user)
    response = client.get("/test-errors/suspicious/")
    assert response.status_code == 400
    html = page(response)
    assert "There is a problem with the request" in html and NAV in html
    assert_plain(html)


@pytest.mark.django_db
def test_wrong_method_is_405_page_keeping_allow(client: Client, kent_user):
    client.force_login(kent_user)
    response = client.get("/logout/")  # logging out takes a POST
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    html = page(response)
    assert "This page cannot be used that way" in html and NAV in html
    assert_plain(html)


@pytest.mark.django_db
def test_rate_limited_request_is_429_page_saying_how_long_to_wait(client: Client, kent_user):
    client.force_login(kent_user)
    response = client.get("/test-errors/rate-limited/")
    assert response.status_code == 429
    assert response["Retry-After"] == "120"
    html = page(response)
    assert "Too many requests" in html and "Wait 2 minutes, then try again." in html
    assert_plain(html)


@pytest.mark.django_db
def test_throttled_login_keeps_its_own_429_page_with_the_form(client: Client, kent_user, settings):
    for _ in range(settings.MSOIC_LOGIN_MAX_FAILURES + 1):
        client.post("/login/", {"username": "kent.user", "password": "wrong"})
    response = client.post("/login/", {"username": "kent.user", "password": "wrong"})
    assert response.status_code == 429
    html = page(response)
    assert "Too many failed attempts" in html and 'class="msoic-header"' in html
    assert 'name="username"' in html


@pytest.mark.django_db
def test_failure_is_500_page_without_the_exception(kent_user):
    client = Client(raise_request_exception=False)
    client.force_login(kent_user)
    response = client.get("/test-errors/fails/")
    assert response.status_code == 500
    html = page(response)
    assert "Sorry, there is a problem with the service" in html
    assert "may not have been saved" in html
    assert NAV not in html  # the navigation needs the database, which may be what failed
    assert_plain(html)


def test_500_page_renders_without_database_or_user():
    """No django_db mark: any query would fail the test. The request has no user or session."""
    response = errors.server_error(RequestFactory().get("/returns/"))
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in page(response)


def test_500_page_falls_back_to_plain_words_when_its_template_fails(settings):
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [], "APP_DIRS": False}]
    response = errors.server_error(RequestFactory().get("/returns/"))
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in page(response)


@pytest.mark.django_db
def test_form_without_csrf_token_is_403_page_not_djangos_reason(kent_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(kent_user)
    response = client.post("/logout/")
    assert response.status_code == 403
    html = page(response)
    assert "The form could not be sent" in html and "reload the page" in html
    assert "CSRF" not in html and "Referer" not in html
    assert_plain(html)


@pytest.mark.django_db
def test_api_answers_json_for_unknown_urls_and_failures(kent_user):
    client = Client(raise_request_exception=False)
    client.force_login(kent_user)
    missing = client.get("/api/v1/no-such-endpoint")
    assert missing.status_code == 404
    assert missing.json() == {"error": "not found"}
    failed = client.get("/api/v1/test-errors/fails/")
    assert failed.status_code == 500
    assert SECRET not in failed.content.decode()
    assert failed.json()["error"].startswith("the service failed")


@pytest.mark.django_db
def test_database_not_answering_is_503_with_retry_after_on_pages_and_api(kent_user):
    """A restart or dropped connection of the database is a moment's unavailability, not a
    fault of the service: 503 with Retry-After, the same page, nothing of the exception."""
    client = Client(raise_request_exception=False)
    client.force_login(kent_user)
    page_response = client.get("/test-errors/database-gone/")
    assert page_response.status_code == 503
    assert page_response["Retry-After"] == errors.DATABASE_RETRY_AFTER
    html = page(page_response)
    assert "Sorry, there is a problem with the service" in html
    assert_plain(html)
    api = client.get("/api/v1/test-errors/database-gone/")
    assert api.status_code == 503 and api["Retry-After"] == errors.DATABASE_RETRY_AFTER
    assert api.json() == {"error": errors.API_MESSAGES[503]}
    assert SECRET not in api.content.decode()
    # the storage full (an upload's first save) is the same moment's unavailability
    full = client.get("/test-errors/disk-full/")
    assert full.status_code == 503 and full["Retry-After"] == errors.DATABASE_RETRY_AFTER
    # any other failure stays a 500
    assert client.get("/test-errors/fails/").status_code == 500
