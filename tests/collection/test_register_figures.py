"""Register-counted figures on a DDE force's return (issue 11 item 4, ADR 0008 and 0011): a
force on direct data entry does not send the metrics its investigation register counts, so
its return's page shows the register's figure, marked "from the investigation register",
instead of "not given", and the completeness grid says which figures come from the register.
Persona: Kent, on DDE for live investigations from January 2024; Essex, not on DDE."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client

from msoic.cases.models import Investigation
from msoic.cases.register.dde import do_set_dde_adoption
from msoic.collection.actions import do_submit_return
from msoic.collection.models import Submission
from msoic.metrics.engine import query
from msoic.orgunits.models import OrgUnit
from tests.conftest import csv_bytes

pytestmark = pytest.mark.django_db

METRIC = "ms_live_investigations"


def ou(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


@pytest.fixture
def kent_on_dde(kent_user, essex_user):
    kent = ou("kent")
    do_set_dde_adoption(kent, METRIC, date(2024, 1, 1), actor="test")
    cases = [
        (date(2023, 5, 1), None, "criminal"),
        (date(2023, 9, 1), None, "sexual"),
        (date(2023, 9, 1), None, "criminal"),
        (date(2023, 5, 1), date(2024, 1, 15), "labour"),  # closed before February ended
    ]
    for n, (opened, closed, primary) in enumerate(cases, start=1):
        Investigation.objects.create(
            force=kent,
            crime_reference=f"MS/{n}",
            opened_on=opened,
            closed_on=closed,
            status="closed" if closed else "live",
            primary_exploitation=primary,
            exploitation_types=[primary],
        )
    for user, force in ((kent_user, "kent"), (essex_user, "essex")):
        for month in ("2023-12", "2024-02"):
            rows = [[force, month, "ms_arrests", "", 3, ""]]
            if force == "essex" or month == "2023-12":  # before adoption Kent still returns it
                rows.append([force, month, METRIC, "", 7, ""])
            outcome = do_submit_return(f"{force}.csv", csv_bytes(rows), actor=user)
            assert outcome.status == "accepted", outcome.lines()


def page(client: Client, user, force: str, month: date) -> str:
    sub = Submission.objects.get(dataset="ms-monthly", orgunit__code=force, period=month)
    client.force_login(user)
    response = client.get(f"/returns/{sub.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def row_of(html: str, label: str) -> str:
    start = html.index(f">{label}<")
    return html[start : html.index("</tr>", start)]


def test_dde_return_shows_the_register_figure_not_not_given(client, kent_user, kent_on_dde):
    html = page(client, kent_user, "kent", date(2024, 2, 1))
    live = row_of(html, "Live modern slavery investigations")
    register = query(METRIC, ou("kent"), "2024-02").value
    assert register == 3  # three cases open at the end of February 2024
    assert re.search(rf"data-from-register>{register}<br>", live)
    assert "from the investigation register" in live and "not given" not in live
    assert "direct data entry since January 2024" in live
    by_type = query(METRIC, ou("kent"), "2024-02", by="exploitation_type")
    criminal = row_of(html, "Exploitation type: Criminal exploitation")
    expected = next(r.value for r in by_type.rows if r.key == "criminal")
    assert f"data-from-register>{expected}<br>" in criminal and expected == 2
    # a figure Kent returns (or could) is shown as sent, blank ones as not given
    assert "data-from-register" not in row_of(html, "Modern slavery arrests")
    assert "not given" in row_of(
        html, "Modern slavery crimes recorded (Home Office classification 106)"
    )


def test_months_before_adoption_and_other_forces_show_what_was_sent(
    client, kent_user, essex_user, kent_on_dde
):
    before = row_of(
        page(client, kent_user, "kent", date(2023, 12, 1)), "Live modern slavery investigations"
    )
    assert "data-from-register" not in before and ">7<" in before
    essex = row_of(
        page(client, essex_user, "essex", date(2024, 2, 1)), "Live modern slavery investigations"
    )
    assert "data-from-register" not in essex and ">7<" in essex


def test_grid_says_which_forces_figures_come_from_the_register(
    client, national_analyst, kent_on_dde
):
    client.force_login(national_analyst)
    html = client.get(
        "/returns/completeness/?dataset=ms-monthly&end=2024-02&months=3"
    ).content.decode()
    kent = html[html.index(">Kent Police") : html.index("</th>", html.index(">Kent Police"))]
    assert (
        "Live modern slavery investigations: from the investigation register since Jan 2024" in kent
    )
    essex = html[html.index(">Essex Police") : html.index("</th>", html.index(">Essex Police"))]
    assert "from the investigation register" not in essex
    # a window ending before the adoption month says nothing of it
    earlier = client.get(
        "/returns/completeness/?dataset=ms-monthly&end=2023-12&months=3"
    ).content.decode()
    assert "from the investigation register" not in earlier
