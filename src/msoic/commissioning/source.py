"""Approved bids, funding envelopes and next year's allocations, counted from the
commissioning records, as a derived source of the metric engine.

:data:`COMMISSIONING_SOURCE` is registered by ``CommissioningConfig.ready()`` (ADR 0011). It
covers every force from the ``commissioning`` dataset's first period: no force returns these
figures, so a force-month with nothing recorded is 0 and a period is always complete.

- ``commissioning_bids_approved``: bids approved in full (not part-funded, declined or
  awaiting a decision), in the month of the decision, under the org unit that bid. A force's
  bids are its cells; a ROCU's bids belong to its region, which owns them as the source's
  ``unit_cells`` (ADR 0014): a region's figure is its forces' bids and its own, the nation's
  every bid, a force's only its own.
- ``commissioning_funding_envelopes`` (pence): the money of the funding envelopes for a
  financial year, counted in the year's first month (April); the unit's own figure.
- ``commissioning_allocation_ms`` and ``commissioning_allocation_oic`` (pence): the money
  allocated to the unit for the modern slavery or the organised immigration crime programme
  for a financial year, counted in April of that year; the unit's own figures.

The money is the unit's: forces read 0 and a region reads 0 for those three.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from msoic.catalogue.loader import Catalogue
from msoic.commissioning.models import Bid, BidStatus, FundingAllocation, FundingEnvelope, Programme
from msoic.metrics.periods import Period, PeriodError, month_end
from msoic.metrics.sources import Cells, EveryForceSource, covered_months
from msoic.orgunits.models import OrgUnit, OrgUnitKind

BIDS_APPROVED = "commissioning_bids_approved"
ENVELOPES = "commissioning_funding_envelopes"
ALLOCATION_MS = "commissioning_allocation_ms"
ALLOCATION_OIC = "commissioning_allocation_oic"
ALLOCATIONS = {ALLOCATION_MS: Programme.MS, ALLOCATION_OIC: Programme.OIC}
UNIT_MONEY = frozenset({ENVELOPES, *ALLOCATIONS})
METRICS = frozenset({BIDS_APPROVED, *UNIT_MONEY})
DATASET = "commissioning"


def first_month(catalogue: Catalogue | None = None) -> date:
    """The first month the source gives: its dataset's first period."""
    return COMMISSIONING_SOURCE.first_month(catalogue)


def bids_approved(
    orgunit_ids: Collection[int], first: date, last: date
) -> dict[tuple[int, date], int]:
    """(bidder id, month) -> bids approved in full then, the decision's day read in local
    time, from ``first`` to the end of ``last`` (months): one query."""
    out: dict[tuple[int, date], int] = {}
    # A day either side in SQL; the local day decides below.
    rows = Bid.objects.filter(
        orgunit_id__in=list(orgunit_ids),
        status=BidStatus.APPROVED,
        decided_at__gte=_aware(first - timedelta(days=1)),
        decided_at__lt=_aware(month_end(last) + timedelta(days=2)),
    ).values_list("orgunit_id", "decided_at")
    for oid, decided in rows:
        if decided is None:
            continue
        day = timezone.localdate(decided)
        if first <= day <= month_end(last):
            key = (oid, day.replace(day=1))
            out[key] = out.get(key, 0) + 1
    return out


def _aware(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def _year_start(code: str) -> date | None:
    """April of a financial year's code (``FY2024-25``), None for a code that is not one."""
    try:
        return Period.parse(code).start
    except PeriodError:
        return None


def unit_money(metric: str, months: list[date]) -> dict[date, int]:
    """Month -> the unit's money of ``metric`` counted then (the April of its financial
    year), for ``months``: one query."""
    rows: list[tuple[str, int]]
    if metric == ENVELOPES:
        rows = list(FundingEnvelope.objects.values_list("financial_year", "amount_pence"))
    else:
        rows = list(
            FundingAllocation.objects.filter(programme=ALLOCATIONS[metric]).values_list(
                "financial_year", "amount_pence"
            )
        )
    wanted = set(months)
    out: dict[date, int] = {}
    for code, pence in rows:
        month = _year_start(code)
        if month is not None and month in wanted:
            out[month] = out.get(month, 0) + int(pence)
    return out


class CommissioningSource(EveryForceSource):
    """The commissioning records as a :class:`~msoic.metrics.sources.DerivedSource`."""

    label = "commissioning records"

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
        if metric not in METRICS:
            raise ValueError(f"{metric} is not counted from the commissioning records")
        pairs = covered_months(coverage, months)
        cells = Cells(totals=dict.fromkeys(pairs, 0))
        if metric != BIDS_APPROVED or not pairs:
            return cells  # the money is the unit's: no force holds any
        found = bids_approved(
            sorted({f for f, _ in pairs}), min(m for _, m in pairs), max(m for _, m in pairs)
        )
        for key, n in found.items():
            if key in cells.totals:
                cells.totals[key] += n
        return cells

    def unit_cells(
        self, metric: str, orgunit_ids: list[int], months: list[date]
    ) -> dict[tuple[int, date], int]:
        """The bids of the ROCUs (regions) among ``orgunit_ids``, and the unit's money for
        the national org unit among them, by month."""
        start = first_month()
        months = [m for m in months if m >= start]
        if not months or not orgunit_ids:
            return {}
        if metric == BIDS_APPROVED:
            return bids_approved(orgunit_ids, min(months), max(months))
        if metric not in UNIT_MONEY:
            return {}
        nation = OrgUnit.objects.filter(pk__in=orgunit_ids, kind=OrgUnitKind.NATIONAL).values_list(
            "pk", flat=True
        )
        national = next(iter(nation), None)
        if national is None:
            return {}
        return {(national, m): v for m, v in unit_money(metric, months).items()}


COMMISSIONING_SOURCE = CommissioningSource()
