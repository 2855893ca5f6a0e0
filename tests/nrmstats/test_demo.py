"""The demo's national NRM statistics: loaded through the importer and the pipeline, with
the shape the annual report describes; and the figures the engine and the report's dates
give from them."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.core.management import call_command

from msoic.accounts.models import User
from msoic.audit.models import AuditEvent
from msoic.collection.models import Submission
from msoic.metrics import dates, engine
from msoic.metrics.periods import Period
from msoic.nrmstats.demo import build_nrm_statistics_demo, plan
from msoic.nrmstats.models import Release
from msoic.nrmstats.source import national, rising_since, sharpest_fall
from tests.conftest import _make, module_data


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Any:
    """The demo's NRM statistics stage, as ``msoic demo`` runs it, without the force returns
    the command always builds first (17 s on SQLite, 39 s on PostgreSQL), which nothing here
    reads: the release is the nation's own return. The command's stages run together in
    tests/reports/test_annual_demo.py and the whole demo in tests/browser/test_home_and_approvals.py."""
    with module_data(django_db_blocker):
        national = _make("national.analyst", "national", None)
        yield "\n".join(build_nrm_statistics_demo(national).lines())


def q(code: str, by: str | None = None, compare: str | None = None, metric: str = "") -> Any:
    return engine.query(
        metric or "nrm_national_referrals", national(), Period.parse(code), by=by, compare=compare
    )


def test_the_demo_loads_one_release_of_37_quarters(demo: str, db: Any) -> None:
    assert "National NRM statistics" in demo and "(37 quarters)" in demo
    release = Release.objects.get()
    assert release.first_quarter == date(2015, 1, 1)
    assert release.last_quarter == date(2024, 1, 1)
    assert release.quarters == 37 and release.changed == 37
    subs = Submission.objects.filter(dataset="nrm-national-quarterly")
    assert subs.count() == 37 and {s.orgunit.code for s in subs} == {national().code}
    assert AuditEvent.objects.filter(object_type="nrmstats.release").count() == 1


def test_the_demo_is_idempotent(demo: str, db: Any) -> None:
    again = build_nrm_statistics_demo(User.objects.get(username="national.analyst"))
    assert "already loaded" in "\n".join(again.lines())
    assert Release.objects.count() == 1


def test_yearly_totals_rise_from_2015_to_2022(demo: str, db: Any) -> None:
    totals = [q(str(y)).value for y in range(2015, 2023)]
    assert totals == sorted(totals) and len(set(totals)) == 8
    assert all(1000 <= t // 4 for t in totals)  # thousands of referrals a quarter
    year, _ = rising_since(2022)
    assert year == 2015


def test_q1_2023_24_falls_more_among_non_police_first_responders(demo: str, db: Any) -> None:
    start, fall, _ = sharpest_fall(Period.parse("FY2023-24"))
    assert start == date(2023, 4, 1) and fall > 10
    now, before = q("FY2023-24-Q1", by="first_responder"), q("FY2022-23-Q4", by="first_responder")
    police = {r.key: r.value for r in now.rows}["police"]
    police_before = {r.key: r.value for r in before.rows}["police"]
    non_police = q("FY2023-24-Q1", metric="nrm_national_referrals_non_police").value
    non_police_before = q("FY2022-23-Q4", metric="nrm_national_referrals_non_police").value
    assert non_police == now.value - police
    police_change = (police - police_before) / police_before
    other_change = (non_police - non_police_before) / non_police_before
    assert other_change < police_change < 0.05 and other_change < -0.1
    # the same against Q1 of the year before
    year_ago = q("FY2023-24-Q1", by="first_responder", compare="previous-year")
    row = {r.key: r for r in year_ago.rows}["police"]
    assert abs(row.change_pct) < 5
    non = q("FY2023-24-Q1", metric="nrm_national_referrals_non_police", compare="previous-year")
    assert non.change_pct < -10
    # police about a third of all referrals
    assert 0.3 <= police_before / before.value <= 0.4


def test_the_dated_facts_read_the_demo(demo: str, db: Any) -> None:
    since = dates.fact("nrm_referrals_rising_since", {"period": "FY2023-24"})
    assert since.on == date(2015, 1, 1) and since.precision == "year"
    fall = dates.fact("nrm_referrals_sharpest_fall", {"period": "FY2023-24"})
    assert fall.on == date(2023, 4, 1) and fall.precision == "quarter"
    assert fall.link == "/nrm-statistics/"


def test_a_force_and_a_region_read_none_of_the_nations_figures(demo: str, db: Any) -> None:
    from msoic.orgunits.models import OrgUnit

    for code in ("kent", "eastern"):
        result = engine.query(
            "nrm_national_referrals", OrgUnit.objects.get(code=code), Period.parse("FY2023-24")
        )
        assert result.value == 0


def test_the_plan_adds_up(db: Any) -> None:
    _, series = plan()
    for start, counts in series.responders.items():
        assert sum(series.exploitation[start].values()) == sum(counts.values())


def test_msoic_query_answers_the_metrics_and_the_dates(demo: str, db: Any) -> None:
    import json

    out = io.StringIO()
    call_command(
        "query",
        "nrm_national_referrals",
        "--period",
        "FY2023-24-Q1",
        "--by",
        "first_responder",
        "--compare",
        "previous-year",
        stdout=out,
    )
    answer = json.loads(out.getvalue())
    rows = {r["key"]: r for r in answer["rows"]}
    assert answer["value"] == sum(r["value"] for r in rows.values()) == 3900
    assert rows["police"]["value"] == 1470
    out = io.StringIO()
    call_command("query", "date", "nrm_referrals_sharpest_fall", "period=FY2023-24", stdout=out)
    assert json.loads(out.getvalue())["value"] == "2023-04-01"


REPORT_TEXT = """title: National context
# Referrals

Referrals rose every year from [[date nrm_referrals_rising_since period=FY show=year id=nrm-since]] and fell in [[date nrm_referrals_sharpest_fall period=FY show=quarter id=nrm-fall-quarter]]: police [[nrm_national_referrals period=FY2023-24-Q1 by=first_responder option=police show=change id=police]], others [[nrm_national_referrals_non_police period=FY2023-24-Q1 show=change id=others]].

|: By year
| Year | Referrals
| 2015 | [[nrm_national_referrals period=2015 id=y2015]]
| 2022 | [[nrm_national_referrals period=2022 id=y2022]]

[[chart nrm_national_referrals by=first_responder period=FY2023-24-Q1 id=chart-nrm title="By first responder"]]
"""


def test_report_tags_read_the_series(demo: str, db: Any) -> None:
    from msoic.reports import actions

    built = actions.build_text(REPORT_TEXT, Period.parse("FY2023-24"))
    assert built.errors == [] and built.warnings == []
    printed = {fid: f["text"] for fid, f in built.figures.items()}
    assert printed == {
        "nrm-since": "2015",
        "nrm-fall-quarter": "Q1 of 2023/24",
        "police": "0.7%",
        "others": "-12.4%",
        "y2015": "4,120",
        "y2022": "16,930",
    }
    publication = actions.build_text(REPORT_TEXT, Period.parse("FY2023-24"), mode="publication")
    assert publication.errors == []  # published statistics: activity, stated exactly
    assert publication.figures["y2022"]["text"] == "16,930"
