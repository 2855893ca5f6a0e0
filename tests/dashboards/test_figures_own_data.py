"""Dashboard figures on returns of a test's own (or none): a complete comparison carries no
flag, a missing force is counted, and a dataset without returns says so. (The tests on the
shared returns of tests/dashboards/conftest.py are in test_figures.py.)"""

from __future__ import annotations

import pytest
from django.urls import reverse

from msoic.orgunits.models import OrgUnit
from tests.dashboards.conftest import load_rows

MS = reverse("dashboard-ms")
OIC = reverse("dashboard-oic")


@pytest.mark.django_db
def test_a_complete_comparison_carries_no_flag(client, national_analyst):
    forces = OrgUnit.objects.forces().values_list("code", flat=True)
    rows = [
        [f, m, "oic_soc_master_list", "", 2, ""] for f in forces for m in ("2023-07", "2024-07")
    ]
    load_rows(rows)
    client.force_login(national_analyst)
    response = client.get(OIC, {"period": "2024-07"})
    soc = next(i for i in response.context["headline"] if i.metric.code == "oic_soc_master_list")
    cell = soc.cells[0]
    assert (cell.value, cell.previous_value, cell.change_pct) == (86, 86, 0.0)
    assert not cell.incomplete
    assert cell.flag == "" and cell.previous_flag == ""


@pytest.mark.django_db
def test_one_missing_force_is_named_as_a_count(client, national_analyst):
    forces = list(OrgUnit.objects.forces().values_list("code", flat=True))
    rows = [[f, "2023-07", "oic_soc_master_list", "", 2, ""] for f in forces]
    rows += [[f, "2024-07", "oic_soc_master_list", "", 3, ""] for f in forces if f != "kent"]
    load_rows(rows)
    client.force_login(national_analyst)
    response = client.get(OIC, {"period": "2024-07"})
    soc = next(i for i in response.context["headline"] if i.metric.code == "oic_soc_master_list")
    assert soc.cells[0].flag == "incomplete: 1 force not returned"
    assert soc.cells[0].previous_flag == ""
    assert "incomplete: 1 force not returned" in response.content.decode()


@pytest.mark.django_db
def test_no_returns_yet_says_so(client, national_analyst):
    client.force_login(national_analyst)
    response = client.get(MS)
    assert response.status_code == 200
    assert "No returns have been received for this dataset yet" in response.content.decode()
