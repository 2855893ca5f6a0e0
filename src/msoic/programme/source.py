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

from msoic.catalogue.loader import Catalogue
from msoic.metrics.periods import month_end
from msoic.metrics.sources import Cells, EveryForceSource, covered_months
from msoic.orgunits.models import OrgUnit, OrgUnitKind
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


class ProgrammeSource(EveryForceSource):
    """The pillars and objectives as a :class:`~msoic.metrics.sources.DerivedSource`."""

    label = "programme pillars"

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
            raise ValueError(f"{metric} is not counted from the programme's pillars")
        # The nation's figures: no force holds any (unit_cells gives them).
        return Cells(totals=dict.fromkeys(covered_months(coverage, months), 0))

    def unit_cells(
        self, metric: str, orgunit_ids: list[int], months: list[date]
    ) -> dict[tuple[int, date], int]:
        """The pillars (objectives) in use at each month's end, for the national org unit
        among ``orgunit_ids``."""
        start = self.first_month()
        months = [m for m in months if m >= start]
        if metric not in METRICS or not months or not orgunit_ids:
            return {}
        national = (
            OrgUnit.objects.filter(pk__in=orgunit_ids, kind=OrgUnitKind.NATIONAL)
            .values_list("pk", flat=True)
            .first()
        )
        if national is None:
            return {}
        counts = as_at(metric, [month_end(m) for m in months])
        return {(national, m): counts[month_end(m)] for m in months}


PROGRAMME_SOURCE = ProgrammeSource()
