"""The register demo: 30 forces on direct data entry from April 2022, whose records make
the metric engine give exactly what their returns gave, so the national figures of the
annual report still come out (from the register plus the other forces' returns).

The returns are stored here as values directly (the pipeline is tested by tests/demo,
which builds the same history); the register is built by the demo's own code."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from msoic.accounts.models import User
from msoic.cases import rules
from msoic.cases.demo import build_register_demo, take_register_series
from msoic.cases.models import DDE_METRICS, Category, DdeAdoption, Investigation, Person
from msoic.catalogue.loader import get_catalogue, load_catalogue
from msoic.collection.models import Submission, SubmissionVersion, Value
from msoic.demo.config import load_config
from msoic.demo.generator import generate
from msoic.metrics import engine
from msoic.metrics.periods import Period
from msoic.orgunits.models import OrgUnit
from tests.conftest import module_data


def _store_returns(history) -> None:
    """The history's modern slavery returns as current values (one version per force)."""
    forces = {o.code: o for o in OrgUnit.objects.forces()}
    values = []
    for force in history.forces:
        sub = Submission.objects.create(
            dataset="ms-monthly", orgunit=forces[force], period=date(2021, 4, 1)
        )
        version = SubmissionVersion.objects.create(submission=sub, number=1)
        for month in history.months:
            for row in history.returns.get(("ms-monthly", force, month), []):
                if row.metric in DDE_METRICS:
                    values.append(
                        Value(
                            version=version,
                            orgunit=forces[force],
                            period=month,
                            metric=row.metric,
                            breakdown=row.breakdown,
                            option=row.option,
                            value=row.value,
                        )
                    )
    Value.objects.bulk_create(values, batch_size=5000)


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    with module_data(django_db_blocker):
        load_catalogue(actor="test")
        config = load_config()
        history = generate(
            config, get_catalogue(), list(OrgUnit.objects.forces().values_list("code", flat=True))
        )
        series = take_register_series(history)
        _store_returns(history)
        national = User.objects.create(username="national.register", role="national")
        report = build_register_demo(national, series)
        yield config, series, report, national


@pytest.fixture
def demo(built, db):
    return built


def nation() -> OrgUnit:
    return OrgUnit.objects.get(kind="national")


def test_thirty_forces_are_on_direct_data_entry_from_april_2022(demo):
    _, series, report, _ = demo
    assert len(series.forces) == report.forces == 30
    adoptions = DdeAdoption.objects.all()
    assert adoptions.count() == 30 * len(DDE_METRICS)
    assert {a.from_month for a in adoptions} == {date(2022, 4, 1)}
    assert {"kent", "essex", "cleveland"} <= set(series.forces)
    assert "metropolitan" not in series.forces


@pytest.mark.parametrize(
    ("metric", "period", "value"),
    [
        ("ms_live_investigations", "R12-2023-02", 3884),
        ("ms_live_investigations", "R12-2024-02", 3552),
        ("ms_nrm_referrals", "R12-2023-02", 3592),
        ("ms_nrm_referrals", "R12-2024-02", 3604),
    ],
)
def test_national_figures_are_the_reports_from_register_and_returns(demo, metric, period, value):
    result = engine.query(metric, nation(), period)
    assert result.value == value
    assert result.coverage.complete
    # Most of it now comes from the register.
    assert result.value_from_register is not None
    assert 0.5 < result.value_from_register / value < 0.9


def test_exploitation_mix_is_unchanged(demo):
    config = demo[0]
    mix = config.mix
    result = engine.query(mix.metric, nation(), Period.month(mix.month), by=mix.breakdown)
    for row in result.rows:
        assert row.share == pytest.approx(mix.shares[row.key], abs=0.0006)


def test_every_dde_force_month_is_exactly_what_its_return_said(demo):
    _, series, _, _ = demo
    forces = {o.code: o for o in OrgUnit.objects.filter(code__in=series.forces)}
    start, end = series.months[0], series.months[-1]
    for code in ("kent", "essex", "cleveland", "west-midlands", "dorset"):
        live = engine.series(
            "ms_live_investigations", forces[code], start, end, by="exploitation_type"
        )
        got = {(p.month, p.option): p.value for p in live}
        want = {
            (m, o): v
            for (f, m), opts in series.live.items()
            if f == code
            for o, v in opts.items()
            if o
        }
        assert got == want
        referrals = engine.series("ms_nrm_referrals", forces[code], start, end, by="age_group")
        got = {(p.month, p.option): p.value for p in referrals}
        want = {
            (m, o): v
            for (f, m), opts in series.referrals.items()
            if f == code
            for o, v in opts.items()
            if o
        }
        assert got == want
        dtn = engine.series("ms_dtn_reports", forces[code], start, end)
        assert {p.month: p.value for p in dtn} == {
            m: v for (f, m), v in series.dtn.items() if f == code
        }


def test_about_three_quarters_of_potential_victims_are_not_british(demo):
    referred = Person.objects.filter(category=Category.VICTIM, nrm_referred_on__isnull=False)
    share = referred.exclude(nationality="GB").count() / referred.count()
    assert 0.72 <= share <= 0.78
    top = Counter(referred.values_list("nationality", flat=True)).most_common(7)
    assert {code for code, _ in top} >= {"GB", "AL", "VN", "ER", "SD"}


def test_three_quarters_referred_in_2022_23_were_not_british_through_the_engine(demo):
    """The annual report's "75% of people referred to the NRM in 2022 were not British",
    for the financial year 2022/23 (a count of people is published for financial years
    only): the register's own metric, split by nationality group, counts the people its NRM
    picture counts."""
    result = engine.query(
        "register_nrm_referrals", nation(), Period.parse("FY2022-23"), by="nationality_group"
    )
    rows = {r.key: r.value for r in result.rows}
    referred = Person.objects.filter(
        nrm_referred_on__gte=date(2022, 4, 1), nrm_referred_on__lte=date(2023, 3, 31)
    )
    assert result.value == referred.count() == sum(rows.values())
    assert rows["british"] == referred.filter(nationality="GB").count()
    assert rows["not_known"] == referred.filter(nationality="").count()
    assert result.coverage.complete
    share = 100 * rows["not_british"] / result.value
    assert round(share) == 75, share


def test_register_holds_suspects_decisions_and_duty_to_notify_for_adults(demo):
    people = Person.objects.all()
    assert people.filter(category=Category.SUSPECT, arrested_on__isnull=False).exists()
    assert people.filter(category=Category.SUSPECT, charged_on__isnull=False).exists()
    dtn = people.filter(dtn_reported_on__isnull=False)
    assert dtn.exists() and set(dtn.values_list("age_group", flat=True)) == {"adult"}
    referred = people.filter(nrm_referred_on__isnull=False)
    decided = referred.exclude(rg_decision="")
    assert decided.count() > 0.8 * referred.count()
    assert referred.exclude(cg_decision="").count() > 0.2 * referred.count()
    delays = sorted((p.rg_decided_on - p.nrm_referred_on).days for p in decided)
    assert 5 <= delays[len(delays) // 2] <= 30  # median days to a reasonable grounds decision


def test_demo_records_pass_the_registers_own_rules(demo):
    today = date(2024, 9, 30)
    kent = OrgUnit.objects.get(code="kent")
    with rules.catalogue_pinned():
        for inv in Investigation.objects.filter(force=kent):
            data = {name: getattr(inv, name) for name in rules.INVESTIGATION_FIELDS}
            checked = rules.check_investigation(
                data, force_id=kent.pk, pk=inv.pk, taken_references=set(), today=today
            )
            assert checked.ok, (inv.crime_reference, checked.problems)
        for person in Person.objects.filter(force=kent):
            data = {name: getattr(person, name) for name in rules.PERSON_FIELDS}
            checked = rules.check_person(data, today=today)
            assert checked.ok, (person.reference, checked.problems)
            assert person.investigation.opened_on <= (
                person.nrm_referred_on or person.dtn_reported_on or person.investigation.opened_on
            )


def test_building_again_adds_nothing(demo):
    _, series, _, national = demo
    before = Investigation.objects.count()
    again = build_register_demo(national, series)
    assert again.already and Investigation.objects.count() == before
