"""The programme's pillars and objectives, counted from their records, as a derived source
of the metric engine.

:data:`PROGRAMME_SOURCE` is registered by ``ProgrammeConfig.ready()`` (ADR 0011). It covers
every force from the ``programme`` dataset's first period: no force returns these.

- ``programme_pillars``: the pillars in use at the month's end (a stock);
- ``programme_objectives``: the objectives of those pillars.

Both are the nation's own figures (``unit_cells`` for the national org unit, ADR 0014): the
programme is the unit's, so forces and regions read 0.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from msoic.metrics.periods import month_end
from msoic.metrics.sources import NationalFiguresSource
from msoic.programme.models import Objective, Pillar

PILLARS = "programme_pillars"
OBJECTIVES = "programme_objectives"
METRICS = frozenset({PILLARS, OBJECTIVES})
DATASET = "programme"


def as_at(metric: str, days: list[date]) -> dict[date, int]:
    """Day -> the pillars (or their objectives) in use on it: two queries at most."""
    pillars = list(Pillar.objects.all())
    objectives = Counter(Objective.objects.values_list("pillar_id", flat=True))
    out: dict[date, int] = {}
    for day in days:
        used = [p for p in pillars if p.in_use_on(day)]
        out[day] = len(used) if metric == PILLARS else sum(objectives[p.code] for p in used)
    return out


class ProgrammeSource(NationalFiguresSource):
    """The pillars and objectives as a :class:`~msoic.metrics.sources.DerivedSource`."""

    label = "programme pillars"

    dataset = DATASET
    metric_codes = METRICS

    def national_values(self, metric: str, months: list[date]) -> dict[date, int]:
        """The pillars (objectives) in use at each month's end."""
        counts = as_at(metric, [month_end(m) for m in months])
        return {m: counts[month_end(m)] for m in months}


PROGRAMME_SOURCE = ProgrammeSource()
