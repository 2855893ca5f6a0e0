"""The figures a dashboard shows are the metric engine's, for the right periods, with
incomplete comparisons flagged; the period picker works without JavaScript. The returns of
tests/dashboards/conftest.py are loaded once for the module; the tests that need other
returns or none are in test_figures_own_data.py."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from django.contrib.humanize.templatetags.humanize import intcomma
from django.urls import reverse

from msoic.dashboards.blocks import TREND_MONTHS, fmt_change, period_for
from msoic.metrics.engine import query, series
from msoic.metrics.periods import Period
from msoic.orgunits.models import OrgUnit

MS = reverse("dashboard-ms")
OIC = reverse("dashboard-oic")


def ou(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize(
    ("policy", "month", "expected"),
    [
        ("r12", date(2024, 2, 1), "R12-2024-02"),
        ("fy", date(2024, 2, 1), "FY2022-23"),  # the last financial year that has ended
        ("fy", date(2024, 3, 1), "FY2023-24"),
        ("fy", date(2024, 9, 1), "FY2023-24"),
        ("month", date(2024, 7, 1), "2024-07"),
    ],
)
def test_headline_period_follows_the_picked_month(policy, month, expected):
    assert period_for(policy, month).code == expected


@pytest.mark.usefixtures("dashboard_returns_for_module")
def test_default_month_is_the_latest_with_returns(client, national_analyst):
    client.force_login(national_analyst)
    response = client.get(MS)
    assert response.context["month"] == date(2024, 2, 1)
    assert re.search(
        r'<option value="2024-02"[^>]*selected[^>]*>February 2024</option>',
        response.content.decode(),
    )


@pytest.mark.usefixtures("dashboard_returns_for_module")
def test_national_headline_figures_are_the_engines(client, national_analyst):
    client.force_login(national_analyst)
    response = client.get(MS)
    html = response.content.decode()
    items = response.context["headline"]
    assert [i.metric.code for i in items] == [
        "ms_live_investigations",
        "ms_recorded_crimes",
        "ms_nrm_referrals",
    ]
    for item in items:
        result = query(item.metric.code, ou("national"), "R12-2024-02", compare="previous-year")
        cell = item.cells[0]
        assert (cell.value, cell.previous_value, cell.change_pct) == (
            result.value,
            result.previous_value,
            result.change_pct,
        )
        assert result.value is not None
        assert intcomma(result.value) in html and intcomma(result.previous_value) in html
        assert fmt_change(result.change_pct) in html
    assert "Year to Feb 2024" in html and "Year to Feb 2023" in html
    # 40 of the 43 forces never returned: every national comparison says so.
    assert "incomplete: 40 forces not returned" in html
    assert "incomplete comparison" in html


@pytest.mark.usefixtures("dashboard_returns_for_module")
def test_force_headline_is_the_engines_for_the_force_and_the_nation(client, kent_user):
    client.force_login(kent_user)
    response = client.get(MS, {"period": "2024-02"})
    for item in response.context["headline"]:
        kent, national = item.cells
        assert kent.orgunit.code == "kent" and national.orgunit.code == "national"
        for cell in (kent, national):
            result = query(item.metric.code, cell.orgunit, "R12-2024-02", compare="previous-year")
            assert (cell.value, cell.previous_value, cell.change_pct) == (
                result.value,
                result.previous_value,
                result.change_pct,
            )
        # Kent returned every month of both years: its comparison is complete.
        assert not kent.incomplete
        assert national.incomplete


@pytest.mark.usefixtures("dashboard_returns_for_module")
def test_trends_are_the_engines_monthly_values(client, national_analyst):
    client.force_login(national_analyst)
    response = client.get(MS, {"period": "2024-02"})
    blocks = {b.id: b for s in response.context["sections"] for b in s.blocks}
    trend = blocks["trend-ms_recorded_crimes"]
    points = series("ms_recorded_crimes", ou("national"), date(2021, 4, 1), date(2024, 2, 1))
    assert [r["value_national"] for r in trend.rows] == [p.value for p in points]
    assert [r["returns_national"] for r in trend.rows][-1] == "3 of 43"
    spec = trend.charts[0]
    assert [p["value"] for p in spec["data"]["values"]] == [p.value for p in points]
    assert {p["returns"] for p in spec["data"]["values"]} == {"Some returns missing"}


@pytest.mark.django_db
def test_trends_cover_the_36_months_to_the_picked_month():
    from msoic.catalogue.loader import get_catalogue
    from msoic.dashboards.blocks import DASHBOARDS, DashboardData
    from msoic.dashboards.scope import DashboardScope

    scope = DashboardScope(orgunit=ou("national"), comparators=[])
    data = DashboardData(
        DASHBOARDS["ms"], scope, date(2024, 9, 1), "ms_recorded_crimes", get_catalogue()
    )
    assert data.start == date(2021, 10, 1)
    assert len(Period(data.start, data.month, "range").months()) == TREND_MONTHS


@pytest.mark.usefixtures("dashboard_returns_for_module")
def test_trends_start_when_collection_began(client, national_analyst):
    client.force_login(national_analyst)
    response = client.get(MS, {"period": "2022-06"})
    blocks = {b.id: b for s in response.context["sections"] for b in s.blocks}
    rows = blocks["trend-ms_live_investigations"].rows
    assert rows[0]["month"] == "April 2021"  # the dataset's first month
    assert rows[-1]["month"] == "June 2022" and len(rows) == 15
    # Months before these forces' first return are shown as no figure, not zero.
    assert rows[0]["value_national"] is None
    assert "April 2021 to June 2022" in response.content.decode()


@pytest.mark.usefixtures("dashboard_returns_for_module")
def test_exploitation_mix_is_the_engines_share(client, national_analyst):
    client.force_login(national_analyst)
    response = client.get(MS)
    blocks = {b.id: b for s in response.context["sections"] for b in s.blocks}
    mix = blocks["mix-ms_live_investigations-exploitation_type"]
    result = query("ms_live_investigations", ou("national"), "2024-02", by="exploitation_type")
    assert [(r["option"], r["value"]) for r in mix.rows] == [
        (r.label, r.value) for r in result.rows
    ]
    criminal = next(r for r in mix.rows if r["option"] == "Criminal exploitation")
    engine_criminal = next(r for r in result.rows if r.key == "criminal")
    assert criminal["share"] == round(engine_criminal.share * 100, 1)


@pytest.mark.usefixtures("dashboard_returns_for_module")
def test_region_and_force_breakdowns_are_the_engines(client, national_analyst):
    client.force_login(national_analyst)
    response = client.get(MS, {"measure": "ms_recorded_crimes"})
    blocks = {b.id: b for s in response.context["sections"] for b in s.blocks}
    by_region = query(
        "ms_recorded_crimes", ou("national"), "R12-2024-02", by="region", compare="previous-year"
    )
    assert [
        (r["code"], r["value"], r["previous"], r["change"]) for r in blocks["regions"].rows
    ] == [(r.key, r.value, r.previous_value, r.change_pct) for r in by_region.rows]
    eastern = next(r for r in blocks["regions"].rows if r["code"] == "eastern")
    assert eastern["flag"] == "incomplete"  # five Eastern forces never returned
    by_force = {r["code"]: r for r in blocks["forces"].rows}
    assert len(by_force) == 43
    kent = query("ms_recorded_crimes", ou("kent"), "R12-2024-02", compare="previous-year")
    assert by_force["kent"]["value"] == kent.value and by_force["kent"]["flag"] == ""


@pytest.mark.usefixtures("dashboard_returns_for_module")
def test_oic_headline_disruptions_by_financial_year_and_soc_list_as_at_the_month(
    client, national_analyst
):
    client.force_login(national_analyst)
    response = client.get(OIC, {"period": "2024-02"})
    items = {i.metric.code: i for i in response.context["headline"]}
    disruptions = items["oic_disruptions"]
    assert disruptions.period.code == "FY2022-23"
    assert disruptions.cells[0].value == query("oic_disruptions", ou("national"), "FY2022-23").value
    soc = items["oic_soc_master_list"]
    assert soc.label == "As at February 2024" and soc.previous_label == "As at February 2023"
    expected = query("oic_soc_master_list", ou("national"), "2024-02", compare="previous-year")
    assert (soc.cells[0].value, soc.cells[0].previous_value) == (
        expected.value,
        expected.previous_value,
    )


@pytest.mark.usefixtures("dashboard_returns_for_module")
def test_period_picker_is_a_plain_get_form(client, national_analyst):
    client.force_login(national_analyst)
    response = client.get(MS, {"period": "2023-06", "orgunit": "eastern"})
    assert response.status_code == 200
    assert response.context["month"] == date(2023, 6, 1)
    item = response.context["headline"][1]
    assert item.period == Period.parse("R12-2023-06")
    html = response.content.decode()
    assert '<form method="get"' in html
    assert re.search(r'<option value="2023-06"[^>]*selected[^>]*>June 2023</option>', html)
    assert '<option value="eastern" selected>' in html


@pytest.mark.usefixtures("dashboard_returns_for_module")
@pytest.mark.parametrize("period", ["2030-01", "2024-13", "R12-2030-02", "FY2023-2", "<script>"])
def test_a_bad_or_unavailable_period_is_refused_with_a_message(client, national_analyst, period):
    client.force_login(national_analyst)
    response = client.get(MS, {"period": period})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and "choose a period from the list" in html.lower()
    assert "<script>" not in text_of(html).replace("&lt;script&gt;", "")


@pytest.mark.usefixtures("dashboard_returns_for_module")
def test_every_chart_spec_is_embedded_as_json_for_the_static_script(client, national_analyst):
    client.force_login(national_analyst)
    html = client.get(MS).content.decode()
    containers = re.findall(r'data-vega-spec="([^"]+)"', html)
    assert len(containers) == 7
    for spec_id in containers:
        m = re.search(rf'<script id="{spec_id}" type="application/json">(.*?)</script>', html, re.S)
        assert m, spec_id
        spec = json.loads(m.group(1))
        assert spec["title"] and spec["description"]
    assert "<script>" not in html  # no inline script: the CSP allows none
    assert 'src="/static/msoic/charts.js"' in html


@pytest.mark.usefixtures("dashboard_returns_for_module")
@pytest.mark.parametrize(
    "code, label",
    [
        ("FY2023-24-Q3", "October to December 2023 (Q3 2023/24)"),
        ("R12-2023-09", "Year to September 2023"),
        ("FY2022-23", "financial year 2022/23"),
        ("2023", "calendar year 2023"),
    ],
)
def test_a_picked_quarter_or_year_covers_every_headline_figure(
    client, national_analyst, code, label
):
    """The one period picker on the dashboard: a wider period than a month is shown in
    words, every headline figure covers it, and links carry its code."""
    client.force_login(national_analyst)
    response = client.get(MS, {"period": code, "orgunit": "eastern"})
    assert response.status_code == 200
    picked = Period.parse(code)
    assert {item.period for item in response.context["headline"]} == {picked}
    assert response.context["month"] == picked.end
    html = response.content.decode()
    assert f"Showing figures for <strong>{label}</strong>" in html
    assert re.search(rf'<option value="{code}"[^>]*selected[^>]*>', html)
    assert f"period={code}" in response.context["other_query"]
    # The figure is the engine's for that period (flows summed over its months).
    eastern = OrgUnit.objects.get(code="eastern")
    crimes = next(i for i in response.context["headline"] if i.metric.code == "ms_recorded_crimes")
    assert crimes.cells[0].value == query("ms_recorded_crimes", eastern, picked).value


@pytest.mark.usefixtures("dashboard_returns_for_module")
def test_the_picker_offers_only_periods_with_figures_in_plain_words(client, national_analyst):
    client.force_login(national_analyst)
    html = client.get(MS).content.decode()
    picker = html[
        html.index('<select name="period"') : html.index(
            "</select>", html.index('<select name="period"')
        )
    ]
    assert '<optgroup label="Quarters (of the financial year)">' in picker
    assert ">October to December 2023 (Q3 2023/24)</option>" in picker
    assert ">Year to February 2024</option>" in picker
    assert ">2022/23</option>" in picker and ">2023</option>" in picker
    # Nothing ending after the newest month with returns (February 2024): not the quarter or
    # the financial year it is in; and no codes as labels.
    assert "Q4 2023/24" not in picker and ">2023/24<" not in picker and "March 2024" not in picker
    assert ">FY" not in picker and ">R12" not in picker
