"""Query counts of the dashboards are pinned, so an N+1 (a query per force, month or
row) fails here. The counts do not depend on how much data is stored."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.dashboards.conftest import load_returns

# Session and user (2), the org unit and the area picker (2), the catalogue (1), the latest
# month (1); then the engine, once for the whole page (engine.query_many): the forces (1)
# and every metric's values in one grouped query (1); the navigation (1); saving the session
# (3: it is saved on every request). The MS dashboard's metrics include some that a derived
# source (the register) may give: the engine asks once which forces take them from it (1);
# no force does here, so no query for the register's figures follows.
NATIONAL_MS_QUERIES = 14
NATIONAL_OIC_QUERIES = 14  # + the intelligence logs' sender lookup (issue 12)


@pytest.mark.parametrize(
    ("name", "expected"),
    [("dashboard-ms", NATIONAL_MS_QUERIES), ("dashboard-oic", NATIONAL_OIC_QUERIES)],
)
def test_national_dashboard_query_count_is_pinned(
    client, national_analyst, django_assert_num_queries, name, expected
):
    load_returns({"kent": 5})
    client.force_login(national_analyst)
    client.get(reverse(name))  # warm the catalogue cache
    with django_assert_num_queries(expected):
        assert client.get(reverse(name)).status_code == 200
    # Three times the forces and the same months: the same number of queries.
    load_returns({"essex": 4, "cleveland": 2})
    with django_assert_num_queries(expected):
        assert client.get(reverse(name)).status_code == 200


# A partner's page: as the national page, then the figures of people by financial year
# (every year and every breakdown of every people metric) from one more engine call
# (partner.section asks query_many once): the forces (1), which forces take a metric from
# the register (1) and the values (1). Asked block by block, it was 36.
PARTNER_MS_QUERIES = 15


def test_partner_dashboard_query_count_is_pinned(client, partner_user, django_assert_num_queries):
    load_returns({"kent": 5})
    client.force_login(partner_user)
    client.get(reverse("dashboard-ms"))  # warm the catalogue cache
    with django_assert_num_queries(PARTNER_MS_QUERIES):
        assert client.get(reverse("dashboard-ms")).status_code == 200
    load_returns({"essex": 4, "cleveland": 2})
    with django_assert_num_queries(PARTNER_MS_QUERIES):
        assert client.get(reverse("dashboard-ms")).status_code == 200
