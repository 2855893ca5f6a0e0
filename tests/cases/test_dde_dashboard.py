"""The modern slavery dashboard says how much of each DDE metric comes from forces'
investigation registers and how much from returns."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from msoic.cases.models import Investigation
from msoic.cases.register.dde import do_set_dde_adoption
from msoic.orgunits.models import OrgUnit
from tests.metrics.test_engine import load, monthly

pytestmark = pytest.mark.django_db


@pytest.fixture
def kent_on_register(db):
    kent = OrgUnit.objects.get(code="kent")
    do_set_dde_adoption(kent, "ms_live_investigations", date(2023, 4, 1), actor="test")
    for n in range(3):
        Investigation.objects.create(
            force=kent,
            crime_reference=f"MS/{n}",
            opened_on=date(2023, 6, 1),
            primary_exploitation="criminal",
        )
    load(monthly("essex", "ms_live_investigations", "2024-02", 1, 5))
    return kent


def test_sources_block_splits_the_figure_between_register_and_returns(
    client, national_analyst, kent_on_register
):
    client.force_login(national_analyst)
    response = client.get(reverse("dashboard-ms"), {"period": "2024-02"})
    assert response.status_code == 200
    blocks = {b.id: b for s in response.context["sections"] for b in s.blocks}
    rows = [r for r in blocks["sources"].rows if r["measure"] == "MS live investigations"]
    [row] = [r for r in rows if r["area"] == "National"] or rows[:1]
    assert (row["register_forces"], row["from_register"], row["from_returns"]) == (1, 3, 5)
    assert row["share"] == 37.5
    assert row["summary"] == "1 force / 37.5% of the figure from the register, 42 from returns"
    html = response.content.decode()
    assert "Where the figures come from" in html
    assert "1 force / 37.5% of the figure from the register, 42 from returns" in html


def test_sources_block_downloads_as_csv(client, national_analyst, kent_on_register):
    client.force_login(national_analyst)
    url = reverse("dashboard-download", args=["ms", "sources", "csv"])
    response = client.get(url, {"period": "2024-02"})
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "Forces on the register" in text and "37.5" in text
