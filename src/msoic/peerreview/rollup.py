"""The national recommendations roll-up and the counts the annual report quotes.

Everything is computed from the records in a fixed number of queries, whatever the number
of forces: one row per recommendation is fetched as plain values and counted here."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.db.models import QuerySet

from msoic.orgunits.models import OrgUnit
from msoic.peerreview.models import (
    LIVE_STATUSES,
    GoodPractice,
    PeerReview,
    Recommendation,
    RecStatus,
    Stage,
    Theme,
)

AGE_BANDS = (
    ("Under 6 months", 0, 183),
    ("6 to 12 months", 183, 366),
    ("Over 12 months", 366, None),
)


@dataclass
class Tally:
    """Recommendations of one force, region, theme or age band, by status."""

    label: str
    statuses: Counter[str] = field(default_factory=Counter)
    overdue: int = 0

    @property
    def total(self) -> int:
        return sum(self.statuses.values())

    @property
    def accepted(self) -> int:
        return self.total - self.statuses[RecStatus.NOT_ACCEPTED]

    @property
    def closed(self) -> int:
        return self.statuses[RecStatus.CLOSED]

    @property
    def implementation_rate(self) -> float | None:
        """Share of accepted recommendations verified closed, as a percentage (1 dp)."""
        if not self.accepted:
            return None
        return round(100 * self.closed / self.accepted, 1)

    def status_counts(self) -> list[int]:
        return [self.statuses[s] for s in RecStatus.values]


@dataclass
class Rollup:
    as_of: date
    total: Tally
    by_theme: list[Tally]
    by_age: list[Tally]
    by_force: list[Tally]
    by_region: list[Tally]


def _band(age: int) -> str:
    for label, low, high in AGE_BANDS:
        if age >= low and (high is None or age < high):
            return label
    return AGE_BANDS[0][0]


def build_rollup(recs: QuerySet[Recommendation], today: date) -> Rollup:
    """Roll up the given recommendations (already scoped to what the user may see)."""
    rows = recs.filter(review__stage=Stage.PUBLISHED).values_list(
        "theme",
        "status",
        "due_date",
        "review__published_on",
        "review__force_id",
        "review__force__parent_id",
    )
    total = Tally("All recommendations")
    themes = {code: Tally(label) for code, label in Theme.objects.values_list("code", "label")}
    ages = {label: Tally(label) for label, _, _ in AGE_BANDS}
    forces: dict[int, Tally] = {}
    regions: dict[int, Tally] = {}
    for theme, status, due, published, force_id, region_id in rows:
        overdue = due is not None and due < today and status in LIVE_STATUSES
        tallies = [total, themes[theme], forces.setdefault(force_id, Tally(""))]
        if region_id is not None:
            tallies.append(regions.setdefault(region_id, Tally("")))
        if published is not None:
            tallies.append(ages[_band((today - published).days)])
        for tally in tallies:
            tally.statuses[status] += 1
            tally.overdue += overdue
    names = dict(
        OrgUnit.objects.filter(pk__in=set(forces) | set(regions)).values_list("pk", "name")
    )
    for pk, tally in (*forces.items(), *regions.items()):
        tally.label = names.get(pk, "")
    return Rollup(
        as_of=today,
        total=total,
        by_theme=list(themes.values()),
        by_age=list(ages.values()),
        by_force=sorted(forces.values(), key=lambda t: t.label),
        by_region=sorted(regions.values(), key=lambda t: t.label),
    )


@dataclass
class Headline:
    """The figures the annual report quotes, as at a date."""

    as_of: date
    forces_reviewed: int
    recommendations: int
    good_practice: int
    forces_scheduled: int


def headline_counts(reviews: QuerySet[PeerReview], as_of: date) -> Headline:
    published = reviews.filter(stage=Stage.PUBLISHED, published_on__lte=as_of)
    return Headline(
        as_of=as_of,
        forces_reviewed=published.values("force").distinct().count(),
        recommendations=Recommendation.objects.filter(review__in=published).count(),
        good_practice=GoodPractice.objects.filter(review__in=published).count(),
        forces_scheduled=reviews.exclude(pk__in=published)
        .exclude(force__in=published.values("force"))
        .values("force")
        .distinct()
        .count(),
    )
