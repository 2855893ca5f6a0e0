"""The CCA tasking's measures discharged and still open, counted from the progress records,
as a derived source of the metric engine.

:data:`TASKING_SOURCE` is registered by ``TaskingConfig.ready()`` (ADR 0011). Both metrics are
stocks of the tasking as a whole, the figures the national tracker heads with
(:mod:`msoic.tasking.tracker`), as at the end of each month:

- ``cca_measures_discharged``: measures every org unit they apply to was recorded discharged
  on or before that day;
- ``cca_measures_open``: measures issued by then (their tasking version's issue date) and not
  discharged: the areas of focus.

They are the unit's own figures (``unit_cells`` for the national org unit, ADR 0014): a
measure is discharged for policing as a whole, so no force or region holds a part of it and
adding forces' counts would count a measure 43 times. The source covers every force with 0
from the ``tasking`` dataset's first period, so no force is asked for a return; a force's own
progress is on the tracker.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from msoic.catalogue.loader import Catalogue
from msoic.metrics.periods import month_end
from msoic.metrics.sources import NationalFiguresSource
from msoic.tasking.models import Measure, MeasureProgress, Status

DISCHARGED = "cca_measures_discharged"
OPEN = "cca_measures_open"
METRICS = frozenset({DISCHARGED, OPEN})
DATASET = "tasking"


def first_month(catalogue: Catalogue | None = None) -> date:
    """The first month the source gives: its dataset's first period."""
    return TASKING_SOURCE.first_month(catalogue)


def measures_as_at(days: list[date]) -> dict[date, tuple[int, int]]:
    """Day -> (measures discharged, measures open) on that day: two queries."""
    issued = dict(Measure.objects.values_list("pk", "introduced_in__issued_on"))
    states: dict[int, list[date | None]] = defaultdict(list)
    for measure_id, status, on in MeasureProgress.objects.values_list(
        "measure_id", "status", "discharged_on"
    ):
        states[measure_id].append(on if status == Status.DISCHARGED else None)
    out: dict[date, tuple[int, int]] = {}
    for day in days:
        done = still = 0
        for measure_id, on in issued.items():
            if on > day:
                continue
            units = states.get(measure_id, [])
            if units and all(d is not None and d <= day for d in units):
                done += 1
            else:
                still += 1
        out[day] = (done, still)
    return out


class TaskingSource(NationalFiguresSource):
    """The CCA tasking's progress records as a :class:`~msoic.metrics.sources.DerivedSource`."""

    label = "CCA tasking progress records"

    dataset = DATASET
    metric_codes = METRICS

    def national_values(self, metric: str, months: list[date]) -> dict[date, int]:
        """The measures discharged (or open) at each month's end."""
        counts = measures_as_at([month_end(m) for m in months])
        pick = 0 if metric == DISCHARGED else 1
        return {m: counts[month_end(m)][pick] for m in months}


TASKING_SOURCE = TaskingSource()
