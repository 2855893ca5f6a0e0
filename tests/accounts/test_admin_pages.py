"""User management on the web (/admin-users/): administrators, and only they, find, create
and change accounts; every change is a POST that writes its own audit row; nobody locks
themselves out; passwords are never shown; a new user chooses their own password through a
one-time set-password link."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from msoic.accounts.actions import do_create_user
from msoic.accounts.models import ApiToken, RecoveryCodeDevice, User
from msoic.audit.models import AuditAction, AuditEvent
from tests.conftest import PERSONA_PASSWORD
from tests.query_counts import pinned_get

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Kestrel-harbour-lantern-7"


@pytest.fixture
def admin(admin_user: Any) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def rows(step: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(detail__step=step).order_by("seq"))


def link_in(html: str) -> str:
    match = re.search(r'id="set-password-link"[^>]*>([^<]+)<', html)
    assert match, "no set-password link on the page"
    return match.group(1).replace("http://testserver", "")


def make_user(username: str, role: str = "force", orgunit: str | None = "kent") -> User:
    user, _ = do_create_user(
        username,
        role=role,
        orgunit_code=orgunit,
        password=PERSONA_PASSWORD,
        actor="tests",
        check_password=False,
    )
    return user


# --- who may use the pages ---------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["kent_user", "eastern_coordinator", "national_analyst", "partner_user"]
)
def test_only_administrators_see_user_management(request, persona, admin_user):
    client = Client()
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/admin-users/").status_code == 403
    assert client.get(f"/admin-users/{admin_user.pk}/").status_code == 403
    response = client.post(
        "/admin-users/new/",
        {"username": "x.user", "first_name": "X", "last_name": "Y", "role": "national"},
    )
    assert response.status_code == 403
    assert not User.objects.filter(username="x.user").exists()
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200 and 'href="/admin-users/"' not in docs.content.decode()


def test_the_navigation_offers_users_to_administrators(admin):
    page = admin.get("/admin-users/").content.decode()
    assert 'href="/admin-users/" aria-current="page">Users</a>' in page


# --- the list ------------------------------------------------------------------------------


def test_the_list_finds_users_by_name_role_org_unit_and_status(admin, personas):
    jane = make_user("j.smith")
    User.objects.filter(pk=jane.pk).update(first_name="Jane", last_name="Smithers")
    gone = make_user("old.kent")
    User.objects.filter(pk=gone.pk).update(is_active=False)

    def listed(**params: str) -> set[str]:
        html = admin.get("/admin-users/", params).content.decode()
        return set(re.findall(r'href="/admin-users/\d+/">([^<]+)</a>', html))

    assert listed(q="jane smith") == {"j.smith"}
    assert listed(q="KENT") == {"kent.user", "old.kent"}
    assert listed(role="regional") == {"eastern.coordinator"}
    assert listed(orgunit="kent") == {"kent.user", "j.smith", "old.kent"}
    assert listed(orgunit="kent", active="no") == {"old.kent"}
    assert "admin.user" in listed(active="yes") and "old.kent" not in listed(active="yes")


def test_the_list_pages_and_costs_the_same_queries_for_many_users(admin, personas):
    small = pinned_get(admin, "/admin-users/", QUERIES)
    assert "7 users." in small.content.decode()
    for n in range(60):
        make_user(f"bulk.{n:02}")
    TOTPDevice.objects.create(user=User.objects.get(username="bulk.01"), confirmed=True)
    big = pinned_get(admin, "/admin-users/", QUERIES)
    html = big.content.decode()
    assert "67 users, page 1 of 2." in html and 'rel="next"' in html
    second = pinned_get(admin, "/admin-users/", QUERIES, page="2").content.decode()
    assert "page 2 of 2" in second and second.count('href="/admin-users/') >= 17


# The session and the user; the org units of the filter; the count; the page of users
# with their org unit and second factor; the session saved (three statements): a fixed
# number whatever the number of users.
QUERIES = 8


# --- creating a user -----------------------------------------------------------------------


def test_an_administrator_creates_a_user_who_chooses_their_own_password(admin, admin_user):
    response = admin.post(
        "/admin-users/new/",
        {
            "username": "p.jones",
            "first_name": "Priya",
            "last_name": "Jones",
            "email": "priya.jones@example.org",
            "role": "force",
            "orgunit": "essex",
        },
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    user = User.objects.get(username="p.jones")
    assert (user.role, user.orgunit.code, user.get_full_name()) == ("force", "essex", "Priya Jones")
    assert not user.has_usable_password()
    created = rows("user created")[-1]
    assert created.actor == admin_user and created.object_id == str(user.pk)
    assert created.orgunit_code == "essex" and created.detail["role"] == "force"
    issued = rows("set-password link issued")[-1]
    assert issued.actor == admin_user and issued.seq > created.seq

    link = link_in(response.content.decode())
    newcomer = Client()
    page = newcomer.get(link, follow=True)
    assert b"Choose your password" in page.content
    form_url = page.redirect_chain[-1][0]
    refused = newcomer.post(form_url, {"new_password1": "short", "new_password2": "short"})
    assert refused.status_code == 200 and b"govuk-error-summary" in refused.content
    done = newcomer.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/login/"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    chosen = rows("password set from link")[-1]
    assert chosen.actor == user and chosen.object_id == str(user.pk)
    assert NEW_PASSWORD not in str(chosen.detail)

    again = Client().get(link, follow=True)
    assert again.status_code == 404 and b"This link does not work" in again.content
    login = Client().post("/login/", {"username": "p.jones", "password": NEW_PASSWORD})
    assert login.status_code == 302 and login["Location"].startswith("/login/enrol/")


@pytest.mark.parametrize(
    ("role", "orgunit", "message"),
    [
        ("force", "", "a force user needs the org unit (a force code)"),
        ("force", "eastern", "Eastern"),
        ("regional", "kent", "needs a region"),
        ("partner", "", "a partner needs the org unit"),
        ("national", "kent", "national analysts belong to the national unit"),
        ("admin", "kent", "administrators belong to no org unit"),
    ],
)
def test_a_role_and_org_unit_that_do_not_go_together_are_refused(admin, role, orgunit, message):
    response = admin.post(
        "/admin-users/new/",
        {
            "username": "z.new",
            "first_name": "Z",
            "last_name": "New",
            "role": role,
            "orgunit": orgunit,
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and 'href="#id_orgunit"' in html
    assert not User.objects.filter(username="z.new").exists()
    assert all(r.actor_label == "tests" for r in rows("user created"))  # the personas only


def test_a_taken_username_and_missing_names_are_refused(admin, kent_user):
    response = admin.post(
        "/admin-users/new/",
        {"username": "kent.user", "first_name": "K", "last_name": "U", "role": "national"},
    )
    assert response.status_code == 400 and b"already exists" in response.content
    response = admin.post("/admin-users/new/", {"username": "bad name!", "role": "national"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Enter the first name" in html and "Enter the last name" in html
    assert 'aria-describedby="id_username-hint id_username-error"' in html
    assert User.objects.filter(username__in=["bad name!"]).count() == 0


# --- changing a user -----------------------------------------------------------------------


def test_role_and_org_unit_change_together_audited_and_sessions_end(admin, admin_user, kent_user):
    theirs = Client()
    theirs.force_login(kent_user)
    assert theirs.get("/returns/").status_code == 200
    response = admin.post(
        f"/admin-users/{kent_user.pk}/role/", {"role": "regional", "orgunit": "eastern"}
    )
    assert response.status_code == 302
    kent_user.refresh_from_db()
    assert (kent_user.role, kent_user.orgunit.code) == ("regional", "eastern")
    row = rows("user role changed")[-1]
    assert row.actor == admin_user and row.orgunit_code == "eastern"
    assert row.detail["before"] == {"role": "force", "orgunit": "kent"}
    assert row.detail["role"] == "regional" and row.detail["sessions_ended"] >= 1
    assert theirs.get("/returns/").status_code == 302  # back to the login page

    refused = admin.post(f"/admin-users/{kent_user.pk}/role/", {"role": "force", "orgunit": "nca"})
    assert refused.status_code == 400 and b"needs a force" in refused.content
    kent_user.refresh_from_db()
    assert kent_user.role == "regional"


def test_deactivate_then_reactivate_audited(admin, admin_user, kent_user):
    token, raw = ApiToken.issue(kent_user)
    api = Client().get("/api/v1/metrics", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.status_code == 200
    response = admin.post(
        f"/admin-users/{kent_user.pk}/active/", {"active": "0", "reason": "left the force"}
    )
    assert response.status_code == 302
    kent_user.refresh_from_db()
    assert not kent_user.is_active
    row = rows("user deactivated")[-1]
    assert row.actor == admin_user and row.justification == "left the force"
    assert Client().login(username="kent.user", password=PERSONA_PASSWORD) is False
    api = Client().get("/api/v1/metrics", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.status_code == 401
    assert "Deactivated" in admin.get(f"/admin-users/{kent_user.pk}/").content.decode()

    assert admin.post(f"/admin-users/{kent_user.pk}/active/", {"active": "1"}).status_code == 302
    kent_user.refresh_from_db()
    assert kent_user.is_active and rows("user reactivated")[-1].actor == admin_user


def test_an_administrator_cannot_lock_themselves_out(admin, admin_user):
    before = AuditEvent.objects.filter(action=AuditAction.ADMIN).count()
    response = admin.post(f"/admin-users/{admin_user.pk}/active/", {"active": "0"})
    assert response.status_code == 400
    assert b"cannot do this to your own account" in response.content
    response = admin.post(
        f"/admin-users/{admin_user.pk}/role/", {"role": "national", "orgunit": ""}
    )
    assert response.status_code == 400
    assert b"cannot do this to your own account" in response.content
    admin_user.refresh_from_db()
    assert admin_user.is_active and admin_user.role == "admin"
    assert AuditEvent.objects.filter(action=AuditAction.ADMIN).count() == before
    assert b"This is your own account" in admin.get(f"/admin-users/{admin_user.pk}/").content


def test_another_administrator_may_be_demoted_but_never_the_last(admin, admin_user):
    other = make_user("second.admin", role="admin", orgunit=None)
    assert (
        admin.post(
            f"/admin-users/{other.pk}/role/", {"role": "national", "orgunit": ""}
        ).status_code
        == 302
    )
    other.refresh_from_db()
    assert other.role == "national"
    # The command line has no account to protect; the rule that one administrator remains
    # holds there too (the actions refuse it).
    from msoic.accounts.actions import UserError, do_set_user_active

    with pytest.raises(UserError, match="last active administrator"):
        do_set_user_active(admin_user, False, actor="a script")


def test_reset_second_factor_needs_a_reason_and_is_audited(admin, admin_user, kent_user):
    TOTPDevice.objects.create(user=kent_user, name="phone", confirmed=True)
    RecoveryCodeDevice.objects.create(user=kent_user, name="recovery codes")
    refused = admin.post(f"/admin-users/{kent_user.pk}/mfa-reset/", {"mfa-reason": " "})
    assert refused.status_code == 400 and b"Say why" in refused.content
    assert TOTPDevice.objects.filter(user=kent_user).exists()
    done = admin.post(f"/admin-users/{kent_user.pk}/mfa-reset/", {"mfa-reason": "lost phone"})
    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=kent_user).exists()
    row = AuditEvent.objects.filter(action=AuditAction.MFA, detail__step="reset").latest("seq")
    assert row.actor == admin_user and row.detail["reason"] == "lost phone"
    assert row.detail["devices_removed"] == 2 and row.object_id == str(kent_user.pk)


def test_a_new_set_password_link_for_an_existing_user(admin, admin_user, kent_user):
    response = admin.post(f"/admin-users/{kent_user.pk}/set-password-link/")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert rows("set-password link issued")[-1].actor == admin_user
    kent_user.refresh_from_db()
    assert kent_user.check_password(PERSONA_PASSWORD)  # the old one works until it is used
    newcomer = Client()
    page = newcomer.get(link_in(response.content.decode()), follow=True)
    newcomer.post(
        page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    kent_user.refresh_from_db()
    assert kent_user.check_password(NEW_PASSWORD)


def test_a_deactivated_users_link_opens_nothing(admin, kent_user):
    response = admin.post(f"/admin-users/{kent_user.pk}/set-password-link/")
    link = link_in(response.content.decode())
    admin.post(f"/admin-users/{kent_user.pk}/active/", {"active": "0"})
    page = Client().get(link, follow=True)
    assert page.status_code == 404 and b"This link does not work" in page.content
    refused = admin.post(f"/admin-users/{kent_user.pk}/set-password-link/", follow=True)
    assert b"reactivate the account" in refused.content


# --- API tokens ----------------------------------------------------------------------------


def test_tokens_are_listed_without_their_secret_and_revoked_with_a_reason(
    admin, admin_user, kent_user, essex_user
):
    token, raw = ApiToken.issue(kent_user, ["read:values", "write:returns"])
    others, _ = ApiToken.issue(essex_user)
    html = admin.get(f"/admin-users/{kent_user.pk}/").content.decode()
    assert f"msoic_{token.prefix}…" in html and "read:values write:returns" in html
    assert raw not in html and token.key_hash not in html
    assert kent_user.password not in html

    url = f"/admin-users/{kent_user.pk}/tokens/{token.pk}/revoke/"
    refused = admin.post(url, {f"revoke-{token.pk}-reason": ""})
    assert refused.status_code == 400 and b"Say why" in refused.content
    # a token of another user is not reached through this user's page
    stray = admin.post(
        f"/admin-users/{kent_user.pk}/tokens/{others.pk}/revoke/",
        {f"revoke-{others.pk}-reason": "x"},
    )
    assert stray.status_code == 404
    done = admin.post(url, {f"revoke-{token.pk}-reason": "laptop stolen"})
    assert done.status_code == 302
    token.refresh_from_db()
    others.refresh_from_db()
    assert token.revoked and not others.revoked
    row = AuditEvent.objects.filter(action=AuditAction.TOKEN).latest("seq")
    assert row.actor == admin_user and row.justification == "laptop stolen"
    assert row.detail["step"] == "token revoked"


def test_changes_are_posts_only(admin, kent_user):
    for action in ("role", "active", "mfa-reset", "set-password-link"):
        assert admin.get(f"/admin-users/{kent_user.pk}/{action}/").status_code == 405
