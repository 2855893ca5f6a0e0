"""``msoic demo`` for real: the full history, loaded once for this module, then checked.

The demo runs once (module-scoped, inside a transaction rolled back at the end so other
modules see an empty database). Every calibrated figure is read back through the metric
engine and compared with the report's National Context table, typed here independently
of the demo's own settings file.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from datetime import date
from types import SimpleNamespace

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db.models import Count, Sum

from msoic.accounts.models import User
from msoic.audit.log import verify_chain
from msoic.audit.models import AuditEvent
from msoic.catalogue.loader import get_catalogue
from msoic.collection.models import Submission, SubmissionVersion, Value
from msoic.demo.config import load_config
from msoic.metrics import engine
from msoic.metrics.periods import add_months
from msoic.orgunits.models import OrgUnit
from tests.conftest import module_data

DEMO_PASSWORD = "Insight-demo-2024"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with module_data(django_db_blocker):
        out = io.StringIO()
        call_command("demo", "--only", "returns", stdout=out)
        yield SimpleNamespace(output=out.getvalue())


@pytest.fixture
def nation(demo, db):
    return OrgUnit.objects.get(kind="national")


# The report's National Context table (annual report 2023/24, section 4).
@pytest.mark.parametrize(
    ("metric", "period", "value", "previous_period", "previous_value", "change"),
    [
        ("ms_live_investigations", "R12-2024-02", 3552, "R12-2023-02", 3884, -8.5),
        ("ms_recorded_crimes", "R12-2024-02", 9197, "R12-2023-02", 10315, -10.8),
        ("ms_nrm_referrals", "R12-2024-02", 3604, "R12-2023-02", 3592, 0.3),
        ("oic_disruptions", "FY2023-24", 614, "FY2022-23", 370, 65.9),
        ("oic_soc_master_list", "2024-07", 78, "2023-07", 54, 44.4),
    ],
)
def test_engine_reproduces_the_national_context_table(
    nation, metric, period, value, previous_period, previous_value, change
):
    result = engine.query(metric, nation, period, compare="previous-year").as_dict()
    assert result["value"] == value
    assert result["previous_period"] == previous_period
    assert result["previous_value"] == previous_value
    assert result["change_pct"] == change
    assert result["complete"] and result["previous_complete"]
    assert result["change_flag"] == ""


def test_exploitation_mix_matches_the_report(nation):
    result = engine.query("ms_live_investigations", nation, "2024-02", by="exploitation_type")
    shares = {row.key: row.share for row in result.rows}
    assert shares["criminal"] == pytest.approx(0.60, abs=0.005)
    assert shares["sexual"] == pytest.approx(0.17, abs=0.005)
    assert shares["labour"] == pytest.approx(0.16, abs=0.005)
    assert shares["domestic_servitude"] == pytest.approx(0.03, abs=0.005)
    assert shares["organ_harvesting"] + shares["other"] == pytest.approx(0.04, abs=0.005)
    assert sum(row.value for row in result.rows) == result.value


def test_criminal_exploitation_share_has_risen_over_the_years(nation):
    def criminal_share(month: str) -> float:
        rows = engine.query("ms_live_investigations", nation, month, by="exploitation_type").rows
        return next(r.share for r in rows if r.key == "criminal")

    assert criminal_share("2021-04") < criminal_share("2022-04") < criminal_share("2024-02")


def test_recorded_crime_held_steady_per_quarter_then_fell_in_2023_24(nation):
    points = engine.series("ms_recorded_crimes", nation, date(2021, 4, 1), date(2024, 3, 1))
    by_month = {p.month: p.value for p in points}
    quarters = [date(2021, 4, 1)]
    while quarters[-1] < date(2024, 1, 1):
        quarters.append(add_months(quarters[-1], 3))
    totals = {q: sum(by_month[add_months(q, i)] for i in range(3)) for q in quarters}
    for q, total in totals.items():
        if q < date(2023, 4, 1):
            assert 2500 <= total <= 2700, (q, total)
        else:
            assert total < 2500, (q, total)


def test_live_investigations_stay_around_four_thousand(nation):
    points = engine.series("ms_live_investigations", nation, date(2021, 4, 1), date(2024, 9, 1))
    values = [p.value for p in points if p.received == p.expected]
    assert len(values) == 41  # every month but the last, when two forces had not returned
    assert all(3400 <= v <= 4200 for v in values)
    assert max(values) > 3900


def test_hashtag_logs_are_absent_before_august_2023_and_grow_after(nation):
    assert not Value.objects.filter(
        metric="oic_intel_logs_tagged", period__lt=date(2023, 8, 1)
    ).exists()
    points = engine.series("oic_intel_logs_tagged", nation, date(2023, 8, 1), date(2024, 7, 1))
    assert points[0].value and points[-1].value and points[0].value < points[-1].value
    # "Since its introduction, the hashtag has accumulated over 1,300 records."
    assert engine.query("oic_intel_logs_tagged", nation, "R12-2024-07").value > 1300


def test_history_covers_every_force_from_april_2021_to_september_2024(nation):
    assert OrgUnit.objects.forces().count() == 43
    periods = set(Submission.objects.values_list("period", flat=True))
    assert min(periods) == date(2021, 4, 1)
    assert max(periods) == date(2024, 9, 1)
    per_force = Submission.objects.values("orgunit").annotate(n=Count("id"))
    assert len(per_force) == 43
    assert Submission.objects.filter(current_version__isnull=False).count() == 43 * 42 * 2 - 5


def test_bigger_forces_report_more(nation):
    def live(code: str) -> int:
        return engine.query(
            "ms_live_investigations", OrgUnit.objects.get(code=code), "2024-02"
        ).value

    assert live("metropolitan") > live("greater-manchester") > live("kent") > live("dyfed-powys")
    assert live("dyfed-powys") > live("city-of-london")


def test_late_returns_were_first_received_after_the_deadline(nation):
    due = get_catalogue().datasets["ms-monthly"].due_day
    subs = list(Submission.objects.select_related("orgunit").exclude(first_received_at=None))
    late = {(s.orgunit.code, s.dataset, s.period) for s in subs if s.is_late(due)}
    assert ("kent", "ms-monthly", date(2023, 11, 1)) in late
    assert ("essex", "oic-monthly", date(2022, 12, 1)) in late
    assert 5 <= len(late) <= 20
    kent = next(
        s
        for s in subs
        if (s.orgunit.code, s.dataset, s.period) == ("kent", "ms-monthly", date(2023, 11, 1))
    )
    assert kent.first_received_at.date() == date(2023, 12, 22)
    on_time = next(
        s
        for s in subs
        if (s.orgunit.code, s.dataset, s.period) == ("kent", "ms-monthly", date(2023, 10, 1))
    )
    assert not on_time.is_late(due)
    assert on_time.first_received_at.date() == date(2023, 11, 11)


def test_missing_returns_leave_the_newest_months_incomplete(nation):
    assert not Submission.objects.filter(
        orgunit__code="city-of-london", dataset="ms-monthly", period=date(2024, 9, 1)
    ).exists()
    result = engine.query("ms_live_investigations", nation, "2024-09")
    assert not result.coverage.complete
    assert set(result.coverage.missing_forces) == {"city-of-london", "cumbria"}
    oic = engine.query("oic_soc_master_list", nation, "2024-08")
    assert oic.coverage.missing_forces == ["dyfed-powys"]


def test_breakdowns_add_up_to_totals_for_every_return(nation):
    current = Value.objects.filter(is_current=True)
    totals = {
        (v["orgunit_id"], v["period"], v["metric"]): v["value"]
        for v in current.filter(breakdown="").values("orgunit_id", "period", "metric", "value")
    }
    sums = (
        current.exclude(breakdown="")
        .values("orgunit_id", "period", "metric", "breakdown")
        .annotate(s=Sum("value"))
    )
    seen = defaultdict(set)
    for row in sums:
        key = (row["orgunit_id"], row["period"], row["metric"])
        assert row["s"] == totals[key], row
        seen[row["metric"]].add(row["breakdown"])
    assert seen == {
        "ms_live_investigations": {"exploitation_type"},
        "ms_nrm_referrals": {"age_group"},
        "oic_disruptions": {"level"},
    }


def test_every_metric_of_the_catalogue_has_values(nation):
    catalogue = get_catalogue()
    stored = set(Value.objects.values_list("metric", flat=True).distinct())
    # The monthly returns' metrics; other capabilities' datasets have demos of their own.
    monthly = {
        m for ds in catalogue.datasets.values() if ds.frequency == "monthly" for m in ds.metrics
    }
    assert stored == monthly


def test_older_returns_are_approved_by_the_national_demo_user(nation):
    cutoff = date(2024, 3, 1)
    assert not Submission.objects.filter(period__lte=cutoff, locked=False).exists()
    assert not Submission.objects.filter(period__gt=cutoff, locked=True).exists()
    approvers = set(
        Submission.objects.filter(locked=True).values_list("approved_by__username", flat=True)
    )
    assert approvers == {"national.demo"}


def test_corrected_returns_keep_their_first_version(nation):
    sub = Submission.objects.get(
        orgunit__code="essex", dataset="ms-monthly", period=date(2024, 5, 1)
    )
    versions = list(sub.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert sub.current_version == versions[1]
    first = Value.objects.get(version=versions[0], metric="ms_arrests", breakdown="")
    final = Value.objects.get(version=versions[1], metric="ms_arrests", breakdown="")
    assert first.value == 0 and not first.is_current
    assert final.value > 0 and final.is_current
    assert versions[1].received_at > versions[0].received_at


def test_values_flagged_by_the_outlier_rule_carry_the_forces_comment(nation):
    value = Value.objects.get(
        orgunit__code="west-yorkshire",
        period=date(2023, 10, 1),
        metric="ms_arrests",
        breakdown="",
        is_current=True,
    )
    assert "Day of action" in value.comment


def test_the_pipeline_flagged_those_rises_and_took_the_comment_as_the_explanation(nation):
    flagged = {
        (v.submission.orgunit.code, v.submission.period): [
            w["rule"] for w in v.acknowledged_warnings
        ]
        for v in SubmissionVersion.objects.exclude(acknowledged_warnings=[]).select_related(
            "submission__orgunit"
        )
    }
    assert flagged == {
        ("west-yorkshire", date(2023, 10, 1)): ["unusually_high"],
        ("lancashire", date(2024, 4, 1)): ["unusually_high"],
    }


def test_all_returns_came_through_the_pipeline_as_csv_files(nation):
    versions = SubmissionVersion.objects.all()
    assert not versions.filter(file=None).exists()
    assert set(versions.values_list("source", flat=True)) == {"csv"}
    assert set(versions.values_list("submitted_by__username", flat=True)) == {"national.demo"}
    returns = AuditEvent.objects.filter(action="collection", object_type="collection.submission")
    assert returns.count() == Submission.objects.count()


@pytest.mark.parametrize(
    ("username", "role", "orgunit"),
    [
        ("kent.demo", "force", "kent"),
        ("essex.demo", "force", "essex"),
        ("eastern.demo", "regional", "eastern"),
        ("national.demo", "national", "national"),
        ("nca.demo", "partner", "nca"),
        ("admin.demo", "admin", None),
    ],
)
def test_one_demo_user_per_role_can_log_in(nation, username, role, orgunit):
    user = authenticate(username=username, password=DEMO_PASSWORD)
    assert user is not None
    assert user.role == role
    assert (user.orgunit.code if user.orgunit else None) == orgunit


def test_the_command_prints_credentials_and_the_calibrated_figures(demo, nation):
    # `nation` (a database test) keeps this test beside the others: pytest-django runs
    # tests without database access last, which would build the module's demo twice.
    out = demo.output
    assert "kent.demo" in out and DEMO_PASSWORD in out and "demo only" in out
    assert "ms_live_investigations R12-2024-02: 3552 ok" in out
    assert "change -8.5%" in out
    assert "MISMATCH" not in out
    assert "97 files, 97 accepted, 0 unchanged" in out
    # each step is said as it starts, before the summary (a long build is not silent)
    steps = [line for line in out.splitlines() if line.startswith("[") and " s] " in line]
    assert [s.split(" s] ", 1)[1] for s in steps] == [
        "returns: 97 files through the collection pipeline",
        "returns: approving the older months",
        "checking the figures against the annual report",
    ]
    assert out.index(steps[-1]) < out.index("kent.demo")


def test_running_it_again_changes_nothing(nation):
    counts = (
        SubmissionVersion.objects.count(),
        Value.objects.count(),
        User.objects.count(),
        AuditEvent.objects.count(),
        Submission.objects.filter(locked=True).count(),
    )
    out = io.StringIO()
    call_command("demo", "--only", "returns", "--files", stdout=out)
    text = out.getvalue()
    assert "97 files, 0 accepted, 97 unchanged" in text
    assert text.count(": UNCHANGED") == 97
    assert "(created)" not in text
    assert text.count("already there") == len(load_config().users)  # every demo account
    assert counts == (
        SubmissionVersion.objects.count(),
        Value.objects.count(),
        User.objects.count(),
        AuditEvent.objects.count(),
        Submission.objects.filter(locked=True).count(),
    )


def test_audit_chain_verifies_after_the_demo(nation):
    assert verify_chain().ok
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "audit log intact" in out.getvalue()


def test_calibration_file_cites_the_report_and_engine_code_holds_none_of_its_figures():
    from pathlib import Path

    import msoic

    text = (Path(msoic.__file__).parent / "demo" / "calibration.yaml").read_text(encoding="utf-8")
    assert "National Context" in text
    figures = {str(t.value) for t in load_config().targets}
    package = Path(msoic.__file__).parent
    sources = [
        *package.glob("metrics/**/*.py"),
        *package.glob("templates/**/*.html"),
        *package.glob("*/templates/**/*.html"),
        *(p for p in package.glob("static/**/*.js") if "vendor" not in p.parts),
    ]
    assert sources
    for path in sources:
        body = path.read_text(encoding="utf-8")
        leaked = sorted(f for f in figures if re.search(rf"(?<![\w.#-]){f}(?![\w.%-])", body))
        assert not leaked, f"{path.name} contains {leaked}"
