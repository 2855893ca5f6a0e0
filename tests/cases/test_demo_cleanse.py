"""The demo's cleanse and markers, on a small register: figures from the records, nothing
the metric engine derives is changed, and a second run adds nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from msoic.cases.cleanse import actions as cleanse
from msoic.cases.cleanse.demo import build_cleanse_demo, load_settings
from msoic.cases.models import Cleanse, Investigation, Person
from msoic.orgunits.models import OrgUnit
from tests.cases.cleanse_world import make_case, make_person

FORCES = ("kent", "essex", "surrey", "sussex", "cleveland")


@pytest.fixture
def small_register(db):
    for f in FORCES:
        for i in range(4):
            make_case(f, f"{f}-{i}", date(2022, 5, 1))
        # closed during the cleanse window: recorded as closed through the cleanse
        make_case(f, f"{f}-closed", date(2022, 5, 1), closed_on=date(2023, 12, 1))
        inv = make_case(f, f"{f}-fresh", date(2023, 10, 1))
        for _ in range(10):
            make_person(inv, cg_decision="positive", cg_decided_on=date(2023, 12, 1))
        make_person(inv, cg_decision="positive", cg_decided_on=date(2024, 3, 20))


def _snapshot():
    return sorted(
        Investigation.objects.values_list("pk", "status", "closed_on", "primary_exploitation")
    )


def test_demo_cleanse_and_markers_come_from_the_records(small_register, national_analyst):
    before = _snapshot()
    settings = load_settings()
    report = build_cleanse_demo(national_analyst, settings)
    made = Cleanse.objects.get()
    assert made.opened_on == date(2023, 11, 6) and made.deadline == date(2024, 1, 31)
    assert date(2023, 4, 1) <= made.opened_on <= date(2024, 3, 31)  # in 2023/24
    result = cleanse.progress(made, OrgUnit.objects.forces(), today=date(2024, 3, 31))
    statuses = sorted(r.status for r in result.forces)
    assert statuses == ["Done", "Done", "Done", "Overdue", "Overdue"]
    part_way = [r for r in result.forces if r.status == "Overdue" and r.done]
    assert len(part_way) == 1 and part_way[0].done == 2 and part_way[0].items == 5
    assert report.forces == 5 and report.forces_done == 3 and report.forces_part_way == 1
    assert report.confirmed + report.closed == result.total.done == 17
    assert report.closed == result.total.closed >= 3
    # what the engine derives is untouched; reviews moved last_reviewed_on only
    assert _snapshot() == before
    assert made.baseline == {f: 6 for f in FORCES}  # the fresh case is live, not stale
    # markers: after the decision, never after the register's last decision
    marked = Person.objects.filter(marker_requested_on__isnull=False)
    assert report.requested == marked.count() > 0
    assert report.applied == marked.filter(marker_applied_on__isnull=False).count() > 0
    for p in marked:
        assert p.cg_decided_on < p.marker_requested_on <= date(2024, 3, 20)
        assert p.marker_applied_on is None or p.marker_requested_on < p.marker_applied_on
    assert report.eligible == 55
    assert "Data cleanse: 25 cases on 5 forces' worklists" in "\n".join(report.lines())


def test_running_the_demo_again_adds_nothing(small_register, national_analyst):
    build_cleanse_demo(national_analyst)
    marked = Person.objects.filter(marker_requested_on__isnull=False).count()
    again = build_cleanse_demo(national_analyst)
    assert again.already and Cleanse.objects.count() == 1
    assert Person.objects.filter(marker_requested_on__isnull=False).count() == marked


def test_reviews_are_dated_in_the_cleanse_window(small_register, national_analyst):
    build_cleanse_demo(national_analyst)
    made = Cleanse.objects.get()
    for item in made.items.filter(resolution="confirmed").select_related("investigation"):
        assert made.opened_on <= item.resolved_on <= made.deadline
        assert item.investigation.last_reviewed_on >= item.resolved_on
        assert item.investigation.reviews.filter(reviewed_on=item.resolved_on).exists()
    assert timedelta(0) < made.deadline - made.opened_on
