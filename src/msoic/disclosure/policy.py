"""The disclosure-control policy (``policy.yaml`` beside this module): which metrics count
people, the threshold, the periods partners may ask for and the perturbation noise.

A metric the policy does not name is treated as counting people (the safe default); a
test keeps every catalogue metric named.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

POLICY_FILE = Path(__file__).with_name("policy.yaml")
PERIOD_KINDS = {"fy", "quarter", "year", "month", "r12"}


class PolicyError(ValueError):
    """The policy file is not usable."""


@dataclass(frozen=True)
class Policy:
    threshold: int
    partner_periods: tuple[str, ...]
    noise: tuple[tuple[int, int], ...]  # (noise, weight)
    people: frozenset[str]
    activity: frozenset[str]
    # Share of a period's expected returns that must be in before partners get its people
    # figures (a late return would otherwise move a released figure).
    complete_share: float = 1.0

    def counts_people(self, metric: str) -> bool:
        return metric not in self.activity

    @property
    def noise_weights(self) -> int:
        return sum(w for _, w in self.noise)


def parse_policy(data: object, source: str = "policy") -> Policy:
    if not isinstance(data, dict):
        raise PolicyError(f"{source}: expected a mapping at the top level")
    try:
        threshold = int(data["threshold"])
        periods = tuple(str(p) for p in data["partner_periods"])
        noise = tuple(sorted((int(k), int(v)) for k, v in dict(data["noise"]).items()))
        people = frozenset(str(m) for m in data.get("people") or [])
        activity = frozenset(str(m) for m in data.get("activity") or [])
        complete_share = float(data.get("complete_share", 1.0))
    except (KeyError, TypeError, ValueError) as exc:
        raise PolicyError(f"{source}: {exc!r} (needs threshold, partner_periods, noise)") from exc
    if threshold < 1:
        raise PolicyError(f"{source}: threshold must be at least 1, not {threshold}")
    unknown = [p for p in periods if p not in PERIOD_KINDS]
    if not periods or unknown:
        raise PolicyError(
            f"{source}: partner_periods {list(periods)} must be some of {sorted(PERIOD_KINDS)}"
        )
    if len(periods) > 1:
        raise PolicyError(
            f"{source}: partner_periods {list(periods)}: give one kind, or the periods overlap"
        )
    if not noise or any(w < 0 for _, w in noise) or sum(w for _, w in noise) == 0:
        raise PolicyError(f"{source}: noise needs positive weights")
    if not 0 < complete_share <= 1:
        raise PolicyError(f"{source}: complete_share must be over 0 and at most 1")
    both = people & activity
    if both:
        raise PolicyError(f"{source}: {sorted(both)} listed as both people and activity")
    return Policy(threshold, periods, noise, people, activity, complete_share)


@lru_cache(maxsize=1)
def get_policy() -> Policy:
    with POLICY_FILE.open(encoding="utf-8") as handle:
        return parse_policy(yaml.safe_load(handle), str(POLICY_FILE.name))
