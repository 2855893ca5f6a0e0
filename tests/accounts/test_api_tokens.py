"""Bearer tokens: any case of the scheme, inactive users and revoked tokens refused, last use noted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from msoic.accounts.models import ApiToken

URL = "/api/v1/metrics"


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
def test_scheme_name_is_case_insensitive(kent_user, scheme):
    _, raw = ApiToken.issue(kent_user)
    assert Client(HTTP_AUTHORIZATION=f"{scheme} {raw}").get(URL).status_code == 200


@pytest.mark.parametrize("header", ["Bearer", "Bearer ", "Bearer   ", "Bearer msoic_wrong"])
def test_empty_or_wrong_token_is_401_with_a_challenge(db, header):
    response = Client(HTTP_AUTHORIZATION=header).get(URL)
    assert response.status_code == 401
    assert 'error="invalid_token"' in response["WWW-Authenticate"]


def test_token_of_a_deactivated_user_is_refused(kent_user):
    _, raw = ApiToken.issue(kent_user)
    kent_user.is_active = False
    kent_user.save()
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get(URL).status_code == 401


def test_other_schemes_are_not_tokens(kent_user):
    assert Client(HTTP_AUTHORIZATION="Basic a2VudDpwYXNz").get(URL).status_code == 401


def test_last_use_is_noted_at_most_once_a_minute(kent_user):
    token, raw = ApiToken.issue(kent_user)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    client.get(URL)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    client.get(URL)
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    client.get(URL)
    token.refresh_from_db()
    assert token.last_used_at > first - timedelta(minutes=1)
    assert token.last_used_at <= timezone.now()
