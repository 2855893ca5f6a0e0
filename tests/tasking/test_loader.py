"""Loading a CCA tasking from YAML: versions, measures, progress rows, and refused files."""

from __future__ import annotations

from typing import Any

import pytest

from msoic.audit.models import AuditEvent
from msoic.orgunits.models import OrgUnit
from msoic.tasking.loader import TaskingError, load_tasking_text
from msoic.tasking.models import MeasureProgress, ThresholdRevision
from tests.tasking.conftest import TASKING_FILE, load_tasking

pytestmark = pytest.mark.django_db

MINIMAL = """\
tasking: test-tasking
title: Test tasking
period: FY2022-23
versions:
  - number: 1
    kind: issued
    issued_on: 2022-04-01
measures:
  - code: T1
    title: Disruptions
    success_criteria: Enough disruptions
    applies_to: rocus
    metric: oic_disruptions
    threshold: 10
"""


def test_the_shipped_tasking_loads_nine_measures_in_two_versions() -> None:
    tasking = load_tasking()
    assert tasking.measures.count() == 9
    assert [(v.number, v.kind) for v in tasking.versions.all()] == [(1, "issued"), (2, "revised")]
    rows = MeasureProgress.objects.filter(measure__tasking=tasking)
    forces, regions = OrgUnit.objects.forces().count(), OrgUnit.objects.regions().count()
    assert rows.filter(measure__code="M1").count() == regions
    assert rows.filter(measure__code="M2").count() == forces
    assert rows.filter(measure__code="M3").count() == forces + regions
    m4 = tasking.measures.get(code="M4")
    assert (m4.initial_threshold, m4.threshold) == (60, 25)
    revision = ThresholdRevision.objects.get(measure=m4)
    assert revision.changed_by_label == "tests" and revision.version is not None
    assert AuditEvent.objects.filter(detail__step="tasking.revise_threshold").count() == 1


def test_loading_again_changes_nothing() -> None:
    load_tasking()
    tasking, created = load_tasking_text(TASKING_FILE.name, TASKING_FILE.read_text())
    assert created == 0
    assert ThresholdRevision.objects.count() == 1


def test_a_new_revised_version_is_added_with_its_threshold_change() -> None:
    load_tasking_text("t.yaml", MINIMAL)
    revised = MINIMAL.replace(
        "measures:",
        "  - number: 2\n    kind: revised\n    issued_on: 2022-11-01\n    thresholds:\n"
        "      - {measure: T1, value: 6, reason: Too high for a small region}\nmeasures:",
    )
    tasking, created = load_tasking_text("t.yaml", revised)
    assert created == 1
    assert tasking.measures.get().threshold == 6


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            (
                "measures:",
                "  - number: 2\n    kind: revised\n    issued_on: 2022-11-01\n    thresholds:\n"
                "      - {measure: T1, value: 6}\nmeasures:",
            ),
            "t.yaml line 12: version 2: the threshold change for T1 needs a reason",
        ),
        (
            (
                "measures:",
                "  - number: 2\n    kind: revised\n    issued_on: 2022-11-01\n    thresholds:\n"
                "      - {measure: T1, value: 6, reason: '   '}\nmeasures:",
            ),
            "needs a reason",
        ),
        (
            ("metric: oic_disruptions", "metric: oic_nonsense"),
            "t.yaml line 9: measure T1: unknown metric",
        ),
        (("threshold: 10", "threshold: -3"), "'threshold' must be a whole number"),
        (("    threshold: 10\n", ""), "a metric and a threshold go together"),
        (("applies_to: rocus", "applies_to: partners"), "applies_to must be one of"),
        (("period: FY2022-23", "period: 2022"), "must be a financial year"),
        (("issued_on: 2022-04-01", "issued_on: April"), "must be a date"),
        (("kind: issued", "kind: revised"), "the first version is 'issued'"),
    ],
)
def test_bad_files_are_refused_naming_file_and_line(change: tuple[str, str], message: str) -> None:
    with pytest.raises(TaskingError, match=message):
        load_tasking_text("t.yaml", MINIMAL.replace(*change))
    assert not ThresholdRevision.objects.exists()


def test_a_loaded_version_cannot_be_rewritten(national_analyst: Any) -> None:
    load_tasking_text("t.yaml", MINIMAL)
    with pytest.raises(TaskingError, match="already loaded with different content"):
        load_tasking_text("t.yaml", MINIMAL.replace("Enough disruptions", "Fewer"))
