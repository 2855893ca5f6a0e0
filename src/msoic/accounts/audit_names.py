"""Names of accounts and API tokens in the audit log (msoic.audit.names): a person by their
name and username, linked to their user page for administrators; a token by its public
prefix and owner. One query per kind, whatever the number of rows."""

from __future__ import annotations

from django.urls import reverse

from msoic.accounts import access
from msoic.accounts.models import ApiToken, User
from msoic.audit.names import Named, namer


def _ints(ids: list[str]) -> list[int]:
    return [int(i) for i in ids if i.isdigit()]


def person_label(user: User) -> str:
    full = user.get_full_name()
    return f"{full} ({user.username})" if full else user.username


@namer("accounts.user")
def name_users(viewer: User, ids: list[str]) -> dict[str, Named]:
    link = access.can_manage_users(viewer)
    return {
        str(u.pk): Named(
            person_label(u), reverse("admin-users-detail", args=[u.pk]) if link else None
        )
        for u in User.objects.filter(pk__in=_ints(ids)).only(
            "pk", "username", "first_name", "last_name"
        )
    }


@namer("accounts.apitoken")
def name_tokens(viewer: User, ids: list[str]) -> dict[str, Named]:
    link = access.can_manage_users(viewer)
    tokens = ApiToken.objects.filter(pk__in=_ints(ids)).select_related("user")
    return {
        str(t.pk): Named(
            f"API token msoic_{t.prefix}… of {t.user.username}",
            reverse("admin-users-detail", args=[t.user_id]) if link else None,
        )
        for t in tokens
    }
