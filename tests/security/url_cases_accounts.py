"""Access cases for user management (msoic.accounts.views_admin), for every persona.

Administrators, and only they, open and change accounts: everyone else gets 403 on every
page, whether or not the account exists; an administrator gets 404 for an account (or a
token of that account) that does not exist. The set-password link is public: the link is
the credential, and a made-up one opens nothing."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from msoic.accounts.actions import do_create_user, set_password_link_token
from msoic.accounts.models import ApiToken, User
from tests.security.test_url_access import PERSONAS, Case, World

NO_USER = 999999


def _target(w: World) -> User:
    """The Kent user: the account every persona tries to open or change."""
    return w.users["kent"]  # type: ignore[no-any-return]


def _admin_only(
    url: Callable[[World], str],
    *,
    method: str = "get",
    data: dict[str, str] | None = None,
    ok: frozenset[int] = frozenset({200}),
) -> Callable[[World], list[Case]]:
    """Every persona tries ``url`` (an administrator succeeds with ``ok``), after trying the
    same URL for an account that does not exist (the administrator's change may end the
    target's sessions, so it comes last)."""

    def build(w: World) -> list[Case]:
        cases = []
        missing = url(w).replace(f"/{_target(w).pk}/", f"/{NO_USER}/")
        if missing != url(w):
            cases += [
                Case(p, missing, {404} if p == "admin" else {403}, method=method, data=data)
                for p in PERSONAS
            ]
        cases += [
            Case(p, url(w), set(ok) if p == "admin" else {403}, method=method, data=data)
            for p in PERSONAS
        ]
        return cases

    return build


def _token_revoke(w: World) -> list[Case]:
    token, _ = ApiToken.issue(_target(w))
    url = f"/admin-users/{_target(w).pk}/tokens/{token.pk}/revoke/"
    data = {f"revoke-{token.pk}-reason": "access check"}
    # everyone else first: the administrator's revocation is the one that succeeds
    order = [p for p in PERSONAS if p != "admin"] + ["admin"]
    cases = [
        Case(p, url, {302} if p == "admin" else {403}, method="post", data=data) for p in order
    ]
    essex_token, _ = ApiToken.issue(w.users["essex"])
    cases += [
        Case(
            p,
            f"/admin-users/{_target(w).pk}/tokens/{essex_token.pk}/revoke/",
            {404} if p == "admin" else {403},
            method="post",
            data={f"revoke-{essex_token.pk}-reason": "x"},
            note="another user's token, through this user's page",
        )
        for p in PERSONAS
    ]
    return cases


def _set_password(w: World) -> list[Case]:
    """Public: whoever holds a real link reaches the form (the token moves into the session:
    302); a made-up one opens nothing (404, the page says the link does not work), and a
    password posted to it changes nothing (checked in tests/accounts/test_admin_pages.py)."""
    # A new account that never logs in (logging in voids a link; the personas do log in).
    target, _ = do_create_user(
        "linked.user", role="national", orgunit_code=None, password=None, actor="tests"
    )
    uid = urlsafe_base64_encode(force_bytes(target.pk))
    real = f"/set-password/{uid}/{set_password_link_token(target)}/"
    return (
        [Case(p, real, {302}) for p in PERSONAS]
        + [
            Case(p, f"/set-password/{u}/made-up-token/", {404})
            for p in PERSONAS
            for u in (uid, "xyz")
        ]
        + [
            Case(
                p,
                f"/set-password/{uid}/made-up-token/",
                {404},
                method="post",
                data={"new_password1": "Whatever-pass-99", "new_password2": "Whatever-pass-99"},
            )
            for p in PERSONAS
        ]
    )


CASES: dict[str, Callable[[World], list[Case]]] = {
    "admin-users": _admin_only(lambda w: "/admin-users/?role=force&orgunit=kent&q=kent"),
    "admin-users-new": _admin_only(lambda w: "/admin-users/new/"),
    "admin-users-detail": _admin_only(lambda w: f"/admin-users/{_target(w).pk}/"),
    "admin-users-role": _admin_only(
        lambda w: f"/admin-users/{_target(w).pk}/role/",
        method="post",
        data={"role": "force", "orgunit": "kent"},
        ok=frozenset({302}),
    ),
    "admin-users-active": _admin_only(
        lambda w: f"/admin-users/{_target(w).pk}/active/",
        method="post",
        data={"active": "1"},
        ok=frozenset({302}),
    ),
    "admin-users-mfa-reset": _admin_only(
        lambda w: f"/admin-users/{_target(w).pk}/mfa-reset/",
        method="post",
        data={"mfa-reason": "access check"},
        ok=frozenset({302}),
    ),
    "admin-users-link": _admin_only(
        lambda w: f"/admin-users/{_target(w).pk}/set-password-link/", method="post"
    ),  # the link page itself (200)
    "admin-users-token-revoke": _token_revoke,
    "set-password": _set_password,
}
