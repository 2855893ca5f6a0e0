"""The tester's revision attack (ADR 0010, revisions): a year released, one late return
with a small count arrives, the year released again. The difference must not be the count,
and while the year's returns are not all in a partner gets no figure at all."""

from __future__ import annotations

from typing import Any

import pytest

from msoic.disclosure.control import cell_key, perturb
from msoic.disclosure.policy import PolicyError, get_policy, parse_policy
from msoic.disclosure.values import _release, incomplete
from msoic.metrics.engine import Coverage
from tests.disclosure.test_values_attack import METRIC, URL, referrals  # noqa: F401

TOTALS = range(20, 80)


def _year(total: int) -> int | None:
    shown, _ = _release(METRIC, "national", "FY2024-25", None, total, {})
    assert shown is not None
    return shown.value


@pytest.mark.parametrize("late", [1, 2, 3, 4])
def test_a_late_return_does_not_show_its_count_as_the_difference(late):
    # The same contents give the same figure every time: nothing to average away.
    assert [_year(t) for t in TOTALS] == [_year(t) for t in TOTALS]
    exact = [t for t in TOTALS if (_year(t + late) or 0) - (_year(t) or 0) == late]
    # Two independent draws of the noise agree about 29% of the time (policy weights):
    # the difference is the count only when they happen to.
    assert len(exact) < len(TOTALS) / 2, exact
    # With the old key (identity only) every one of these differences was the count.
    old = cell_key("value", METRIC, "national", "FY2024-25", "", "")
    assert all(perturb(t + late, old) - perturb(t, old) == late for t in TOTALS)


def test_a_breakdown_row_is_redrawn_when_its_count_changes():
    def adults(n: int) -> int | None:
        _, rows = _release(METRIC, "national", "FY2024-25", "age_group", n + 40, {"adult": n})
        return rows["adult"].value

    moved = [n for n in range(20, 80) if (adults(n + 1) or 0) - (adults(n) or 0) != 1]
    assert len(moved) > 30


def test_a_year_with_returns_missing_is_withheld_with_the_reason():
    share = get_policy().complete_share
    assert share == 0.95
    assert incomplete(Coverage(516, 436)) == "not yet complete: 436 of 516 returns"
    assert incomplete(Coverage(516, 490)) == "not yet complete: 490 of 516 returns"
    assert incomplete(Coverage(516, 491)) is None
    assert incomplete(Coverage(516, 516)) is None
    assert incomplete(Coverage(0, 0)) == "not yet complete: 0 of 0 returns"


def test_complete_share_must_be_a_share():
    base = {"threshold": 5, "partner_periods": ["fy"], "noise": {0: 1}}
    assert parse_policy(base).complete_share == 1.0
    assert parse_policy({**base, "complete_share": 0.9}).complete_share == 0.9
    for bad in (0, 1.5):
        with pytest.raises(PolicyError, match="complete_share"):
            parse_policy({**base, "complete_share": bad})


def test_a_partner_asking_for_an_incomplete_year_gets_the_reason_not_a_figure(
    referrals: Any,  # noqa: F811
    api_as: Any,
):
    # Three forces of the country have sent returns: the year is far from complete.
    body = api_as("partner").get(URL, {"metric": METRIC, "period": "FY2023-24"}).json()
    received, expected = body["coverage"]["received"], body["coverage"]["expected"]
    assert received < expected
    reason = f"not yet complete: {received} of {expected} returns"
    assert body["value"] is None
    assert body["withheld"] == reason
    assert reason in body["disclosure"]["reason"]
    by_age = api_as("partner").get(
        URL, {"metric": METRIC, "period": "FY2023-24", "by": "age_group"}
    )
    assert {row["withheld"] for row in by_age.json()["rows"]} == {reason}
    # Internal users still get the exact figure.
    exact = api_as("national").get(URL, {"metric": METRIC, "period": "FY2023-24"}).json()
    assert exact["value"] == sum(n for (fy, _), n in referrals.items() if fy == "FY2023-24")
