"""The demo's AIDANT 33-36, sent through the pipeline, add up to the annual report's
figures, counted back from the stored values (targets read from the app's demo.yaml)."""

from __future__ import annotations

import pytest

from msoic.collection.models import SubmissionVersion
from msoic.metrics import engine
from msoic.metrics.periods import Period
from msoic.operations import figures
from msoic.operations.catalogue import STANDARD_METRICS
from msoic.operations.demo import build_operations_demo, load_demo_config, split
from msoic.operations.models import Operation
from msoic.orgunits.models import OrgUnit

pytestmark = pytest.mark.django_db
REPORT = {
    "op_disruptions": 328,
    "op_potential_victims": 110,
    "op_nrm_dtn_referrals": 76,
    "op_arrests": 57,
    "op_new_investigations": 55,
}


@pytest.mark.parametrize(
    ("total", "weights", "parts"),
    [(10, [1, 1, 1], [4, 3, 3]), (0, [1, 2], [0, 0]), (7, [0, 1], [0, 7]), (5, [0, 0], [0, 0])],
)
def test_split_is_exact(total, weights, parts):
    assert split(total, weights) == parts


def test_demo_reproduces_the_reports_aidant_figures(national_analyst):
    assert load_demo_config()["targets"] == REPORT
    summary = build_operations_demo(national_analyst)
    assert summary.created == ["AIDANT 33", "AIDANT 34", "AIDANT 35", "AIDANT 36"]
    assert summary.returns_sent == 20 + 16 + 13 + 17  # Dyfed-Powys did not return for 36
    assert SubmissionVersion.objects.filter(source="csv").count() == summary.returns_sent

    year = Period.parse("FY2023-24")
    lines = figures.operation_lines(year)
    assert [line.operation.name for line in lines] == [f"AIDANT {n}" for n in (33, 34, 35, 36)]
    assert dict(zip(STANDARD_METRICS, figures.totals_for(lines), strict=True)) == REPORT
    [fy] = [y for y in figures.year_lines() if y.period.code == "FY2023-24"]
    assert (fy.operations, fy.forces, fy.returned) == (4, 67, 66)
    assert dict(zip(STANDARD_METRICS, fy.values, strict=True)) == REPORT
    nation = OrgUnit.objects.get(kind="national")
    for metric, target in REPORT.items():  # the metric engine sums across operations too
        assert engine.query(metric, nation, year).value == target

    op35 = Operation.objects.get(number=35)
    from msoic.catalogue.loader import get_catalogue

    result = figures.operation_figures(
        op35,
        get_catalogue(),
        detail_force_ids=set(op35.forces.values_list("pk", flat=True)),
        by_region=True,
    )
    totals = {c.code: v for c, v in zip(result.columns, result.totals, strict=True)}
    assert result.expected == 13 and totals["op_immigration_offenders"] == 39
    assert totals["op_passenger_checks"] > 10_000
    for row in result.by_force:
        values = dict(zip([c.code for c in result.columns], row.values, strict=True))
        assert values["op_nrm_dtn_referrals"] <= values["op_potential_victims"]


def test_demo_runs_twice_without_change(national_analyst):
    build_operations_demo(national_analyst)
    again = build_operations_demo(national_analyst)
    assert (again.created, again.returns_sent, again.approved) == ([], 0, 0)
