"""Peer reviews, their recommendations and good practice, counted from the published reviews,
as a derived source of the metric engine.

:data:`PEER_REVIEW_SOURCE` is registered by ``PeerReviewConfig.ready()`` (ADR 0011). It covers
every force from the ``peerreview`` dataset's first period: no force returns these figures.

The three metrics are stocks, "to date" as the headline counts read them
(:func:`msoic.peerreview.rollup.headline_counts`): for each force and month, what the
force's reviews published by the month's end hold. A period's figure is its last month's,
so a financial year's is as at 31 March.

- ``peer_review_forces_reviewed``: 1 when the force has a published review by then, else 0
  (the nation's figure is the forces reviewed, a region's its forces reviewed);
- ``peer_review_recommendations``: the recommendations those reviews made;
- ``peer_review_good_practice``: the areas of good practice those reviews identified.

A review counts from its publication date; one not yet published (planned, in fieldwork,
drafted) counts for nothing.

- ``peer_review_themes``: the themes peer reviews look at, in use at the month's end (the
  :class:`~msoic.peerreview.models.Theme` records the unit edits). The nation's own figure
  (``unit_cells`` for the national org unit, ADR 0014): the themes are the same for every
  force, so forces and regions read 0.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from django.db.models import Count

from msoic.catalogue.loader import Catalogue
from msoic.metrics.periods import month_end
from msoic.metrics.sources import Cells, NationalFiguresSource, covered_months
from msoic.peerreview.models import PeerReview, Stage, Theme

FORCES_REVIEWED = "peer_review_forces_reviewed"
RECOMMENDATIONS = "peer_review_recommendations"
GOOD_PRACTICE = "peer_review_good_practice"
THEMES = "peer_review_themes"
METRICS = frozenset({FORCES_REVIEWED, RECOMMENDATIONS, GOOD_PRACTICE, THEMES})
DATASET = "peerreview"


def first_month(catalogue: Catalogue | None = None) -> date:
    """The first month the source gives: its dataset's first period."""
    return PEER_REVIEW_SOURCE.first_month(catalogue)


def published(
    metric: str, force_ids: Collection[int], by: date
) -> dict[int, list[tuple[date, int]]]:
    """Force id -> (publication day, what the review counts for ``metric``) of each review
    published by ``by``: one query."""
    reviews = PeerReview.objects.filter(
        force_id__in=list(force_ids),
        stage=Stage.PUBLISHED,
        published_on__isnull=False,
        published_on__lte=by,
    ).order_by()
    rows: list[tuple[int, date | None, int]]
    if metric == FORCES_REVIEWED:
        rows = [(f, d, 1) for f, d in reviews.values_list("force_id", "published_on")]
    elif metric == RECOMMENDATIONS:
        rows = list(
            reviews.annotate(n=Count("recommendations")).values_list(
                "force_id", "published_on", "n"
            )
        )
    elif metric == GOOD_PRACTICE:
        rows = list(
            reviews.annotate(n=Count("good_practice")).values_list("force_id", "published_on", "n")
        )
    else:
        raise ValueError(f"{metric} is not counted from the peer reviews")
    out: dict[int, list[tuple[date, int]]] = {}
    for fid, day, n in rows:
        if day is None:  # excluded by the filter; the column may be empty in general
            continue
        out.setdefault(fid, []).append((day, int(n)))
    return out


def as_at(metric: str, reviews: list[tuple[date, int]], day: date) -> int:
    """The force's figure on ``day`` from its published reviews."""
    mine = [n for published_on, n in reviews if published_on <= day]
    if metric == FORCES_REVIEWED:
        return int(bool(mine))
    return sum(mine)


class PeerReviewSource(NationalFiguresSource):
    """Published peer reviews as a :class:`~msoic.metrics.sources.DerivedSource`."""

    label = "published peer reviews"

    dataset = DATASET
    metric_codes = METRICS
    national_metrics = frozenset({THEMES})

    def cells(
        self,
        metric: str,
        coverage: dict[int, date],
        months: list[date],
        breakdown: str | None,
        catalogue: Catalogue | None = None,
    ) -> Cells:
        if metric not in METRICS:
            raise ValueError(f"{metric} is not counted from the peer reviews")
        pairs = covered_months(coverage, months)
        if metric == THEMES:  # the nation's figure: no force holds any (unit_cells)
            return Cells(totals=dict.fromkeys(pairs, 0))
        if not pairs:
            return Cells()
        reviews = published(
            metric, sorted({f for f, _ in pairs}), month_end(max(m for _, m in pairs))
        )
        return Cells(
            totals={(fid, m): as_at(metric, reviews.get(fid, []), month_end(m)) for fid, m in pairs}
        )

    def national_values(self, metric: str, months: list[date]) -> dict[date, int]:
        """The themes in use at each month's end: one query."""
        themes = list(Theme.objects.all())
        return {m: sum(t.in_use_on(month_end(m)) for t in themes) for m in months}


PEER_REVIEW_SOURCE = PeerReviewSource()
