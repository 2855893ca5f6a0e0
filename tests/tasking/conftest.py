"""Helpers for CCA tasking tests: the shipped 2022/23 tasking, loaded from its YAML file."""

from __future__ import annotations

from msoic.tasking.loader import SHIPPED_DIR, load_tasking_file
from msoic.tasking.models import MeasureProgress, Tasking

TASKING_FILE = SHIPPED_DIR / "cca-oic-2022-23.yaml"


def load_tasking() -> Tasking:
    tasking, _ = load_tasking_file(TASKING_FILE, actor="tests")
    return tasking  # type: ignore[no-any-return]


def progress_of(tasking: Tasking, measure: str, orgunit: str) -> MeasureProgress:
    return MeasureProgress.objects.get(
        measure__tasking=tasking, measure__code=measure, orgunit__code=orgunit
    )
