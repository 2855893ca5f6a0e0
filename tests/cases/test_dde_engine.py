"""The metric engine derives a DDE force's figures from its register: the live caseload at
month end by primary exploitation type, police NRM referrals by age group and Duty to
Notify reports by month; returns before the adoption month still count; a value a DDE
force returned for a derived month is ignored; a derived month counts as received."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from msoic.audit.models import AuditEvent
from msoic.cases.models import Category, DdeAdoption, Investigation, Person
from msoic.cases.register.dde import DdeError, do_end_dde_adoption, do_set_dde_adoption
from msoic.catalogue.loader import get_catalogue
from msoic.metrics.engine import query, series
from msoic.orgunits.models import OrgUnit
from tests.metrics.test_engine import load, monthly

pytestmark = pytest.mark.django_db

_refs = iter(range(1, 10**6))


def ou(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


def inv(force: str, opened: date, closed: date | None = None, primary: str = "criminal"):
    n = next(_refs)
    return Investigation.objects.create(
        force=ou(force),
        crime_reference=f"MS/{n}",
        opened_on=opened,
        closed_on=closed,
        status="closed" if closed else "live",
        primary_exploitation=primary,
        exploitation_types=[primary] if primary else [],
    )


def victim(investigation: Investigation, **fields) -> Person:
    n = next(_refs)
    return Person.objects.create(
        investigation=investigation,
        force=investigation.force,
        reference=f"T-P{n:06d}",
        category=Category.VICTIM,
        **fields,
    )


def adopt(force: str, metric: str, month: str = "2024-01") -> None:
    year, mon = (int(x) for x in month.split("-"))
    do_set_dde_adoption(ou(force), metric, date(year, mon, 1), actor="test")


def test_live_investigations_are_counted_at_month_end_by_primary_type():
    adopt("kent", "ms_live_investigations")
    inv("kent", date(2023, 5, 1))  # live throughout
    inv("kent", date(2024, 2, 29), primary="sexual")  # opened on the last day: live
    inv("kent", date(2023, 5, 1), date(2024, 2, 29), primary="labour")  # closed that day: not
    inv("kent", date(2023, 5, 1), date(2024, 3, 1), primary="labour")  # closed after: live
    inv("kent", date(2024, 3, 1))  # opened after: not
    inv("kent", date(2023, 1, 1), primary="")  # no primary type: other
    result = query("ms_live_investigations", ou("kent"), "2024-02", by="exploitation_type")
    assert result.value == 4
    assert result.value_from_register == 4
    shares = {r.key: r.value for r in result.rows}
    assert shares == {
        "criminal": 1,
        "sexual": 1,
        "labour": 1,
        "domestic_servitude": 0,
        "organ_harvesting": 0,
        "other": 1,
    }
    # A stock over a longer period takes its last month.
    # (March 2024: one closed on the 1st, one opened on the 1st.)
    assert query("ms_live_investigations", ou("kent"), "FY2023-24").value == 4


def test_referrals_and_dtn_are_flows_by_month_and_age_group():
    adopt("kent", "ms_nrm_referrals")
    adopt("kent", "ms_dtn_reports")
    case = inv("kent", date(2023, 6, 1))
    victim(case, nrm_referred_on=date(2024, 1, 31), nrm_referred_by_police=True, age_group="child")
    victim(case, nrm_referred_on=date(2024, 2, 1), nrm_referred_by_police=True, age_group="adult")
    victim(case, nrm_referred_on=date(2024, 2, 9), nrm_referred_by_police=True, age_group="")
    victim(case, nrm_referred_on=date(2024, 2, 9), nrm_referred_by_police=False)  # not police
    victim(case, dtn_reported_on=date(2024, 2, 29), age_group="adult")
    points = series("ms_nrm_referrals", ou("kent"), date(2024, 1, 1), date(2024, 3, 1))
    assert [(p.value, p.received) for p in points] == [(1, 1), (2, 1), (0, 1)]
    by_age = query("ms_nrm_referrals", ou("kent"), "2024-02", by="age_group")
    assert {r.key: r.value for r in by_age.rows} == {"adult": 1, "child": 0, "unknown": 1}
    assert query("ms_dtn_reports", ou("kent"), "2024-02").value == 1
    assert query("ms_nrm_referrals", ou("kent"), "FY2023-24").value == 3


def test_returns_before_the_adoption_month_count_and_values_after_it_are_ignored():
    # Kent returned 10 a month from April 2023 to March 2024 ...
    load(monthly("kent", "ms_nrm_referrals", "2023-04", 12, 10))
    # ... and moved onto the register in January 2024: 3 referrals a month from the register.
    adopt("kent", "ms_nrm_referrals")
    case = inv("kent", date(2023, 1, 1))
    for month in (1, 2, 3):
        for day in (3, 4, 5):
            victim(case, nrm_referred_on=date(2024, month, day), nrm_referred_by_police=True)
    result = query("ms_nrm_referrals", ou("kent"), "FY2023-24")
    assert result.value == 9 * 10 + 3 * 3
    assert result.value_from_register == 9
    assert result.coverage.received == 12 and result.coverage.from_register == 3
    assert result.coverage.register_forces == ["kent"]


def test_a_derived_month_counts_as_received_even_without_records():
    adopt("kent", "ms_live_investigations", "2023-04")
    load(monthly("essex", "ms_live_investigations", "2024-02", 1, 7))
    eastern = query("ms_live_investigations", ou("eastern"), "2024-02", compare="previous-year")
    assert eastern.value == 7  # Kent's register is empty: 0
    assert "kent" not in eastern.coverage.missing_forces
    assert "essex" not in eastern.coverage.missing_forces
    assert eastern.coverage.from_register == 1
    # The year before, Kent was not yet on the register and had not returned.
    assert eastern.previous_coverage is not None
    assert {"essex", "kent"} <= set(eastern.previous_coverage.missing_forces)
    assert eastern.previous_coverage.from_register == 0


def test_national_figure_combines_register_and_returns_by_force():
    # Kent returned 99 a month before it was marked (from January 2024): ignored from then.
    load(monthly("kent", "ms_live_investigations", "2023-12", 3, 99))
    adopt("kent", "ms_live_investigations")
    inv("kent", date(2023, 1, 1))
    inv("kent", date(2023, 1, 1), primary="sexual")
    load(monthly("essex", "ms_live_investigations", "2024-02", 1, 5))
    result = query("ms_live_investigations", ou("national"), "2024-02", by="force")
    rows = {r.key: r.value for r in result.rows}
    assert rows["kent"] == 2 and rows["essex"] == 5
    assert result.value == 7 and result.value_from_register == 2
    december = query("ms_live_investigations", ou("kent"), "2023-12")
    assert december.value == 99 and december.value_from_register is None


def test_engine_queries_do_not_grow_with_forces_or_months(django_assert_max_num_queries):
    for code in ("kent", "essex", "cleveland"):
        adopt(code, "ms_live_investigations", "2022-04")
        inv(code, date(2022, 1, 1))
    national = ou("national")
    get_catalogue()
    # catalogue revision check, forces, adoptions, totals, options, register
    with django_assert_max_num_queries(6):
        points = series(
            "ms_live_investigations",
            national,
            date(2022, 1, 1),
            date(2024, 12, 1),
            by="exploitation_type",
        )
    assert {p.value for p in points if p.option == "criminal" and p.month.year == 2023} == {3}


def test_marking_a_force_writes_an_audit_row_and_refuses_bad_input():
    adopt("kent", "ms_dtn_reports", "2024-01")
    adopt("kent", "ms_dtn_reports", "2024-04")  # moved
    adoption = DdeAdoption.objects.get(force__code="kent", metric="ms_dtn_reports")
    assert adoption.from_month == date(2024, 4, 1)
    rows = AuditEvent.objects.filter(object_type="cases.ddeadoption").order_by("seq")
    assert [(r.detail["from_month"], r.detail["before"]) for r in rows] == [
        ("2024-01", None),
        ("2024-04", "2024-01"),
    ]
    with pytest.raises(DdeError, match="cannot come from the register"):
        do_set_dde_adoption(ou("kent"), "ms_arrests", date(2024, 1, 1), actor="test")
    with pytest.raises(DdeError, match="not a force"):
        do_set_dde_adoption(ou("eastern"), "ms_dtn_reports", date(2024, 1, 1), actor="test")
    assert do_end_dde_adoption(ou("kent"), "ms_dtn_reports", actor="test")
    assert not DdeAdoption.objects.exists()


def test_dde_command_marks_a_force_as_a_national_user(national_analyst, kent_user):
    out = io.StringIO()
    call_command(
        "dde",
        "set",
        "kent",
        "ms_nrm_referrals",
        "2023-04",
        "--user",
        national_analyst.username,
        stdout=out,
    )
    assert "from 2023-04" in out.getvalue()
    row = AuditEvent.objects.get(object_type="cases.ddeadoption")
    assert row.actor == national_analyst and row.orgunit_code == "kent"
    with pytest.raises(CommandError, match="not an active national user"):
        call_command(
            "dde", "set", "kent", "ms_dtn_reports", "2023-04", "--user", kent_user.username
        )
    with pytest.raises(CommandError, match="not a period|YYYY-MM"):
        call_command("dde", "set", "kent", "ms_dtn_reports", "April")
    with pytest.raises(CommandError, match="unknown force"):
        call_command("dde", "set", "eastern", "ms_dtn_reports", "2023-04")
    listing = io.StringIO()
    call_command("dde", "list", stdout=listing)
    assert "ms_nrm_referrals\tkent\tfrom 2023-04" in listing.getvalue()
    call_command("dde", "end", "kent", "ms_nrm_referrals", stdout=io.StringIO())
    assert not DdeAdoption.objects.exists()


def test_the_registers_own_nrm_referrals_count_everyone_referred_by_nationality_group():
    """``register_nrm_referrals``: no adoption needed (no force returns it); every potential
    victim referred in the period, by the police or not, British, not British or not known;
    a force not using the register holds 0, and the figure is complete."""
    case = inv("kent", date(2023, 5, 1))
    victim(case, nrm_referred_on=date(2023, 6, 2), nrm_referred_by_police=True, nationality="GB")
    victim(case, nrm_referred_on=date(2023, 6, 9), nrm_referred_by_police=False, nationality="AL")
    victim(case, nrm_referred_on=date(2023, 7, 1), nationality="VN")
    victim(case, nrm_referred_on=date(2023, 7, 3), nationality="")
    victim(case, nrm_referred_on=date(2024, 4, 1), nationality="AL")  # the next year
    victim(case, dtn_reported_on=date(2023, 6, 5), nationality="AL")  # not referred
    essex = inv("essex", date(2023, 5, 1))
    victim(essex, nrm_referred_on=date(2023, 9, 30), nationality="ER")
    result = query("register_nrm_referrals", ou("national"), "FY2023-24", by="nationality_group")
    assert result.value == 5
    assert {r.key: r.value for r in result.rows} == {
        "british": 1,
        "not_british": 3,
        "not_known": 1,
    }
    assert result.coverage.complete
    assert DdeAdoption.objects.count() == 0
    assert query("register_nrm_referrals", ou("kent"), "2023-06").value == 2
    assert query("register_nrm_referrals", ou("cleveland"), "FY2023-24").value == 0
    # Police referrals (a DDE metric) are untouched: Kent returns them, no adoption.
    assert query("ms_nrm_referrals", ou("kent"), "FY2023-24").value is None
