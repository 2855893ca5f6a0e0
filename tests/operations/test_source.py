"""Intensifications held through the metric engine (the operation records as a derived
source): each operation counted once, in its start month, as the nation's own figure; and a
force's figure within one intensification's dataset (the employees Gwent reached)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from msoic.collection.pipeline import import_file
from msoic.metrics import engine, sources
from msoic.metrics.engine import Ask
from msoic.metrics.periods import Period
from msoic.operations.models import Operation
from msoic.operations.source import HELD, INTENSIFICATIONS_SOURCE
from msoic.orgunits.models import OrgUnit
from tests.operations.conftest import make_operation, return_csv

pytestmark = pytest.mark.django_db


def ou(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


@pytest.fixture
def four(personas: dict[str, Any]) -> None:
    """AIDANT 33 to 36 in 2023/24 (May, September, November 2023, February 2024) and 32 in
    March 2023, each with several forces."""
    unit = personas["national"]
    starts = {
        32: date(2023, 3, 6),
        33: date(2023, 5, 15),
        34: date(2023, 9, 11),
        35: date(2023, 11, 6),
        36: date(2024, 2, 19),
    }
    for number, start in starts.items():
        make_operation(unit, number=number, start=start)


def test_the_source_is_registered_and_covers_every_force() -> None:
    assert sources.source_for(HELD) is INTENSIFICATIONS_SOURCE
    assert len(sources.coverage(HELD)) == 43


@pytest.mark.parametrize(
    ("code", "period", "held"),
    [
        ("national", "FY2023-24", 4),  # each once, however many forces took part
        ("national", "FY2022-23", 1),
        ("national", "2023-09", 1),
        ("national", "2023-10", 0),
        ("national", "FY2023-24-Q3", 1),
        ("eastern", "FY2023-24", 0),  # the nation's own figure
        ("kent", "FY2023-24", 0),
    ],
)
def test_intensifications_are_counted_once_in_their_start_month(
    four: None, code: str, period: str, held: int
) -> None:
    assert engine.query(HELD, ou(code), period).value == held


def test_a_year_against_the_year_before_and_complete(four: None) -> None:
    result = engine.query_many(
        ou("national"), [Ask(HELD, Period.parse("FY2023-24"), compare="previous-year")]
    ).query(Ask(HELD, Period.parse("FY2023-24"), compare="previous-year"))
    assert (result.value, result.previous_value) == (4, 1)
    assert result.coverage.complete  # the source covers every force


def test_an_operation_moved_to_another_year_moves_its_count(
    four: None, personas: dict[str, Any]
) -> None:
    Operation.objects.filter(number=36).update(start_date=date(2024, 4, 8))
    assert engine.query(HELD, ou("national"), "FY2023-24").value == 3
    assert engine.query(HELD, ou("national"), "FY2024-25").value == 1


def test_employees_reached_is_a_force_figure_within_its_operation(
    personas: dict[str, Any],
) -> None:
    unit = personas["national"]
    op = make_operation(unit, activity=("op_sites_visited", "op_employees_reached"))
    for force, employees in (("kent", 6700), ("essex", 0)):
        outcome = import_file(
            f"{force}.csv",
            return_csv(op, force, {"op_disruptions": 1, "op_employees_reached": employees}),
            actor=unit,
        )
        assert outcome.ok, outcome.lines()
    ask = Ask("op_employees_reached", Period.parse("FY2023-24"), dataset=op.dataset_code)
    assert engine.query_many(ou("kent"), [ask]).query(ask).value == 6700
    assert engine.query_many(ou("national"), [ask]).query(ask).value == 6700
