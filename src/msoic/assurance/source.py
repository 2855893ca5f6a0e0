"""Benchmarking against the policing standards, counted from the campaigns and assessments,
as a derived source of the metric engine.

:data:`BENCHMARKING_SOURCE` is registered by ``AssuranceConfig.ready()`` (ADR 0011). It covers
every force from the ``benchmarking`` dataset's first period: no force returns these.

- ``benchmarking_forces_assessed``: a force counts once in the month of a campaign's
  deadline when it submitted its self-assessment for that campaign (submitted, reviewed or
  finalised; a draft is not an assessment yet). A campaign's year is its deadline's
  (the 2023/24 campaign closes on 31 March 2024), so a financial year's figure is the forces
  that took part in that year's campaign.
- ``benchmarking_standards``: the standards of the framework version of the latest campaign
  whose deadline has come by the month's end: a stock, and the nation's own figure
  (``unit_cells`` for the national org unit, ADR 0014), since the framework is the same for
  every force; forces and regions read 0.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from django.db.models import Count

from msoic.assurance.models import Assessment, AssessmentStatus, Campaign
from msoic.catalogue.loader import Catalogue
from msoic.metrics.periods import month_end
from msoic.metrics.sources import Cells, NationalFiguresSource, covered_months

FORCES_ASSESSED = "benchmarking_forces_assessed"
STANDARDS = "benchmarking_standards"
METRICS = frozenset({FORCES_ASSESSED, STANDARDS})
DATASET = "benchmarking"


def first_month(catalogue: Catalogue | None = None) -> date:
    """The first month the source gives: its dataset's first period."""
    return BENCHMARKING_SOURCE.first_month(catalogue)


def assessed(force_ids: Collection[int], first: date, last: date) -> set[tuple[int, date]]:
    """(force id, month of a campaign's deadline) for each submitted assessment of a campaign
    whose deadline falls from ``first`` to the end of ``last`` (months): one query."""
    rows = (
        Assessment.objects.filter(
            orgunit_id__in=list(force_ids),
            campaign__deadline__gte=first,
            campaign__deadline__lte=month_end(last),
        )
        .exclude(status=AssessmentStatus.DRAFT)
        .values_list("orgunit_id", "campaign__deadline")
    )
    return {(fid, deadline.replace(day=1)) for fid, deadline in rows}


def standards_as_at(days: list[date]) -> dict[date, int]:
    """Day -> the standards of the latest campaign whose deadline has come by then (0 before
    the first): one query."""
    campaigns = list(
        Campaign.objects.annotate(n=Count("framework_version__standards"))
        .order_by("deadline", "pk")
        .values_list("deadline", "n")
    )
    out: dict[date, int] = {}
    for day in days:
        due = [n for deadline, n in campaigns if deadline <= day]
        out[day] = due[-1] if due else 0
    return out


class BenchmarkingSource(NationalFiguresSource):
    """Campaigns and assessments as a :class:`~msoic.metrics.sources.DerivedSource`."""

    label = "benchmarking campaigns and assessments"

    dataset = DATASET
    metric_codes = METRICS
    national_metrics = frozenset({STANDARDS})

    def cells(
        self,
        metric: str,
        coverage: dict[int, date],
        months: list[date],
        breakdown: str | None,
        catalogue: Catalogue | None = None,
    ) -> Cells:
        if metric not in METRICS:
            raise ValueError(f"{metric} is not counted from benchmarking")
        pairs = covered_months(coverage, months)
        cells = Cells(totals=dict.fromkeys(pairs, 0))
        if metric != FORCES_ASSESSED or not pairs:
            return cells  # the standards are the nation's figure: no force holds any
        for key in assessed(
            sorted({f for f, _ in pairs}), min(m for _, m in pairs), max(m for _, m in pairs)
        ):
            if key in cells.totals:
                cells.totals[key] = 1
        return cells

    def national_values(self, metric: str, months: list[date]) -> dict[date, int]:
        """The standards in force at each month's end."""
        counts = standards_as_at([month_end(m) for m in months])
        return {m: counts[month_end(m)] for m in months}


BENCHMARKING_SOURCE = BenchmarkingSource()
