"""API tokens expire, can be listed without revealing them, and can be revoked (audited)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from msoic.accounts.models import ApiToken
from msoic.audit.models import AuditEvent


def api(raw: str) -> int:
    return Client().get("/api/v1/metrics", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code


@pytest.mark.django_db
def test_a_new_token_works_and_expires_after_the_configured_days(kent_user, settings):
    settings.MSOIC_TOKEN_DAYS = 30
    token, raw = ApiToken.issue(kent_user)
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    assert api(raw) == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api(raw) == 401


@pytest.mark.django_db
def test_tokens_can_be_listed_and_revoked_with_a_reason(kent_user, capsys):
    token, raw = ApiToken.issue(kent_user)
    call_command("tokens", "list")
    out = capsys.readouterr().out
    assert token.prefix in out and "kent.user" in out and "usable" in out and raw not in out
    with pytest.raises(CommandError):
        call_command("tokens", "revoke", "nosuchpx", "--reason", "x")
    with pytest.raises(CommandError, match="say why"):
        call_command("tokens", "revoke", token.prefix, "--reason", " ")
    call_command("tokens", "revoke", token.prefix, "--reason", "laptop lost")
    assert api(raw) == 401
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.justification == "laptop lost" and event.detail["step"] == "token revoked"
    call_command("tokens", "list", "--user", "kent.user")
    assert "revoked" in capsys.readouterr().out


@pytest.mark.django_db
def test_a_token_prefix_never_starts_like_a_command_line_option(kent_user):
    """`msoic tokens revoke PREFIX` must take any prefix: none begins with "-" (or "_")."""
    prefixes = [ApiToken.issue(kent_user)[0].prefix for _ in range(300)]
    assert all(p[0].isalnum() for p in prefixes)
