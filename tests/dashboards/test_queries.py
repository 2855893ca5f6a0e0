"""Query counts of the dashboards are pinned, so an N+1 (a query per force, month or
row) fails here. The counts do not depend on how much data is stored."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.dashboards.conftest import load_returns

# Session and user (2), the org unit and the area picker (2), the catalogue (1), the latest
# month (1); then the engine: per query() one for the forces and one or two per window
# (totals, options), per series() one for the forces and one or two for values; the
# navigation (1); saving the session (3: it is saved on every request). A window of a metric
# that forces may derive from their register (msoic.cases.dde) asks once which forces do
# (12 such windows on the MS dashboard); no force does here, so no register query follows.
# The block saying where the figures come from reuses the headline's answers and asks only
# for Duty to Notify reports (5).
NATIONAL_MS_QUERIES = 56
NATIONAL_OIC_QUERIES = 36


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
