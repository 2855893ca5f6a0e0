"""Figures counted from intelligence logs, as a derived source of the metric engine.

:data:`INTEL_SOURCE` is registered by ``IntelConfig.ready()`` (ADR 0011).

- ``oic_intel_logs_tagged`` follows the register's DDE pattern: a force marked as sending
  extracts (:class:`~msoic.intel.models.IntelSender`, from a month) has its count derived
  from the logs it sent that carry the national hashtag, by the month each log was created;
  any value it returns for those months is ignored. Every other force keeps returning it.
- ``intel_logs_received``, ``intel_logs_reviewed`` and ``intel_logs_reviewed_in_time`` are
  the unit's work: no force returns them, so every force is covered from the ``intel``
  dataset's first period (a force-month with nothing is 0). A log counts once, under the
  force that sent it: received in the month the unit first received it, reviewed in the
  month of its first review, and in time when that review was within 28 days.

Each metric is one query, on the logs' tallies by force and month
(:mod:`msoic.intel.tally`), for all the forces and months asked about.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from msoic.catalogue.loader import Catalogue, get_catalogue
from msoic.intel.models import IntelSender
from msoic.intel.tally import monthly_totals
from msoic.metrics.periods import MONTHLY, parse_period
from msoic.metrics.sources import Cells, covered_months
from msoic.orgunits.models import OrgUnit

TAGGED = "oic_intel_logs_tagged"
RECEIVED = "intel_logs_received"
REVIEWED = "intel_logs_reviewed"
IN_TIME = "intel_logs_reviewed_in_time"
UNIT_METRICS = frozenset({RECEIVED, REVIEWED, IN_TIME})
METRICS = UNIT_METRICS | {TAGGED}
DATASET = "intel"
# metric -> the tally counter that counts it (msoic.intel.tally: by the day of creation for
# the tagged count, of receipt, of first review)
_COUNTED = {
    TAGGED: "tagged",
    RECEIVED: "received",
    REVIEWED: "reviewed",
    IN_TIME: "in_time",
}


def first_month(catalogue: Catalogue | None = None) -> date:
    cat = catalogue or get_catalogue()
    return parse_period(MONTHLY, cat.datasets[DATASET].first_period)


def intel_cells(metric: str, coverage: dict[int, date], months: list[date]) -> Cells:
    """The figures of ``metric`` for each covered (force, month) among ``months``."""
    if metric not in _COUNTED:
        raise ValueError(f"{metric} is not counted from intelligence logs")
    pairs = covered_months(coverage, months)
    cells = Cells(totals={p: 0 for p in pairs})
    if not pairs:
        return cells
    force_ids = sorted({f for f, _ in pairs})
    first, last = min(m for _, m in pairs), max(m for _, m in pairs)
    # Read from the logs' tallies by force and month (a row per force-month, not per log).
    for key, n in monthly_totals(_COUNTED[metric], force_ids, first, last).items():
        if key in cells.totals:
            cells.totals[key] += n
    return cells


class IntelSource:
    """Intelligence logs as a :class:`~msoic.metrics.sources.DerivedSource`."""

    label = "intelligence logs"

    def metrics(self) -> frozenset[str]:
        return METRICS

    def coverage(
        self, metrics: Collection[str], orgunit_ids: Collection[int] | None = None
    ) -> dict[str, dict[int, date]]:
        """Tagged: the forces sending extracts (one query). The unit's metrics: every force
        from the dataset's first period (no query when the engine names the forces)."""
        out: dict[str, dict[int, date]] = {}
        if TAGGED in metrics:
            rows = IntelSender.objects.all()
            if orgunit_ids is not None:
                rows = rows.filter(force_id__in=list(orgunit_ids))
            senders = dict(rows.values_list("force_id", "from_month"))
            if senders:
                out[TAGGED] = senders
        wanted = [m for m in metrics if m in UNIT_METRICS]
        if wanted:
            if orgunit_ids is None:
                ids = list(OrgUnit.objects.forces().values_list("pk", flat=True))
            else:
                ids = list(orgunit_ids)
            start = first_month()
            for m in wanted:
                out[m] = dict.fromkeys(ids, start)
        return out

    def all_coverage(self) -> dict[tuple[str, str], date]:
        start = first_month()
        out = {
            (code, m): start
            for code in OrgUnit.objects.forces().values_list("code", flat=True)
            for m in UNIT_METRICS
        }
        for code, first in IntelSender.objects.values_list("force__code", "from_month"):
            out[(code, TAGGED)] = first
        return out

    def cells(
        self,
        metric: str,
        coverage: dict[int, date],
        months: list[date],
        breakdown: str | None,
        catalogue: Catalogue | None = None,
    ) -> Cells:
        return intel_cells(metric, coverage, months)


INTEL_SOURCE = IntelSource()
