"""Partnership coverage, counted from memberships, as a derived source of the metric engine.

:data:`COVERAGE_SOURCE` is registered by ``PartnershipsConfig.ready()`` (ADR 0011). For each
force and month the figure is 1 when the force is a member of at least one partnership
running at the month's end (started by then, not ended before, the force joined by then and
not left before: :class:`~msoic.partnerships.models.Membership`), else 0. The metric is a
stock: a period's figure is its last month's, so the nation's figure is the number of forces
covered then, a region's the number of its forces. It covers every force from the
``partnerships`` dataset's first period: no force returns it.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from msoic.catalogue.loader import Catalogue
from msoic.metrics.periods import month_end
from msoic.metrics.sources import Cells, EveryForceSource, covered_months
from msoic.partnerships.models import Membership

COVERAGE = "partnership_coverage"
METRICS = frozenset({COVERAGE})
DATASET = "partnerships"


def memberships(force_ids: Collection[int]) -> dict[int, list[tuple[date, date | None]]]:
    """Force id -> (first day, last day or None) of each membership it had of a partnership,
    within the partnership's own start and end: one query."""
    rows = Membership.objects.filter(force_id__in=list(force_ids)).values_list(
        "force_id", "joined_on", "left_on", "partnership__started_on", "partnership__ended_on"
    )
    out: dict[int, list[tuple[date, date | None]]] = {}
    for fid, joined, left, started, ended in rows:
        last = min((d for d in (left, ended) if d is not None), default=None)
        out.setdefault(fid, []).append((max(joined, started), last))
    return out


def covered_on(spans: list[tuple[date, date | None]], day: date) -> bool:
    return any(s <= day and (e is None or e >= day) for s, e in spans)


class CoverageSource(EveryForceSource):
    """Memberships as a :class:`~msoic.metrics.sources.DerivedSource`: every force, from the
    dataset's first period."""

    label = "anti-slavery partnership memberships"
    dataset = DATASET
    metric_codes = METRICS

    def cells(
        self,
        metric: str,
        coverage: dict[int, date],
        months: list[date],
        breakdown: str | None,
        catalogue: Catalogue | None = None,
    ) -> Cells:
        if metric != COVERAGE:
            raise ValueError(f"{metric} is not counted from partnership memberships")
        pairs = covered_months(coverage, months)
        if not pairs:
            return Cells()
        spans = memberships(sorted({f for f, _ in pairs}))
        return Cells(
            totals={(fid, m): int(covered_on(spans.get(fid, []), month_end(m))) for fid, m in pairs}
        )


COVERAGE_SOURCE = CoverageSource()
