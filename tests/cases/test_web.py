"""Register pages: who may see and change what, consultation logging, forms and exports."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_hub_is_in_the_navigation_for_register_users_and_partners(
    personas: dict[str, Any],
) -> None:
    for name, user in personas.items():
        response = client_for(user).get("/investigations/")
        expected = 403 if name == "admin" else 200
        assert response.status_code == expected, name
        home = client_for(user).get("/dashboards/ms/")
        assert (b'href="/investigations/"' in home.content) is (name != "admin"), name
