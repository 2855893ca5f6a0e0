"""API tokens: scopes chosen at issue (commands included), a 90-day default life, and
their use written to the audit log once an hour per token, not on every request."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from msoic.accounts.models import ApiToken, TokenScope
from msoic.audit.models import AuditAction, AuditEvent

URL = "/api/v1/metrics"


def token_rows(token: ApiToken) -> int:
    return AuditEvent.objects.filter(
        action=AuditAction.TOKEN, object_id=str(token.pk), detail__step="token used"
    ).count()


def test_a_token_lives_90_days_by_default_and_reads_only(kent_user, settings):
    assert settings.MSOIC_TOKEN_DAYS == 90
    token, _ = ApiToken.issue(kent_user)
    assert timedelta(days=89) < token.expires_at - timezone.now() <= timedelta(days=90)
    assert token.scope_list == [TokenScope.READ_VALUES]


@pytest.mark.parametrize("scopes", [[], ["read:everything"], ["read:values", "admin"]])
def test_unknown_or_no_scopes_are_refused(kent_user, scopes):
    with pytest.raises(ValueError, match="scopes"):
        ApiToken.issue(kent_user, scopes)


def test_token_use_is_audited_on_first_use_then_once_an_hour(kent_user):
    token, raw = ApiToken.issue(kent_user)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    for _ in range(5):
        assert client.get(URL).status_code == 200
    assert token_rows(token) == 1
    row = AuditEvent.objects.get(action=AuditAction.TOKEN, object_id=str(token.pk))
    assert row.actor == kent_user and row.detail["prefix"] == token.prefix
    assert row.detail["path"] == URL
    ApiToken.objects.filter(pk=token.pk).update(audited_at=timezone.now() - timedelta(minutes=61))
    client.get(URL)
    client.get(URL)
    assert token_rows(token) == 2


def test_tokens_issue_command_prints_the_token_once_with_its_scopes(kent_user, capsys):
    call_command("tokens", "issue", "kent.user", "--scope", "write:returns")
    out = capsys.readouterr().out
    raw = out.strip().rsplit(" ", 1)[-1]
    token = ApiToken.objects.get(user=kent_user)
    assert raw.startswith("msoic_") and token.prefix == raw[6:14]
    assert "write:returns" in out and "API only" in out
    assert token.scope_list == ["write:returns"]
    issued = AuditEvent.objects.get(detail__step="token issued")
    assert issued.detail["scopes"] == ["write:returns"] and raw not in str(issued.detail)
    call_command("tokens", "list")
    listing = capsys.readouterr().out
    assert "scopes write:returns" in listing and raw not in listing


def test_tokens_issue_for_an_unknown_user_is_refused(db):
    with pytest.raises(CommandError, match="no user 'nobody'"):
        call_command("tokens", "issue", "nobody")


def test_create_user_token_takes_scopes(db, capsys):
    call_command(
        "create_user",
        "returns.bot",
        "--role",
        "force",
        "--orgunit",
        "kent",
        "--password",
        "Long-enough-pass-42",
        "--token",
        "--scope",
        "read:values",
        "--scope",
        "write:returns",
    )
    token = ApiToken.objects.get(user__username="returns.bot")
    assert token.scope_list == ["read:values", "write:returns"]


def test_create_user_scope_without_token_is_refused(db):
    with pytest.raises(CommandError, match="--token"):
        call_command("create_user", "x.person", "--role", "national", "--scope", "read:values")


@pytest.mark.django_db
def test_migration_sets_both_scopes_on_existing_tokens(kent_user):
    from importlib import import_module

    from django.apps import apps

    token, _ = ApiToken.issue(kent_user)
    migration = import_module("msoic.accounts.migrations.0003_token_scopes_and_recovery_codes")
    migration.existing_tokens_keep_what_they_could_do(apps, None)
    token.refresh_from_db()
    assert token.scope_list == ["read:values", "write:returns"]
