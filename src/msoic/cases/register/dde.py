"""Figures derived from the investigation register for forces on direct data entry (DDE).

A force marked by :class:`~msoic.cases.models.DdeAdoption` for metric M from month F no
longer returns M: from F on, the metric engine asks :func:`derived_cells` instead of the
force's return, and ignores any value of M the force has submitted for those months.
The core reaches this module only through :data:`REGISTER_SOURCE`, the register's
:class:`~msoic.metrics.sources.DerivedSource`, registered by ``CasesConfig.ready()``
(ADR 0011).

- ``ms_live_investigations`` (a stock): investigations live at the end of the month
  (opened on or before its last day; not closed, or closed after it), by primary
  exploitation type (an empty or unknown primary counts as ``other``);
- ``ms_nrm_referrals`` (a flow): potential victims the force referred into the NRM in the
  month (referred by police), by age group (``unknown`` when not known);
- ``ms_dtn_reports`` (a flow): Duty to Notify reports made in the month.

The register also gives a figure of its own, which no force returns (catalogue dataset
``register``): it covers every force from that dataset's first month, and a force that does
not use the register holds nothing.

- ``register_nrm_referrals`` (a flow): potential victims referred into the NRM in the month
  by anyone (the people the register's NRM picture counts), by nationality group
  (``british`` for GB, ``not_known`` when none is recorded, ``not_british`` otherwise).

Each metric is one aggregate query for all forces and all months asked about, grouped in
SQL (a stock counts with one filtered aggregate per month; a flow groups by the month),
so a dashboard costs the same however many forces use the register.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from msoic.audit.log import record
from msoic.audit.models import AuditAction
from msoic.cases.models import DDE_METRICS, Category, DdeAdoption, Investigation, Person
from msoic.catalogue.loader import Catalogue, get_catalogue
from msoic.metrics.periods import format_month, month_end
from msoic.metrics.sources import Cells, covered_months
from msoic.orgunits.models import OrgUnit, OrgUnitKind

# The catalogue breakdown each derived metric is split by, and the option a record with
# no (or an unknown) code falls into.
BREAKDOWN = {
    "ms_live_investigations": "exploitation_type",
    "ms_nrm_referrals": "age_group",
    "register_nrm_referrals": "nationality_group",
}
FALLBACK_OPTION = {
    "exploitation_type": "other",
    "age_group": "unknown",
    "nationality_group": "not_known",
}
# The register's own figures (no force returns them): every force, from the dataset's first
# month.
REGISTER_METRICS = ("register_nrm_referrals",)
REGISTER_DATASET = "register"
BRITISH = "GB"


def nationality_group(code: str) -> str:
    """A person's nationality (ISO 3166-1 alpha-2, or empty) as a ``nationality_group``
    option."""
    if not code:
        return "not_known"
    return "british" if code == BRITISH else "not_british"


def derived_cells(
    metric: str,
    adopted: dict[int, date],
    months: list[date],
    breakdown: str | None,
    catalogue: Catalogue | None = None,
) -> Cells:
    pairs = covered_months(adopted, months)
    cells = Cells(totals={p: 0 for p in pairs})
    if not pairs:
        return cells
    wanted = sorted({m for _, m in pairs})
    force_ids = sorted({f for f, _ in pairs})
    split = breakdown if breakdown and BREAKDOWN.get(metric) == breakdown else None
    if metric == "ms_live_investigations":
        raw = _live_at_month_end(force_ids, wanted, split is not None)
    elif metric == "ms_nrm_referrals":
        raw = _flow(
            Person.objects.filter(category=Category.VICTIM, nrm_referred_by_police=True),
            "nrm_referred_on",
            force_ids,
            wanted,
            "age_group" if split else None,
        )
    elif metric == "ms_dtn_reports":
        raw = _flow(
            Person.objects.filter(category=Category.VICTIM), "dtn_reported_on", force_ids, wanted
        )
    elif metric == "register_nrm_referrals":
        raw = defaultdict(int)
        for (fid, month, code), n in _flow(
            Person.objects.filter(category=Category.VICTIM),
            "nrm_referred_on",
            force_ids,
            wanted,
            "nationality" if split else None,
        ).items():
            raw[(fid, month, nationality_group(code) if split else "")] += n
    else:
        raise ValueError(f"{metric} is not derived from the register")
    options: list[str] = []
    if split:
        options = list((catalogue or get_catalogue()).breakdowns[split].options)
        cells.options = {(f, m, o): 0 for f, m in pairs for o in options}
    for (fid, month, option), n in raw.items():
        if (fid, month) not in pairs:
            continue  # before the force adopted the register for this metric
        cells.totals[(fid, month)] += n
        if split:
            key = option if option in options else FALLBACK_OPTION[split]
            cells.options[(fid, month, key)] += n
    return cells


def _live_at_month_end(
    force_ids: list[int], months: list[date], by_type: bool
) -> dict[tuple[int, date, str], int]:
    """Per force (and primary type), one filtered count per month end, in one query.

    Live at a month end means opened by then and not closed by then. The query reads two
    index ranges (``inv_live_idx``: force, closed_on, ...), joined by UNION ALL: cases still
    open, and cases closed after the first month end asked about. Neither reads the closed
    history, so the cost follows the live caseload, not the size of the register."""
    ends = [month_end(m) for m in months]
    live = {
        f"m{i}": Count(
            "pk", filter=Q(opened_on__lte=end) & (Q(closed_on__isnull=True) | Q(closed_on__gt=end))
        )
        for i, end in enumerate(ends)
    }
    group = ["force_id", "primary_exploitation"] if by_type else ["force_id"]
    base = Investigation.objects.filter(force_id__in=force_ids, opened_on__lte=ends[-1])
    open_now = base.filter(closed_on__isnull=True).order_by().values(*group).annotate(**live)
    closed_later = base.filter(closed_on__gt=ends[0]).order_by().values(*group).annotate(**live)
    out: dict[tuple[int, date, str], int] = defaultdict(int)
    for row in open_now.union(closed_later, all=True):
        option = row.get("primary_exploitation", "")
        for i, month in enumerate(months):
            if row[f"m{i}"]:
                out[(row["force_id"], month, option)] += row[f"m{i}"]
    return out


def _flow(
    people: Any,
    date_field: str,
    force_ids: list[int],
    months: list[date],
    option_field: str | None = None,
) -> dict[tuple[int, date, str], int]:
    """One query: events per force, month (and option) between the first and last month."""
    group = ["force_id", "month", *([option_field] if option_field else [])]
    rows = (
        people.filter(
            force_id__in=force_ids,
            **{f"{date_field}__gte": months[0], f"{date_field}__lte": month_end(months[-1])},
        )
        .annotate(month=TruncMonth(date_field))
        .order_by()
        .values(*group)
        .annotate(n=Count("pk"))
    )
    out: dict[tuple[int, date, str], int] = defaultdict(int)
    for row in rows:
        month = row["month"]
        if hasattr(month, "date"):  # a datetime on some backends
            month = month.date()
        out[(row["force_id"], month, row.get(option_field, "") if option_field else "")] += row["n"]
    return out


# --- marking a force as DDE ------------------------------------------------------------------


class DdeError(ValueError):
    """The adoption cannot be recorded; the message says why."""


@transaction.atomic
def do_set_dde_adoption(
    force: OrgUnit, metric: str, from_month: date, *, actor: Any
) -> DdeAdoption:
    """Mark ``force`` as deriving ``metric`` from its register from ``from_month`` on (or
    move that month). An alteration with an audit row naming the month before and after."""
    if force.kind != OrgUnitKind.FORCE:
        raise DdeError(f"{force.name} is not a force")
    if metric not in DDE_METRICS:
        raise DdeError(f"{metric} cannot come from the register (only {', '.join(DDE_METRICS)})")
    if from_month.day != 1:
        raise DdeError("the first month derived must be given as a month (YYYY-MM)")
    adoption = DdeAdoption.objects.select_for_update().filter(force=force, metric=metric).first()
    before = format_month(adoption.from_month) if adoption else None
    if adoption is None:
        adoption = DdeAdoption.objects.create(force=force, metric=metric, from_month=from_month)
    else:
        adoption.from_month = from_month
        adoption.save(update_fields=["from_month"])
    record(
        actor=actor,
        action=AuditAction.ALTERATION,
        obj=adoption,
        orgunit=force,
        detail={
            "step": "cases.dde_adoption",
            "metric": metric,
            "from_month": format_month(from_month),
            "before": before,
        },
    )
    return adoption


@transaction.atomic
def do_end_dde_adoption(force: OrgUnit, metric: str, *, actor: Any) -> bool:
    """The force returns ``metric`` again for every month. False if it was not on DDE."""
    adoption = DdeAdoption.objects.select_for_update().filter(force=force, metric=metric).first()
    if adoption is None:
        return False
    record(
        actor=actor,
        action=AuditAction.ALTERATION,
        obj=adoption,
        orgunit=force,
        detail={
            "step": "cases.dde_adoption_ended",
            "metric": metric,
            "before": format_month(adoption.from_month),
        },
    )
    adoption.delete()
    return True


class RegisterSource:
    """The investigation register as a :class:`~msoic.metrics.sources.DerivedSource`:
    registered in :meth:`msoic.cases.apps.CasesConfig.ready`."""

    label = "investigation register"

    def metrics(self) -> frozenset[str]:
        return frozenset(DDE_METRICS) | frozenset(REGISTER_METRICS)

    def coverage(
        self, metrics: Collection[str], orgunit_ids: Collection[int] | None = None
    ) -> dict[str, dict[int, date]]:
        """Metric -> force id -> first month derived: a DDE metric's adoption month (one
        query); the register's own metrics, every force from their dataset's first month."""
        out: dict[str, dict[int, date]] = {}
        own = [m for m in metrics if m in REGISTER_METRICS]
        if own:
            ids = list(orgunit_ids) if orgunit_ids is not None else list(_forces().values())
            start = _register_first_month()
            out.update({m: dict.fromkeys(ids, start) for m in own})
        wanted = [m for m in metrics if m in DDE_METRICS]
        if not wanted:
            return out
        rows = DdeAdoption.objects.filter(metric__in=wanted)
        if orgunit_ids is not None:
            rows = rows.filter(force_id__in=list(orgunit_ids))
        for metric, force_id, first in rows.values_list("metric", "force_id", "from_month"):
            out.setdefault(metric, {})[force_id] = first
        return out

    def all_coverage(self) -> dict[tuple[str, str], date]:
        """(force code, metric) -> first month derived, for the returns' validation."""
        out = {
            (code, metric): first
            for code, metric, first in DdeAdoption.objects.values_list(
                "force__code", "metric", "from_month"
            )
        }
        start = _register_first_month()
        for code in _forces():
            out.update({(code, m): start for m in REGISTER_METRICS})
        return out

    def cells(
        self,
        metric: str,
        coverage: dict[int, date],
        months: list[date],
        breakdown: str | None,
        catalogue: Catalogue | None = None,
    ) -> Cells:
        return derived_cells(metric, coverage, months, breakdown, catalogue)


def _forces() -> dict[str, int]:
    """Force code -> id, every force."""
    return dict(OrgUnit.objects.forces().values_list("code", "pk"))


def _register_first_month() -> date:
    """The first month of the register's own figures: its catalogue dataset's first period."""
    from msoic.metrics.periods import MONTHLY, parse_period

    return parse_period(MONTHLY, get_catalogue().datasets[REGISTER_DATASET].first_period)


REGISTER_SOURCE = RegisterSource()
