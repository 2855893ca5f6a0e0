"""A partner attacks the figures from returns: every financial year, total and by age
group, with and without the previous year, JSON and CSV, from /api/v1/values and from the
dashboards' downloads. Solving everything they were given, they learn no count under 5;
asking again gives the same figures; months, quarters and monthly series are refused.
Forces, coordinators and the unit still get the engine's exact answer."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Hashable
from typing import Any

import pytest
from django.test import Client

from msoic.collection.actions import do_submit_return
from msoic.disclosure.policy import get_policy
from msoic.metrics import engine
from msoic.metrics.periods import Period, format_month
from msoic.orgunits.models import OrgUnit
from tests.conftest import csv_bytes
from tests.disclosure.attacker import Attacker

URL = "/api/v1/values"
METRIC = "ms_nrm_referrals"
AGES = ["adult", "child", "unknown"]
YEARS = [2021, 2022, 2023]


@pytest.fixture
def referrals(national_analyst: Any) -> dict[tuple[str, str], int]:
    """Three forces' monthly police NRM referrals by age group, FY2021-22 to FY2023-24:
    adults most months, children and unknown ages rare. Returns the true national count
    by (financial year, age group)."""
    rng = random.Random(10)
    rows: list[list[Any]] = []
    truth: dict[tuple[str, str], int] = {}
    for year in YEARS:
        fy = Period.financial_year_starting(year)
        for month in fy.months():
            for force in ("kent", "essex", "cleveland"):
                ages = {
                    "adult": rng.randint(0, 4),
                    "child": 1 if rng.random() < 0.03 else 0,
                    "unknown": 1 if rng.random() < 0.08 else 0,
                }
                period = format_month(month)
                rows.append([force, period, METRIC, "", sum(ages.values()), ""])
                rows.append([force, period, "ms_recorded_crimes", "", rng.randint(0, 3), ""])
                for age, n in ages.items():
                    rows.append([force, period, METRIC, f"age_group={age}", n, ""])
                    truth[(fy.code, age)] = truth.get((fy.code, age), 0) + n
    outcome = do_submit_return("history.csv", csv_bytes(rows), actor=national_analyst)
    assert outcome.status == "accepted", outcome.as_dict()
    return truth


def _figure(value: Any, withheld: Any) -> int | None:
    return None if withheld else value


def _rows(response: Any) -> dict[str, str]:
    assert response.status_code == 200
    return {r[0]: r[1] for r in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))}


def _value(text: str) -> int | None:
    return None if text in ("<5", "[c]", "no figure") else int(text.replace(",", ""))


def _csv(response: Any) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.usefixtures("returns_counted_complete")
def test_a_partner_solving_every_released_figure_learns_no_count_under_5(
    referrals, api_as, partner_user
):
    threshold = get_policy().threshold
    api = api_as("partner")
    web = Client()
    web.force_login(partner_user)
    attacker = Attacker()
    unknowns = {fy_age: n for fy_age, n in referrals.items() if n}  # empty groups are known
    released: dict[tuple[str, str], int | None] = {}

    def learn(fy: str, key: str, value: int | None) -> None:
        group: list[Hashable] = [
            k for k in unknowns if k[0] == fy and (key == "total" or k[1] == key)
        ]
        truth = sum(unknowns[k] for k in group)
        if (fy, key) in released:
            assert released[(fy, key)] == value, "the same cell gave two figures"
        released[(fy, key)] = value
        if value is not None:
            assert value >= threshold and abs(value - truth) <= 2
            attacker.learn(group, value)

    for year in range(2015, 2027):
        fy = Period.financial_year_starting(year)
        for by in (None, "age_group"):
            for compare in (None, "previous-year"):
                params = {"metric": METRIC, "period": fy.code}
                if by:
                    params["by"] = by
                if compare:
                    params["compare"] = compare
                response = api.get(URL, params)
                if year == 2026:
                    assert (
                        response.status_code == 400 and "not over yet" in response.json()["error"]
                    )
                    continue
                assert response.status_code == 200, response.json()
                body = response.json()
                assert body["value_from_register"] is None
                learn(fy.code, "total", _figure(body["value"], body.get("withheld")))
                if compare:
                    prev = fy.previous_year().code
                    learn(
                        prev,
                        "total",
                        _figure(body["previous_value"], body.get("previous_withheld")),
                    )
                for row in body.get("rows", []):
                    learn(fy.code, row["key"], _figure(row["value"], row["withheld"]))
                    if compare:
                        learn(
                            prev,
                            row["key"],
                            _figure(row["previous_value"], row["previous_withheld"]),
                        )
                lines = _csv(api.get(URL, {**params, "format": "csv"}))
                for line in lines:
                    key = line.get("key") or "total"
                    text = line["value"]
                    value = None if text in ("<5", "[c]", "") else int(text)
                    if text or released.get((fy.code, key)) is not None:
                        learn(fy.code, key, value)
    # the dashboards' financial-year tables give the same figures for the same cells
    by_year = _rows(web.get(f"/dashboards/ms/data/fy-{METRIC}.csv?period=2024-03"))
    for year in YEARS:
        fy = Period.financial_year_starting(year)
        assert _value(by_year[fy.label]) == released[(fy.code, "total")]
    by_age = _rows(web.get(f"/dashboards/ms/data/fy-{METRIC}-age_group.csv?period=2024-03"))
    assert _value(by_age["Child (under 18)"]) == released[("FY2023-24", "child")]
    assert _value(by_age["Total"]) == released[("FY2023-24", "total")]

    learned = []
    for (fy, age), n in referrals.items():
        if 0 < n < threshold:
            answer = attacker.solve([(fy, age)])
            if answer is not None:
                learned.append(f"{fy} {age}: true {n}, solved {answer}")
    assert any(0 < n < threshold for n in referrals.values())  # there was something to find
    assert learned == [], "\n".join(learned)


@pytest.mark.parametrize("period", ["2023-05", "FY2023-24-Q1", "2023", "R12-2024-03"])
def test_overlapping_periods_and_monthly_series_are_refused_to_a_partner(referrals, api_as, period):
    api = api_as("partner")
    response = api.get(URL, {"metric": METRIC, "period": period})
    assert response.status_code == 400
    assert "financial years" in response.json()["error"]
    series = api.get("/api/v1/series", {"metric": METRIC, "start": "2023-04", "end": "2024-03"})
    assert series.status_code == 400 and "counts people" in series.json()["error"]
    # activity is released exactly, for any period
    crimes = api.get(URL, {"metric": "ms_recorded_crimes", "period": period})
    exact = engine.query("ms_recorded_crimes", OrgUnit.objects.get(code="national"), period)
    assert crimes.status_code == 200 and crimes.json()["value"] == exact.value


@pytest.mark.parametrize("persona", ["national", "kent", "eastern"])
def test_internal_users_get_the_exact_answer(referrals, api_as, persona):
    unit = "national" if persona == "national" else persona
    body = (
        api_as(persona)
        .get(URL, {"metric": METRIC, "orgunit": unit, "period": "2023-05", "by": "age_group"})
        .json()
    )
    expected = engine.query(
        METRIC, OrgUnit.objects.get(code=unit), "2023-05", by="age_group"
    ).as_dict()
    assert body["value"] == expected["value"] and body["rows"] == expected["rows"]
    assert "disclosure" not in body


@pytest.mark.usefixtures("returns_counted_complete")
def test_partner_dashboard_shows_people_by_financial_year_only(referrals, partner_user):
    web = Client()
    web.force_login(partner_user)
    page = web.get("/dashboards/ms/?period=2024-03")
    assert page.status_code == 200
    headline = [item.metric.code for item in page.context["headline"]]
    assert METRIC not in headline and "ms_recorded_crimes" in headline
    blocks = [b.id for s in page.context["sections"] for b in s.blocks]
    assert f"trend-{METRIC}" not in blocks and "sources" not in blocks
    assert f"fy-{METRIC}" in blocks and f"fy-{METRIC}-age_group" in blocks
    for block in (f"trend-{METRIC}", f"split-{METRIC}-age_group", "sources"):
        assert web.get(f"/dashboards/ms/data/{block}.csv?period=2024-03").status_code == 403
    rows = _rows(web.get(f"/dashboards/ms/data/fy-{METRIC}-age_group.csv?period=2024-03"))
    assert referrals[("FY2023-24", "child")] < 5 and rows["Child (under 18)"] == "<5"
    total = sum(n for (fy, _), n in referrals.items() if fy == "FY2023-24")
    shown = _value(rows["Total"])
    assert shown is not None and abs(shown - total) <= 2


def test_the_unit_dashboard_is_unchanged(referrals, national_analyst):
    web = Client()
    web.force_login(national_analyst)
    page = web.get("/dashboards/ms/?period=2024-03")
    blocks = [b.id for s in page.context["sections"] for b in s.blocks]
    assert f"trend-{METRIC}" in blocks and not any(b.startswith("fy-") for b in blocks)
    assert METRIC in [item.metric.code for item in page.context["headline"]]
