"""The NRM picture: panels counted from the register, scoped by role, with small counts
withheld (and secondary suppression) for partners in tables, charts and downloads."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from django.core.cache import cache
from django.test import Client

from msoic.cases.nrm import picture as nrm
from msoic.metrics.periods import Period
from msoic.orgunits.models import OrgUnit
from tests.cases.cleanse_world import make_case, make_person

YEAR = Period.parse("2024")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """A partner's released picture is cached by register state; each test starts with none."""
    cache.clear()


def _client(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def victims(db):
    """Kent: 7 referred in March 2024 (2 British, 5 Albanian; women), RG for all 7 (6
    positive) 10 days on, CG positive for 3 in June. Essex: 2 Vietnamese men referred in
    April. Cleveland: 1 referred in May, nationality not known, a child. Plus a Kent suspect
    and a Kent victim referred in 2023 (outside the year)."""
    k = make_case("kent", "K1", date(2024, 1, 10), primary="sexual")
    e = make_case("essex", "E1", date(2024, 1, 10), primary="labour")
    c = make_case("cleveland", "C1", date(2024, 1, 10), primary="criminal")
    for i in range(7):
        make_person(
            k,
            age_group="adult",
            gender="female",
            nationality="GB" if i < 2 else "AL",
            nrm_referred_on=date(2024, 3, 1),
            rg_decision="positive" if i < 6 else "negative",
            rg_decided_on=date(2024, 3, 11),
            cg_decision="positive" if i < 3 else "",
            cg_decided_on=date(2024, 6, 1) if i < 3 else None,
        )
    for _ in range(2):
        make_person(
            e, age_group="adult", gender="male", nationality="VN", nrm_referred_on=date(2024, 4, 2)
        )
    make_person(c, age_group="child", nationality="", nrm_referred_on=date(2024, 5, 5))
    make_person(k, category="suspect", nationality="GB")
    make_person(k, nationality="GB", nrm_referred_on=date(2023, 12, 1))


def _panels(unit: str, secret: bool = False) -> dict[str, nrm.Panel]:
    picture = nrm.Picture(nrm.forces_of(OrgUnit.objects.get(code=unit)), YEAR, secret=secret)
    return {p.id: p for p in picture.panels()}


def _rows(panel: nrm.Panel) -> dict[str, list[str]]:
    return {row[0]: row[1:] for row in panel.rows}


def test_national_panels_count_the_register(victims):
    p = _panels("national")
    over = _rows(p["over-time"])
    assert over["March 2024"] == ["7", "7", "0"]
    assert over["April 2024"] == ["2", "0", "0"]
    assert over["June 2024"] == ["0", "0", "3"]
    assert over["Total"] == ["10", "7", "3"]
    rates = _rows(p["rates"])
    assert rates["Reasonable grounds"] == ["6", "1", "7", "85.7%"]
    assert rates["Conclusive grounds"] == ["3", "0", "3", "100.0%"]
    timing = _rows(p["timing"])
    assert timing["Reasonable grounds"] == ["7", "10"]
    assert timing["Conclusive grounds"] == ["3", "92"]
    assert _rows(p["age"]) == {
        "Adult (18 or over)": ["9"],
        "Child (under 18)": ["1"],
        "Age unknown": ["0"],
        "Total": ["10"],
    }
    assert _rows(p["uk"]) == {"UK": ["2"], "Non-UK": ["7"], "Not known": ["1"], "Total": ["10"]}
    top = _rows(p["nationalities"])
    assert list(top)[:3] == ["Albania", "United Kingdom", "Vietnam"]
    assert top["Other or not known"] == ["1"]
    assert _rows(p["gender"])["Female"] == ["7"]
    expl = _rows(p["exploitation"])
    assert (expl["Sexual exploitation"], expl["Labour exploitation"]) == (["7"], ["2"])


def test_a_region_counts_its_forces_only(victims):
    assert _rows(_panels("eastern")["over-time"])["Total"] == ["9", "7", "3"]
    assert _rows(_panels("essex")["uk"])["Non-UK"] == ["2"]


FY = Period.parse("FY2023-24")  # Kent's 7 in March 2024 and its 1 in December 2023


def _released(text: str) -> int | None:
    return None if text in ("<5", "[c]") else int(text)


def test_partner_panels_withhold_small_counts_and_what_another_panel_would_reveal(victims):
    """FY2023-24, the nation: 8 referred (3 British, 5 Albanian). The UK panel withholds
    3 British and 0 not known, and non-UK (the total minus it would give the British,
    an empty group counting as known); the nationality table lists only nationalities of 5 or more
    (Albania), and withholds Albania too, or the total minus Albania would give the 3
    others. Every shown count is within 2 of the truth and never under 5."""
    picture = nrm.Picture(nrm.forces_of(OrgUnit.objects.get(code="national")), FY, secret=True)
    p = {panel.id: panel for panel in picture.panels()}
    uk = _rows(p["uk"])
    assert uk["UK"] == ["<5"] and uk["Not known"] == ["<5"]
    # no one's nationality is unknown, so the total minus non-UK would give the 3 British
    assert uk["Non-UK"] == ["[c]"]
    top = _rows(p["nationalities"])
    assert list(top) == ["Albania", "Other or not known", "Total"]
    assert top["Albania"] == ["[c]"] and top["Other or not known"] == ["<5"]
    # one total for the same people, wherever it is shown
    totals = {_rows(p[k])["Total"][0] for k in ("age", "uk", "nationalities", "gender")}
    assert totals == {_rows(p["over-time"])["Total"][0]}
    assert abs(int(totals.pop()) - 8) <= 2
    rates = _rows(p["rates"])
    # RG: 6 positive, 1 negative (March 2024): the negative is small, so the positive goes
    assert (
        rates["Reasonable grounds"][:2] == ["[c]", "<5"] and rates["Reasonable grounds"][3] == "[c]"
    )
    assert nrm.NOTE in p["uk"].notes


def test_partner_figures_are_the_same_every_time(victims):
    forces = nrm.forces_of(OrgUnit.objects.get(code="national"))
    first = [panel.rows for panel in nrm.Picture(forces, FY, secret=True).panels()]
    again = [panel.rows for panel in nrm.Picture(forces, FY, secret=True).panels()]
    assert first == again


def test_partner_charts_are_drawn_from_the_released_table(victims):
    picture = nrm.Picture(nrm.forces_of(OrgUnit.objects.get(code="national")), FY, secret=True)
    p = {panel.id: panel for panel in picture.panels()}
    bars = p["uk"].charts[0]["data"]["values"]
    shown = {row[0]: _released(row[1]) for row in p["uk"].rows}
    assert {b["label"]: b["value"] for b in bars} == {
        k: v for k, v in shown.items() if k != "Total"
    }
    points = p["over-time"].charts[0]["data"]["values"]
    assert all(pt["value"] >= 5 for pt in points)
    assert ("2023-12-01", "NRM referrals") not in {(pt["month"], pt["series"]) for pt in points}


@pytest.mark.parametrize(
    "period", ["2024", "FY2023-24-Q4", "2024-03", "R12-2024-03", "FY2099-00", "FY2026-27"]
)
def test_partner_asks_for_ended_financial_years_only(victims, partner_user, period):
    """A quarter, a month, a calendar year or a rolling year overlaps a financial year (a
    quarter minus its months is a month); a year not over would overlap itself later."""
    c = _client(partner_user)
    r = c.get(f"/investigations/nrm/?period={period}")
    assert r.status_code == 400
    assert "financial year" in r.content.decode() or "not over yet" in r.content.decode()
    assert r.context["panels"] == []
    download = c.get(f"/investigations/nrm/data/uk.csv?period={period}")
    assert download.status_code == 400 and period.encode() in download.content


def test_partner_page_and_download_are_national_and_controlled(victims, partner_user):
    c = _client(partner_user)
    r = c.get("/investigations/nrm/")
    assert r.status_code == 200 and r.context["period"].code == "FY2023-24"
    text = r.content.decode()
    assert "&lt;5" in text and "Kent Police" not in text
    assert c.get("/investigations/nrm/?orgunit=kent").status_code == 403
    csv = c.get("/investigations/nrm/data/uk.csv?orgunit=national&period=FY2023-24")
    lines = csv.content.decode("utf-8-sig").splitlines()
    page = {row[0]: row[1] for row in r.context["panels"][4].rows}
    assert lines[0] == "Nationality,Potential victims"
    assert lines[1:] == [f"{k},{v}" for k, v in page.items()]
    assert "UK,<5" in lines and "Not known,<5" in lines


def test_force_sees_its_own_force_unsuppressed(victims, kent_user):
    c = _client(kent_user)
    r = c.get("/investigations/nrm/?period=2024")
    text = r.content.decode()
    assert "Kent Police" in text and "&lt;5" not in text
    for other in ("national", "essex", "eastern"):
        assert c.get(f"/investigations/nrm/?orgunit={other}").status_code == 403
    csv = c.get("/investigations/nrm/data/uk.csv?period=2024").content.decode("utf-8-sig")
    assert "UK,2" in csv


def test_coordinator_chooses_the_region_or_one_of_its_forces(victims, eastern_coordinator):
    c = _client(eastern_coordinator)
    assert c.get("/investigations/nrm/?orgunit=eastern&period=2024").status_code == 200
    assert c.get("/investigations/nrm/?orgunit=essex&period=2024").status_code == 200
    assert c.get("/investigations/nrm/?orgunit=cleveland").status_code == 403
    assert c.get("/investigations/nrm/?orgunit=national").status_code == 403


def test_a_bad_period_is_explained(victims, national_analyst):
    r = _client(national_analyst).get("/investigations/nrm/?period=someday")
    assert r.status_code == 200 and b"is not a period" in r.content


def test_chart_specs_are_embedded_as_json(victims, national_analyst):
    r = _client(national_analyst).get("/investigations/nrm/?period=2024")
    text = r.content.decode()
    found = re.search(r'<script id="chart-uk-0-spec" type="application/json">(.*?)</script>', text)
    assert found is not None
    spec = json.loads(found.group(1))
    assert spec["title"] == "Victims by nationality: UK and non-UK"


def test_unknown_panel_is_not_found(victims, national_analyst):
    r = _client(national_analyst).get("/investigations/nrm/data/nothing.csv")
    assert r.status_code == 404


def test_every_panel_downloads_as_xlsx(victims, national_analyst):
    c = _client(national_analyst)
    for panel in _panels("national"):
        r = c.get(f"/investigations/nrm/data/{panel}.xlsx?period=2024")
        assert r.status_code == 200 and r.content[:2] == b"PK", panel


def test_the_picture_costs_the_same_queries_whatever_the_register(
    victims, django_assert_max_num_queries
):
    forces = nrm.forces_of(OrgUnit.objects.get(code="national"))
    nrm.Picture(forces, YEAR, secret=True).panels()  # the catalogue loaded
    # referrals and decisions by day (3), decisions by outcome and delay (2), the referred
    # by age, gender, nationality and exploitation (1); the catalogue checks its revision
    # each time option labels are read (2)
    with django_assert_max_num_queries(8):
        nrm.Picture(forces, YEAR, secret=True).panels()


@pytest.mark.parametrize(
    "values", [[5], [1, 2], [3, 1, 2], [10, 10, 10, 40], [0, 7, 7, 8, 90, 91], [2, 2, 9, 9]]
)
def test_median_from_a_histogram_is_the_median(values):
    import statistics
    from collections import Counter

    assert nrm.median_of(dict(Counter(values))) == statistics.median(values)


def test_unit_and_coordinator_open_on_the_widest_area_and_the_newest_referrals(
    victims, national_analyst, eastern_coordinator
):
    """No choice made: the unit sees England and Wales, a coordinator their region, over the
    twelve months to the newest referral month in the register (May 2024 here), not an
    empty year to today."""
    r = _client(national_analyst).get("/investigations/nrm/")
    assert r.context["unit"].code == "national"
    assert r.context["period"].code == "R12-2024-05"
    r = _client(eastern_coordinator).get("/investigations/nrm/")
    assert r.context["unit"].code == "eastern"
    assert r.context["period"].code == "R12-2024-04"


def _picker(html: str) -> str:
    start = html.index('<select name="period"')
    return html[start : html.index("</select>", start)]


def test_the_period_picker_offers_periods_with_referrals_in_words(victims, national_analyst):
    c = _client(national_analyst)
    picker = _picker(c.get("/investigations/nrm/").content.decode())
    assert re.search(r'value="R12-2024-05"[^>]*selected[^>]*>Year to May 2024<', picker)
    assert ">January to March 2024 (Q4 2023/24)</option>" in picker
    assert ">2023/24</option>" in picker and ">December 2023</option>" in picker
    assert ">November 2023</option>" not in picker  # no referral before December 2023
    assert ">FY" not in picker and ">R12" not in picker
    r = c.get("/investigations/nrm/?period=FY2023-24-Q4")
    assert r.status_code == 200 and r.context["period"] == Period.parse("FY2023-24-Q4")
    assert re.search(r'value="FY2023-24-Q4"[^>]*selected', _picker(r.content.decode()))
    assert "period=FY2023-24-Q4" in r.context["query"]


def test_a_period_without_referrals_is_refused_in_words(victims, national_analyst):
    r = _client(national_analyst).get("/investigations/nrm/?period=2022")
    assert r.status_code == 200 and r.context["period"].code == "R12-2024-05"
    assert "There are no figures for 2022 here: choose a period from the list" in (
        r.content.decode()
    )


def test_a_partner_is_offered_ended_financial_years_only(victims, partner_user):
    picker = _picker(_client(partner_user).get("/investigations/nrm/").content.decode())
    assert re.findall(r'data-kind="(\w+)"', picker) == ["fy", "fy"]
    assert ">2023/24</option>" in picker and ">2024/25</option>" in picker


def test_a_download_answers_a_well_written_period_but_not_a_bad_one(victims, national_analyst):
    c = _client(national_analyst)
    empty = c.get("/investigations/nrm/data/uk.csv?period=2019")
    assert empty.status_code == 200 and "nrm-uk-national-2019.csv" in empty["Content-Disposition"]
    bad = c.get("/investigations/nrm/data/uk.csv?period=someday")
    assert bad.status_code == 400 and b"is not a period" in bad.content
