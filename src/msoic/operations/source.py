"""Intensifications held, counted from the operation records, as a derived source of the
metric engine.

:data:`INTENSIFICATIONS_SOURCE` is registered by ``OperationsConfig.ready()`` (ADR 0011). It
covers every force from the ``intensifications-held`` dataset's first period: no force
returns it.

Each operation's return is a catalogue dataset of its own (:mod:`msoic.operations.catalogue`),
so the engine counts figures *within* operations (their disruptions, arrests...) and sums
them across operations; it cannot count the operations. This source does:

- ``intensifications_held``: the operations starting in each month, each counted once
  (a flow: a financial year's figure is the operations that started in it). The nation's own
  figure (``unit_cells`` for the national org unit, ADR 0014): the unit and its partners run
  the intensifications, so a force's or a region's figure is 0 however many it joined.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from msoic.metrics.periods import month_end
from msoic.metrics.sources import NationalFiguresSource
from msoic.operations.models import Operation

HELD = "intensifications_held"
METRICS = frozenset({HELD})
DATASET = "intensifications-held"


def held_by_month(first: date, last: date) -> dict[date, int]:
    """Month -> operations starting in it, from ``first`` to the end of ``last`` (months):
    one query."""
    rows = Operation.objects.filter(
        start_date__gte=first, start_date__lte=month_end(last)
    ).values_list("start_date", flat=True)
    return dict(Counter(day.replace(day=1) for day in rows))


class IntensificationsSource(NationalFiguresSource):
    """The operation records as a :class:`~msoic.metrics.sources.DerivedSource`."""

    label = "operation records"

    dataset = DATASET
    metric_codes = METRICS

    def national_values(self, metric: str, months: list[date]) -> dict[date, int]:
        """The intensifications starting in each month."""
        return held_by_month(min(months), max(months))


INTENSIFICATIONS_SOURCE = IntensificationsSource()
