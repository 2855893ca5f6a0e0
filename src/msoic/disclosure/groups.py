"""Small groups of people: figures about a group (e.g. the people who answered a survey)
are withheld from everyone, the unit included, while the group is under the policy's
threshold, since with so few people an answer can be told back to whoever gave it.

Unlike counts released to partners (:mod:`msoic.disclosure.control`), such figures are not
perturbed: they are shown exactly once the group is large enough, or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from msoic.disclosure.control import PRIMARY
from msoic.disclosure.policy import get_policy


@dataclass(frozen=True)
class GroupRelease:
    """Whether a group's figures may be shown, and why not when they may not."""

    size: int
    threshold: int

    @property
    def withheld(self) -> bool:
        return self.size < self.threshold

    @property
    def marker(self) -> str:
        """What a table shows in place of a withheld figure."""
        return PRIMARY if self.withheld else ""

    @property
    def reason(self) -> str:
        if not self.withheld:
            return ""
        return (
            f"withheld: fewer than {self.threshold} people answered, so an answer could be "
            "told back to whoever gave it"
        )


def release_group(size: int) -> GroupRelease:
    """May the figures of a group of ``size`` people be shown (the policy's threshold)?"""
    return GroupRelease(int(size), get_policy().threshold)
