"""The disclosure policy file: every metric classified, and a bad policy refused by name."""

from __future__ import annotations

from typing import Any

import pytest

from msoic.catalogue.loader import get_catalogue
from msoic.disclosure.control import Release, cell_key, perturb
from msoic.disclosure.policy import PolicyError, get_policy, parse_policy


def test_every_catalogue_metric_is_named_as_people_or_activity(db: Any) -> None:
    policy = get_policy()
    unnamed = sorted(set(get_catalogue().metrics) - policy.people - policy.activity)
    assert unnamed == []
    assert policy.counts_people("ms_nrm_referrals")
    assert not policy.counts_people("terminus_lorry_stops")
    assert policy.counts_people("a_metric_nobody_named")  # the safe default


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"threshold": 0}, "threshold"),
        ({"partner_periods": ["fy", "quarter"]}, "overlap"),
        ({"partner_periods": ["weeks"]}, "partner_periods"),
        ({"noise": {0: 0}}, "noise"),
        ({"activity": ["ms_nrm_referrals"]}, "both people and activity"),
    ],
)
def test_a_bad_policy_is_refused_saying_what_is_wrong(change: dict[str, Any], message: str) -> None:
    data: dict[str, Any] = {
        "threshold": 5,
        "partner_periods": ["fy"],
        "noise": {-1: 1, 0: 1, 1: 1},
        "people": ["ms_nrm_referrals"],
        "activity": [],
    }
    data.update(change)
    with pytest.raises(PolicyError, match=message):
        parse_policy(data, "test policy")


def test_perturbation_is_small_stable_and_never_under_the_threshold() -> None:
    for value in range(5, 60):
        key = cell_key("test", value)
        released = perturb(value, key)
        assert released == perturb(value, key)
        assert released >= 5 and abs(released - value) <= 2
    assert {perturb(100, cell_key("spread", i)) for i in range(200)} == {98, 99, 100, 101, 102}


def test_a_total_with_one_small_part_withholds_another_part_not_the_total() -> None:
    release = Release()
    for name, n in (("a", 3), ("b", 20), ("c", 30)):
        release.atom(name, n)
        release.cell(name, [name], key=cell_key(name))
    release.cell("total", ["a", "b", "c"], key=cell_key("total"), fixed=True)
    shown = release.resolve()
    assert shown["a"].text == "<5" and shown["b"].text == "[c]"
    assert shown["c"].value is not None and shown["total"].value is not None
