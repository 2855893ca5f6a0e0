"""The demo's referrals and SPOCs: seven 2024 referrals from the HTA at every stage (one
escalated 48 hours after it was sent), SPOCs for every force and theme but two gaps."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest

from msoic.orgunits.models import OrgUnit
from msoic.referrals.demo import build_referrals_demo
from msoic.referrals.models import Referral, Spoc, Theme
from msoic.referrals.routing import coverage
from tests.conftest import _make

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_users(db: Any) -> dict[str, Any]:
    return {
        "national": _make("national.demo", "national", None),
        "kent": _make("kent.demo", "force", "kent"),
        "essex": _make("essex.demo", "force", "essex"),
        "hta": _make("hta.demo", "partner", "hta"),
    }


def test_demo_referrals_are_at_every_stage_and_one_escalated(demo_users):
    report = build_referrals_demo(demo_users["national"])
    referrals = list(Referral.objects.order_by("submitted_at"))
    assert len(referrals) == len(report.referrals) == 7
    assert {r.submitted_at.year for r in referrals} == {2024}
    assert {r.force.code for r in referrals} == {"kent", "essex"}
    stages = Counter(r.outcome or r.status for r in referrals)
    assert stages == Counter(
        {
            "crime_recorded": 1,
            "linked": 1,
            "no_crime": 1,
            "assigned": 1,
            "acknowledged": 2,
            "submitted": 1,
        }
    )
    [escalated] = [r for r in referrals if r.escalated_at]
    assert escalated.status == "submitted"
    assert escalated.escalated_at - escalated.submitted_at >= timedelta(hours=48)
    # every other one was acknowledged within the 48 hours
    for r in referrals:
        if r is not escalated:
            assert r.acknowledged_at - r.submitted_at < timedelta(hours=48)
    assert Counter(r.routing for r in referrals) == Counter({"lookup": 6, "manual": 1})


def test_demo_spocs_cover_every_force_and_theme_but_two(demo_users):
    report = build_referrals_demo(demo_users["national"])
    forces = list(OrgUnit.objects.forces())
    gaps = {(row.force.code, t) for row in coverage(forces) for t in row.gaps}
    assert gaps == {("dyfed-powys", Theme.ORGAN_HARVESTING), ("cumbria", Theme.PNC_MARKER)}
    assert report.gaps == 2
    assert Spoc.objects.count() == len(forces) * len(Theme.values) - 1  # Cumbria never named one


def test_demo_is_idempotent(demo_users):
    build_referrals_demo(demo_users["national"])
    counts = (Referral.objects.count(), Spoc.objects.count())
    again = build_referrals_demo(demo_users["national"])
    assert (Referral.objects.count(), Spoc.objects.count()) == counts
    assert again.referrals_already and again.spocs_already
    assert "already there" in "\n".join(again.lines())
