"""A force on direct data entry for a metric is no longer asked for it: the XLSX template
and the web form leave it out from the adoption month, and a file that still carries it
is refused with a message saying the figure comes from the register. Other forces, and
earlier months, are unchanged."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from msoic.cases.register.dde import do_set_dde_adoption
from msoic.collection.models import Value
from msoic.collection.pipeline import import_file
from msoic.orgunits.models import OrgUnit
from tests.conftest import csv_bytes

pytestmark = pytest.mark.django_db

DDE = {"ms_live_investigations", "ms_nrm_referrals", "ms_dtn_reports"}


@pytest.fixture
def kent_on_register(db):
    kent = OrgUnit.objects.get(code="kent")
    for metric in DDE:
        do_set_dde_adoption(kent, metric, date(2024, 1, 1), actor="test")
    return kent


def template_metrics(client, user, force: str, period: str) -> set[str]:
    client.force_login(user)
    url = reverse("returns-template", args=["ms-monthly", force, period])
    response = client.get(url)
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content))["Return"]
    rows = list(ws.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r and r[0] == "force")
    return {r[2] for r in rows[header + 1 :] if r and r[2]}


def test_template_leaves_out_register_metrics_from_the_adoption_month(
    client, kent_user, essex_user, kent_on_register
):
    assert not DDE & template_metrics(client, kent_user, "kent", "2024-02")
    assert "ms_recorded_crimes" in template_metrics(client, kent_user, "kent", "2024-02")
    assert DDE <= template_metrics(client, kent_user, "kent", "2023-12")
    assert DDE <= template_metrics(client, essex_user, "essex", "2024-02")


def test_entry_form_does_not_ask_for_register_metrics(client, kent_user, kent_on_register):
    client.force_login(kent_user)
    page = client.get(reverse("returns-enter", args=["ms-monthly", "kent", "2024-02"]))
    html = page.content.decode()
    assert 'name="v__ms_live_investigations"' not in html
    assert 'name="v__ms_recorded_crimes"' in html
    assert "counts these from its own records" in html
    assert "(from its investigation register)" in html
    before = client.get(reverse("returns-enter", args=["ms-monthly", "kent", "2023-12"]))
    assert 'name="v__ms_live_investigations"' in before.content.decode()


def test_entry_form_saves_the_other_figures(client, kent_user, kent_on_register):
    client.force_login(kent_user)
    url = reverse("returns-enter", args=["ms-monthly", "kent", "2024-02"])
    response = client.post(
        url, {"v__ms_recorded_crimes": "12", "v__ms_arrests": "3", "v__ms_charges": "1"}
    )
    assert response.status_code == 302
    stored = set(Value.objects.filter(orgunit=kent_on_register).values_list("metric", flat=True))
    assert stored == {"ms_recorded_crimes", "ms_arrests", "ms_charges"}


def test_a_file_with_a_register_metric_is_refused_naming_the_register(kent_user, kent_on_register):
    data = csv_bytes(
        [
            ["kent", "2024-02", "ms_recorded_crimes", "", 12, ""],
            ["kent", "2024-02", "ms_dtn_reports", "", 4, ""],
        ]
    )
    outcome = import_file("kent.csv", data, actor=kent_user)
    assert outcome.status == "rejected"
    [problem] = outcome.errors
    assert problem.rule == "figure_from_register"
    assert problem.row == 3 and problem.column == "C"  # the metric column
    assert "investigation register since January 2024" in problem.message
    assert not Value.objects.exists()


def test_earlier_months_and_other_forces_still_take_the_metric(
    kent_user, essex_user, kent_on_register
):
    kent = import_file(
        "kent.csv", csv_bytes([["kent", "2023-12", "ms_dtn_reports", "", 4, ""]]), actor=kent_user
    )
    assert kent.ok, kent.lines()
    essex = import_file(
        "essex.csv",
        csv_bytes([["essex", "2024-02", "ms_dtn_reports", "", 4, ""]]),
        actor=essex_user,
    )
    assert essex.ok, essex.lines()
