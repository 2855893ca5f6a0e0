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

from msoic.catalogue.loader import Catalogue, get_catalogue
from msoic.documents.models import Document
from msoic.metrics.periods import MONTHLY, month_end, parse_period
from msoic.metrics.sources import Cells, covered_months
from msoic.orgunits.models import OrgUnit

PRODUCED = "documents_produced"
METRICS = frozenset({PRODUCED})
DATASET = "documents"


def first_month(catalogue: Catalogue | None = None) -> date:
    cat = catalogue or get_catalogue()
    return parse_period(MONTHLY, cat.datasets[DATASET].first_period)


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


class DocumentsSource:
    """The library as a :class:`~msoic.metrics.sources.DerivedSource`."""

    label = "library of documents produced"

    def metrics(self) -> frozenset[str]:
        return METRICS

    def coverage(
        self, metrics: Collection[str], orgunit_ids: Collection[int] | None = None
    ) -> dict[str, dict[int, date]]:
        if PRODUCED not in metrics:
            return {}
        if orgunit_ids is None:
            ids = list(OrgUnit.objects.forces().values_list("pk", flat=True))
        else:
            ids = list(orgunit_ids)
        return {PRODUCED: dict.fromkeys(ids, first_month())}

    def all_coverage(self) -> dict[tuple[str, str], date]:
        start = first_month()
        return {
            (code, PRODUCED): start
            for code in OrgUnit.objects.forces().values_list("code", flat=True)
        }

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
        start = first_month()
        return produced(orgunit_ids, [m for m in months if m >= start])


DOCUMENTS_SOURCE = DocumentsSource()
