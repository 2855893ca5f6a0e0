"""The CCA tasking's issue dates as dated facts for reports: the shipped tasking was first
issued in October 2021 and revised in January 2023 (the annual report 2023/24)."""

from __future__ import annotations

from datetime import date

import pytest

from msoic.metrics import dates
from tests.tasking.conftest import load_tasking

pytestmark = pytest.mark.django_db
CODE = "cca-oic-2022-23"


def test_each_version_of_the_shipped_tasking_has_its_issue_date() -> None:
    tasking = load_tasking()
    first = dates.fact("tasking_issued", {"tasking": CODE})
    assert (first.on, first.precision) == (date(2021, 10, 11), "day")
    assert "version 1 (issued)" in first.label
    assert first.link == f"/cca-tasking/{tasking.pk}/"
    revised = dates.fact("tasking_issued", {"tasking": CODE, "version": "latest"})
    assert revised == dates.fact("tasking_issued", {"tasking": CODE, "version": "2"})
    assert revised.on == date(2023, 1, 16) and "version 2 (revised)" in revised.label


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "tasking_issued needs tasking="),
        ({"tasking": "cca-2030"}, r"no CCA tasking 'cca-2030' \(known: cca-oic-2022-23\)"),
        ({"tasking": CODE, "version": "3"}, r"version='3': cca-oic-2022-23 has versions 1, 2"),
    ],
)
def test_a_bad_tasking_or_version_is_refused(options: dict[str, str], message: str) -> None:
    load_tasking()
    with pytest.raises(dates.DateError, match=message):
        dates.fact("tasking_issued", options)
