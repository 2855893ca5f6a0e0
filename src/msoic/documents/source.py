"""Documents produced, counted from the library, as a derived source of the metric engine.

:data:`DOCUMENTS_SOURCE` is registered by ``DocumentsConfig.ready()`` (ADR 0011). A document
counts once, in the month of its first publication (a new version is not a new document),
under its owning org unit. The unit and the regions own documents, not the forces: those
figures are the source's ``unit_cells`` (:func:`msoic.metrics.sources.unit_totals`), which
the engine adds to the nation's answer (every document) and a region's (its own), never to a
force's. The source covers every force from the ``documents`` dataset's first period, with
the documents a force owns (none today), so no force is asked for a return and a period is
always complete.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from django.db.models import Count
from django.db.models.functions import TruncMonth

from msoic.catalogue.loader import Catalogue
from msoic.documents.models import Document
from msoic.metrics.periods import month_end
from msoic.metrics.sources import Cells, EveryForceSource, covered_months

PRODUCED = "documents_produced"
METRICS = frozenset({PRODUCED})
DATASET = "documents"


def _month(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def produced(orgunit_ids: Collection[int], months: list[date]) -> dict[tuple[int, date], int]:
    """(owner id, month) -> documents first published then, for ``months``: one query."""
    if not orgunit_ids or not months:
        return {}
    wanted = set(months)
    rows = (
        Document.objects.filter(
            owner_id__in=list(orgunit_ids),
            published_on__gte=min(months),
            published_on__lte=month_end(max(months)),
        )
        .annotate(month=TruncMonth("published_on"))
        .order_by()
        .values_list("owner_id", "month")
        .annotate(n=Count("pk"))
    )
    out: dict[tuple[int, date], int] = {}
    for oid, month, n in rows:
        key = (oid, _month(month))
        if key[1] in wanted:
            out[key] = out.get(key, 0) + n
    return out


class DocumentsSource(EveryForceSource):
    """The library as a :class:`~msoic.metrics.sources.DerivedSource`."""

    label = "library of documents produced"
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
        if metric != PRODUCED:
            raise ValueError(f"{metric} is not counted from the library")
        pairs = covered_months(coverage, months)
        cells = Cells(totals=dict.fromkeys(pairs, 0))
        for key, n in produced(
            sorted({f for f, _ in pairs}), sorted({m for _, m in pairs})
        ).items():
            if key in cells.totals:
                cells.totals[key] += n
        return cells

    def unit_cells(
        self, metric: str, orgunit_ids: list[int], months: list[date]
    ) -> dict[tuple[int, date], int]:
        """The documents the unit and the regions among ``orgunit_ids`` own, by month."""
        if metric != PRODUCED:
            return {}
        start = self.first_month()
        return produced(orgunit_ids, [m for m in months if m >= start])


DOCUMENTS_SOURCE = DocumentsSource()
