"""Operations supported and reparation orders, counted from the records of support, as a
derived source of the metric engine.

:data:`SUPPORT_SOURCE` is registered by ``SupportConfig.ready()`` (ADR 0011). It covers every
force from the ``support`` dataset's first period: no force returns these figures, the
records the unit and the regional coordinators keep *are* the return, so a force-month with
nothing recorded is 0 and a period is always complete.

- ``support_operations``: an operation counts once, in the month its support began
  (``start_date``, the date its financial year is kept from), under the force whose
  operation it was. A financial year's figure is the year's operations, as the summary page
  counts them.
- ``support_reparation_orders``: the reparation orders the supported operations led to, in
  pence, in the month the order was made (the operation's start when no date is recorded),
  under the operation's force.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, datetime

from django.db.models import Count, F, Sum
from django.db.models.functions import Coalesce, TruncMonth

from msoic.catalogue.loader import Catalogue
from msoic.metrics.periods import month_end
from msoic.metrics.sources import Cells, EveryForceSource, covered_months
from msoic.support.models import FinancialOutcome, OutcomeKind, SupportedOperation

OPERATIONS = "support_operations"
REPARATION = "support_reparation_orders"
METRICS = frozenset({OPERATIONS, REPARATION})
DATASET = "support"


def first_month(catalogue: Catalogue | None = None) -> date:
    """The first month the source gives: its dataset's first period."""
    return SUPPORT_SOURCE.first_month(catalogue)


def _month(value: date | datetime) -> date:
    """A truncated month as a date (some backends give a datetime)."""
    return value.date() if isinstance(value, datetime) else value


def counted(
    metric: str, force_ids: Collection[int], first: date, last: date
) -> dict[tuple[int, date], int]:
    """(force id, month) -> the figure of ``metric`` from ``first`` to the end of ``last``
    (months): one grouped query."""
    rows: Iterable[tuple[int, date | datetime, int]]
    if metric == OPERATIONS:
        rows = (
            SupportedOperation.objects.filter(
                force_id__in=list(force_ids), start_date__gte=first, start_date__lte=month_end(last)
            )
            .annotate(month=TruncMonth("start_date"))
            .order_by()
            .values_list("force_id", "month")
            .annotate(n=Count("pk"))
        )
    elif metric == REPARATION:
        rows = (
            FinancialOutcome.objects.filter(kind=OutcomeKind.REPARATION)
            .annotate(day=Coalesce("made_on", "operation__start_date"))
            .filter(
                operation__force_id__in=list(force_ids), day__gte=first, day__lte=month_end(last)
            )
            .annotate(month=TruncMonth("day"), force_id=F("operation__force_id"))
            .order_by()
            .values_list("force_id", "month")
            .annotate(n=Sum("amount_pence"))
        )
    else:
        raise ValueError(f"{metric} is not counted from the operations supported")
    out: dict[tuple[int, date], int] = {}
    for fid, month, n in rows:
        key = (fid, _month(month))
        out[key] = out.get(key, 0) + int(n)
    return out


class SupportSource(EveryForceSource):
    """The operations supported as a :class:`~msoic.metrics.sources.DerivedSource`."""

    label = "records of operations supported"

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
            raise ValueError(f"{metric} is not counted from the operations supported")
        pairs = covered_months(coverage, months)
        cells = Cells(totals=dict.fromkeys(pairs, 0))
        if not pairs:
            return cells
        found = counted(
            metric,
            sorted({f for f, _ in pairs}),
            min(m for _, m in pairs),
            max(m for _, m in pairs),
        )
        for key, n in found.items():
            if key in cells.totals:
                cells.totals[key] += n
        return cells


SUPPORT_SOURCE = SupportSource()
