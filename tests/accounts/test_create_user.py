"""``msoic create_user``: roles, the org unit each role needs, and --token for the API."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from msoic.accounts.models import ApiToken, User, hash_token
from msoic.audit.models import AuditEvent


def create(*args: str) -> str:
    out = io.StringIO()
    call_command("create_user", *args, stdout=out)
    return out.getvalue()


def printed(output: str, label: str) -> str:
    match = re.search(rf"^{label}: (\S+)$", output, flags=re.MULTILINE)
    assert match, output
    return match.group(1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "orgunit", "kind", "label"),
    [
        ("force", "kent", "force", "Force user"),
        ("regional", "eastern", "region", "Regional coordinator"),
        ("national", None, "national", "National analyst"),
        ("partner", "nca", "partner", "Partner"),
        ("admin", None, None, "Administrator"),
    ],
)
def test_each_role_is_created_with_its_org_unit(role, orgunit, kind, label):
    args = ["new.person", "--role", role, "--password", "Long-enough-pass-42"]
    if orgunit:
        args += ["--orgunit", orgunit]
    output = create(*args)
    user = User.objects.get(username="new.person")
    assert user.role == role and user.role_label == label
    assert (user.orgunit.kind if user.orgunit else None) == kind
    if orgunit:
        assert user.orgunit.code == orgunit
    assert output.startswith(f"created new.person ({label}")
    assert "password:" not in output  # given on the command line, so not echoed
    assert user.check_password("Long-enough-pass-42")
    assert AuditEvent.objects.filter(action="admin", object_id=str(user.pk)).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "orgunit", "message"),
    [
        ("force", "eastern", "Eastern is a region; a force user needs a force"),
        ("force", "nca", "needs a force"),
        ("regional", "kent", "Kent Police is a force; a regional coordinator needs a region"),
        ("partner", "kent", "needs a partner"),
        ("force", None, "a force user needs --orgunit (a force code)"),
        ("regional", None, "needs --orgunit (a region code)"),
        ("partner", None, "needs --orgunit (a partner code)"),
        ("force", "atlantis", "unknown org unit 'atlantis'"),
        ("national", "kent", "omit --orgunit"),
    ],
)
def test_wrong_org_unit_for_the_role_is_refused(role, orgunit, message):
    args = ["new.person", "--role", role, "--password", "Long-enough-pass-42"]
    if orgunit:
        args += ["--orgunit", orgunit]
    with pytest.raises(CommandError, match=re.escape(message)):
        create(*args)
    assert not User.objects.filter(username="new.person").exists()


@pytest.mark.django_db
def test_unknown_role_is_refused():
    with pytest.raises(CommandError, match="invalid choice: 'superuser'"):
        create("new.person", "--role", "superuser")


@pytest.mark.django_db
def test_duplicate_username_is_refused(kent_user):
    with pytest.raises(CommandError, match="already exists"):
        create(
            "kent.user", "--role", "force", "--orgunit", "kent", "--password", "Long-enough-pass-42"
        )


@pytest.mark.django_db
def test_weak_password_is_refused():
    with pytest.raises(CommandError, match="password refused"):
        create("new.person", "--role", "national", "--password", "password")
    assert not User.objects.filter(username="new.person").exists()


@pytest.mark.django_db
def test_random_password_is_printed_and_logs_in():
    output = create("new.person", "--role", "force", "--orgunit", "essex")
    password = printed(output, "password")
    assert len(password) >= 12
    assert Client().login(username="new.person", password=password)


@pytest.mark.django_db
def test_token_prints_a_token_that_authenticates_the_api():
    output = create("api.client", "--role", "force", "--orgunit", "kent", "--token")
    token = printed(output, "token")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    params = {"metric": "ms_recorded_crimes", "period": "2024-02"}
    ok = client.get("/api/v1/values", {**params, "orgunit": "kent"})
    assert ok.status_code == 200 and ok.json()["orgunit"] == "kent"
    # the token carries the user's scope: another force is refused
    assert client.get("/api/v1/values", {**params, "orgunit": "essex"}).status_code == 403
    assert (
        Client(HTTP_AUTHORIZATION=f"Bearer {token}x").get("/api/v1/values", params).status_code
        == 401
    )


@pytest.mark.django_db
def test_only_the_tokens_hash_is_stored():
    token = printed(create("api.client", "--role", "national", "--token"), "token")
    stored = ApiToken.objects.get(user__username="api.client")
    assert stored.key_hash == hash_token(token) and token not in stored.key_hash
    assert token.startswith("msoic_") and stored.prefix == token[6:14]


@pytest.mark.django_db
def test_without_token_flag_no_token_is_issued():
    output = create("new.person", "--role", "national", "--password", "Long-enough-pass-42")
    assert "token:" not in output and not ApiToken.objects.exists()
