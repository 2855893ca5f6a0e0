"""The attrition funnel, counted from linked records, as a derived source of the metric
engine (registered by ``CpsConfig.ready()``, ADR 0011).

The funnel follows investigations from the month they were opened (a cohort), so each stage
is a subset of the one before it whatever the period asked:

- ``cps_funnel_investigations``: investigations opened on the register;
- ``cps_funnel_charged``: of them, those with a suspect charged (on the register, or a
  linked CPS case);
- ``cps_funnel_prosecuted``: those with a linked CPS case that reached a first hearing;
- ``cps_funnel_convicted``: those with a linked CPS case ending in a conviction.

A link counts when it is automatic or confirmed. Register investigations come through the
core's linkable-records registry (:mod:`msoic.metrics.linkable`): this app never imports the
register. The breakdown is the investigation's primary exploitation type. Median days
between stages are not sums, so the engine cannot roll them up: :func:`stage_days` gives
them to the funnel page for the org units it shows.
"""

from __future__ import annotations

import statistics
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date

from msoic.catalogue.loader import Catalogue, get_catalogue
from msoic.cps.models import CaseOutcome, Link, LinkStatus
from msoic.metrics.linkable import LinkableInvestigation, provider
from msoic.metrics.periods import month_end
from msoic.metrics.sources import Cells, EveryForceSource, covered_months

INVESTIGATIONS = "cps_funnel_investigations"
CHARGED = "cps_funnel_charged"
PROSECUTED = "cps_funnel_prosecuted"
CONVICTED = "cps_funnel_convicted"
STAGES = (INVESTIGATIONS, CHARGED, PROSECUTED, CONVICTED)
METRICS = frozenset(STAGES)
DATASET = "cps_funnel"
BREAKDOWN = "exploitation_type"


@dataclass
class Followed:
    """One investigation and how far it went."""

    investigation: LinkableInvestigation
    charged_on: date | None = None
    hearing_on: date | None = None
    convicted_on: date | None = None

    def reached(self, stage: str) -> bool:
        if stage == INVESTIGATIONS:
            return True
        if stage == CHARGED:
            return self.charged_on is not None
        if stage == PROSECUTED:
            return self.hearing_on is not None
        return self.convicted_on is not None


def _earliest(*days: date | None) -> date | None:
    present = [d for d in days if d is not None]
    return min(present) if present else None


def follow(force_ids: Collection[int], start: date, end: date) -> list[Followed]:
    """Investigations of ``force_ids`` opened from ``start`` to ``end``, each with its
    first charge, first hearing and first conviction (two queries and the register's)."""
    investigations = list(provider().investigations(force_ids, start, end))
    if not investigations:
        return []
    counted = Link.objects.filter(
        status__in=[LinkStatus.AUTOMATIC, LinkStatus.CONFIRMED], force_id__in=list(force_ids)
    ).values_list(
        "investigation_id",
        "case__charged_on",
        "case__first_hearing_on",
        "case__outcome",
        "case__outcome_on",
    )
    cases: dict[int, list[tuple[date, date | None, str, date | None]]] = {}
    for inv_id, charged, hearing, outcome, ended in counted:
        cases.setdefault(inv_id, []).append((charged, hearing, outcome, ended))
    out = []
    for inv in investigations:
        linked = cases.get(inv.id, [])
        out.append(
            Followed(
                inv,
                charged_on=_earliest(inv.first_charged_on, *(c[0] for c in linked)),
                hearing_on=_earliest(*(c[1] for c in linked)),
                convicted_on=_earliest(*(c[3] for c in linked if c[2] == CaseOutcome.CONVICTED)),
            )
        )
    return out


def funnel_cells(
    metric: str, coverage: dict[int, date], months: list[date], breakdown: str | None
) -> Cells:
    if metric not in METRICS:
        raise ValueError(f"{metric} is not counted from the CPS linkage")
    pairs = covered_months(coverage, months)
    cells = Cells(totals={p: 0 for p in pairs})
    if not pairs:
        return cells
    force_ids = sorted({f for f, _ in pairs})
    first, last = min(m for _, m in pairs), max(m for _, m in pairs)
    options = list(get_catalogue().breakdowns[BREAKDOWN].options) if breakdown == BREAKDOWN else []
    for fid, month in pairs:
        for option in options:
            cells.options[(fid, month, option)] = 0
    for item in follow(force_ids, first, month_end(last)):
        if not item.reached(metric):
            continue
        inv = item.investigation
        key = (inv.force_id, inv.opened_on.replace(day=1))
        if key not in cells.totals:
            continue
        cells.totals[key] += 1
        if options:
            option = inv.primary_exploitation if inv.primary_exploitation in options else "other"
            cells.options[(*key, option)] += 1
    return cells


def _median(values: Iterable[int]) -> float | None:
    data = list(values)
    return statistics.median(data) if data else None


def stage_days(items: list[Followed]) -> dict[str, float | None]:
    """Median days from opening to the first charge, from charge to the first hearing, and
    from the first hearing to a conviction, over the investigations that got that far."""
    return {
        "opened_to_charge": _median(
            (i.charged_on - i.investigation.opened_on).days for i in items if i.charged_on
        ),
        "charge_to_hearing": _median(
            (i.hearing_on - i.charged_on).days for i in items if i.hearing_on and i.charged_on
        ),
        "hearing_to_conviction": _median(
            (i.convicted_on - i.hearing_on).days for i in items if i.convicted_on and i.hearing_on
        ),
    }


class FunnelSource(EveryForceSource):
    """The funnel as a :class:`~msoic.metrics.sources.DerivedSource`: every force, from the
    dataset's first period (no force returns these figures)."""

    label = "CPS linkage (attrition funnel)"
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
        return funnel_cells(metric, coverage, months, breakdown)


FUNNEL_SOURCE = FunnelSource()
