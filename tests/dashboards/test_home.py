"""The home page sends each user to the modern slavery dashboard for their own area."""

from __future__ import annotations

import pytest
from django.urls import reverse

MS = reverse("dashboard-ms")


@pytest.mark.parametrize(
    ("persona", "orgunit"),
    [
        ("kent", "kent"),
        ("cleveland", "cleveland"),
        ("eastern", "eastern"),
        ("national", "national"),
        ("partner", "national"),
        ("admin", "national"),
    ],
)
def test_home_goes_to_the_dashboard_for_the_users_area(client, personas, persona, orgunit):
    client.force_login(personas[persona])
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == f"{MS}?orgunit={orgunit}"
    assert client.get(response["Location"]).status_code == 200


def test_home_sends_anonymous_visitors_to_log_in(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
