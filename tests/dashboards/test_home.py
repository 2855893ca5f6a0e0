"""The home page links each user to the modern slavery dashboard for their own area (the
home page itself is tested in tests/web/test_home.py)."""

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
def test_home_links_to_the_dashboard_for_the_users_area(client, personas, persona, orgunit):
    client.force_login(personas[persona])
    response = client.get(reverse("home"))
    assert response.status_code == 200
    link = f"{MS}?orgunit={orgunit}"
    assert f'href="{link}"' in response.content.decode()
    assert client.get(link).status_code == 200


def test_home_sends_anonymous_visitors_to_log_in(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("here", "there"), [("dashboard-ms", "dashboard-oic"), ("dashboard-oic", "dashboard-ms")]
)
@pytest.mark.parametrize("persona", ["kent", "eastern", "national", "partner"])
def test_the_link_to_the_other_dashboard_opens_it(
    client, personas, dashboard_returns, persona, here, there
):
    # Each dashboard has its own measures: the link keeps the area and month, not the measure.
    import re

    client.force_login(personas[persona])
    page = client.get(reverse(here)).content.decode()
    link = re.search(rf'href="({re.escape(reverse(there))}\?[^"]*)"', page)
    assert link is not None
    target = link.group(1).replace("&amp;", "&")
    assert "measure=" not in target
    assert client.get(target).status_code == 200
