"""Derived sources: figures an app counts from its own records instead of a force's return.

A force on direct data entry (DDE) for a metric keeps its cases on the investigation
register, and from its adoption month on the register *is* its return for that metric.
Other apps will do the same (intelligence logs, training, CPS links). The core (the metric
engine, the collection pipeline and the return forms) must not know which apps those are:
each app implements :class:`DerivedSource` and calls :func:`register` from its
``AppConfig.ready()``; the core asks the functions below. See ADR 0011.

A source *covers* a metric for an org unit from a first month on (inclusive, open-ended).
For a covered (org unit, month):

- the engine takes the source's :class:`Cells` and ignores any value of the metric the org
  unit submitted for that month;
- the template and the web form leave the metric out, and a file that carries it is
  refused (:func:`covered_by_code` feeds the pipeline's ``from_register`` rule).

A metric is derived by at most one source; :func:`register` refuses a second claim.
This module imports nothing from collection or any feature app.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol, runtime_checkable

from django.db.models import Q

from msoic.catalogue.loader import Catalogue


@dataclass
class Cells:
    """Derived figures: (org unit id, month) -> total; (org unit id, month, option) -> value.

    Every covered (org unit, month) asked about has a total (0 when the source holds
    nothing: the source is the return) and, when a breakdown the source gives was asked
    for, a value for every option."""

    totals: dict[tuple[int, date], int] = field(default_factory=dict)
    options: dict[tuple[int, date, str], int] = field(default_factory=dict)


@runtime_checkable
class DerivedSource(Protocol):
    """Figures an app derives from its records, for the metrics it names."""

    #: A short name used in messages and errors, e.g. ``"investigation register"``.
    label: str

    def metrics(self) -> frozenset[str]:
        """Every metric the source can derive (whether or not any org unit uses it yet)."""
        ...

    def coverage(
        self, metrics: Collection[str], orgunit_ids: Collection[int] | None = None
    ) -> dict[str, dict[int, date]]:
        """Metric -> org unit id -> first month the source gives it (from then on), for
        ``metrics`` (among its own) and ``orgunit_ids`` (every org unit when None); a
        metric no org unit takes from the source is left out. One query at most."""
        ...

    def all_coverage(self) -> dict[tuple[str, str], date]:
        """(org unit code, metric) -> first month derived, for every metric it gives: what
        the returns' validation needs for a whole file, in one query."""
        ...

    def cells(
        self,
        metric: str,
        coverage: dict[int, date],
        months: list[date],
        breakdown: str | None,
        catalogue: Catalogue | None = None,
    ) -> Cells:
        """The figures of ``metric`` for every covered (org unit, month) among ``months``
        (see :func:`covered_months`), split by ``breakdown`` when the source gives it."""
        ...


class SourceError(ValueError):
    """A source cannot be registered; the message names the source and the metric."""


_SOURCES: list[DerivedSource] = []


def register(source: DerivedSource) -> None:
    """Add ``source`` (from an ``AppConfig.ready()``; registering the same object twice is a
    no-op). Refuses a source claiming a metric another source already derives."""
    if not isinstance(source, DerivedSource):
        raise SourceError(f"{source!r} does not implement msoic.metrics.sources.DerivedSource")
    if any(s is source for s in _SOURCES):
        return
    claimed = source.metrics()
    for other in _SOURCES:
        clash = sorted(claimed & other.metrics())
        if clash:
            raise SourceError(
                f"{source.label}: {', '.join(clash)} already derived by {other.label}"
            )
    _SOURCES.append(source)


def unregister(source: DerivedSource) -> None:
    """Take ``source`` out (for tests that plug in a source of their own)."""
    _SOURCES[:] = [s for s in _SOURCES if s is not source]


def sources() -> list[DerivedSource]:
    return list(_SOURCES)


def source_for(metric: str) -> DerivedSource | None:
    """The source that may derive ``metric``, or None (no query)."""
    for source in _SOURCES:
        if metric in source.metrics():
            return source
    return None


def source_label(metric: str) -> str:
    """Where ``metric`` is derived from, in words ("investigation register", "intelligence
    logs"), for pages and messages that tell a force why it is not asked for a figure."""
    source = source_for(metric)
    return source.label if source is not None else "records"


def coverage(metric: str, orgunit_ids: Collection[int] | None = None) -> dict[int, date]:
    """Org unit id -> first month ``metric`` is derived; empty, with no query, for a metric
    no source gives."""
    return coverages([metric], orgunit_ids).get(metric, {})


def coverages(
    metrics: Collection[str], orgunit_ids: Collection[int] | None = None
) -> dict[str, dict[int, date]]:
    """As :func:`coverage` for several metrics: one query per source that gives any of
    them, none for metrics no source gives."""
    out: dict[str, dict[int, date]] = {}
    ids = None if orgunit_ids is None else list(orgunit_ids)
    for source in _SOURCES:
        mine = set(metrics) & source.metrics()
        if mine:
            out.update(source.coverage(mine, ids))
    return out


def covered_months(covered: dict[int, date], months: list[date]) -> set[tuple[int, date]]:
    """The (org unit id, month) pairs among ``months`` whose figure is derived."""
    return {(oid, m) for oid, first in covered.items() for m in months if m >= first}


def covered_filter(covered: dict[int, date], orgunit_field: str, month_field: str) -> Q:
    """Rows of a derived (org unit, month): one clause per first month."""
    by_first: dict[date, list[int]] = defaultdict(list)
    for oid, first in covered.items():
        by_first[first].append(oid)
    q = Q(pk__in=[])
    for first, ids in by_first.items():
        q |= Q(**{f"{orgunit_field}__in": ids, f"{month_field}__gte": first})
    return q


def cells(
    metric: str,
    covered: dict[int, date],
    months: list[date],
    breakdown: str | None,
    catalogue: Catalogue | None = None,
) -> Cells:
    """The derived figures of ``metric`` for ``covered`` over ``months``."""
    source = source_for(metric)
    if source is None or not covered:
        return Cells()
    return source.cells(metric, covered, months, breakdown, catalogue)


def covered_by_code() -> dict[tuple[str, str], date]:
    """(org unit code, metric) -> first month derived, over every source: a return's value
    for such a month is refused by the pipeline."""
    out: dict[tuple[str, str], date] = {}
    for source in _SOURCES:
        out.update(source.all_coverage())
    return out


def derived_metrics(orgunit_id: int, month: date) -> set[str]:
    """The metrics ``orgunit_id`` does not return for ``month``: a source derives them. The
    template and the web form leave them out."""
    out: set[str] = set()
    for source in _SOURCES:
        for metric, firsts in source.coverage(source.metrics(), [orgunit_id]).items():
            first = firsts.get(orgunit_id)
            if first is not None and first <= month:
                out.add(metric)
    return out


# --- figures of the unit and the regions themselves ---------------------------------------
#
# Some derived figures belong to no force: the documents the unit or a regional coordinator
# produced. A source may give them with an optional method
#
#     def unit_cells(self, metric, orgunit_ids, months) -> dict[tuple[int, date], int]
#
# (org unit id, month) -> figure, for the national and regional org units among
# ``orgunit_ids`` only. The engine adds them to the answer for that org unit and the ones
# above it (a region's to the region and the nation), never to a force's, and leaves them
# out of splits by force or region. Completeness is still the forces' (the source covers
# them, so a library figure is complete).


def unit_totals(metric: str, orgunit_ids: Collection[int], months: list[date]) -> dict[date, int]:
    """Month -> the figures of ``metric`` that belong to the org units ``orgunit_ids``
    themselves (the unit, regions), summed; empty, with no query, when no source gives any."""
    source = source_for(metric)
    own = getattr(source, "unit_cells", None)
    if own is None or not orgunit_ids or not months:
        return {}
    out: dict[date, int] = defaultdict(int)
    for (_, month), value in own(metric, list(orgunit_ids), months).items():
        out[month] += value
    return dict(out)


# A source whose own figures have a breakdown (a feedback survey's answers by question) may
# also give
#
#     def unit_option_cells(self, metric, orgunit_ids, months, breakdown)
#         -> dict[tuple[int, date, str], int]
#
# (org unit id, month, option) -> figure, for the same org units; the engine adds them to
# the options of a split by that breakdown as it adds ``unit_cells`` to the total.


def unit_option_totals(
    metric: str, orgunit_ids: Collection[int], months: list[date], breakdown: str | None
) -> dict[tuple[date, str], int]:
    """(month, option) -> the figures of ``metric`` split by ``breakdown`` that belong to the
    org units ``orgunit_ids`` themselves, summed; empty, with no query, when no source gives
    any."""
    source = source_for(metric)
    own = getattr(source, "unit_option_cells", None)
    if own is None or not breakdown or not orgunit_ids or not months:
        return {}
    out: dict[tuple[date, str], int] = defaultdict(int)
    for (_, month, option), value in own(metric, list(orgunit_ids), months, breakdown).items():
        out[(month, option)] += value
    return dict(out)


# --- breakdowns whose options are the records' own ----------------------------------------
#
# A catalogue breakdown written ``options: records`` (an event, a survey's question) has no
# fixed list: the source of the metrics split by it names the options that have records in
# the months asked about, with an optional method
#
#     def breakdown_options(self, metric, breakdown, months) -> dict[str, str]
#
# (option code -> label, in the order to show them). The engine lists those as the rows of
# a split; an option the source does not name over those months is no row.


def breakdown_options(
    metric: str, breakdown: str, months: list[date], catalogue: Catalogue
) -> dict[str, str]:
    """The options of ``breakdown`` for ``metric`` over ``months``: the catalogue's, or for
    a breakdown of records the source's (none when no source names any)."""
    found = catalogue.breakdowns[breakdown]
    if not found.from_records:
        return found.options
    source = source_for(metric)
    own = getattr(source, "breakdown_options", None)
    if own is None or not months:
        return {}
    return dict(own(metric, breakdown, months))


class EveryForceSource:
    """The coverage part of a :class:`DerivedSource` that derives its metrics for every
    force from its catalogue dataset's first month on (no force returns them). A source sets
    ``dataset`` and ``metric_codes`` and writes only its ``cells`` (and ``unit_cells`` where
    the nation holds figures of its own)."""

    dataset: str
    metric_codes: frozenset[str]

    def first_month(self, catalogue: Catalogue | None = None) -> date:
        """The first month the source gives: its dataset's first period (a quarter for a
        quarterly dataset, else a month)."""
        from msoic.catalogue.loader import get_catalogue
        from msoic.metrics.periods import MONTHLY, QUARTERLY, parse_period

        dataset = (catalogue or get_catalogue()).datasets[self.dataset]
        kind = QUARTERLY if dataset.frequency == QUARTERLY else MONTHLY
        return parse_period(kind, dataset.first_period)

    def metrics(self) -> frozenset[str]:
        return self.metric_codes

    def coverage(
        self, metrics: Collection[str], orgunit_ids: Collection[int] | None = None
    ) -> dict[str, dict[int, date]]:
        from msoic.orgunits.models import OrgUnit

        wanted = [m for m in metrics if m in self.metric_codes]
        if not wanted:
            return {}
        if orgunit_ids is None:
            ids = list(OrgUnit.objects.forces().values_list("pk", flat=True))
        else:
            ids = list(orgunit_ids)
        start = self.first_month()
        return {m: dict.fromkeys(ids, start) for m in wanted}

    def all_coverage(self) -> dict[tuple[str, str], date]:
        from msoic.orgunits.models import OrgUnit

        start = self.first_month()
        codes = OrgUnit.objects.forces().values_list("code", flat=True)
        return {(code, m): start for code in codes for m in self.metric_codes}


class NationalFiguresSource(EveryForceSource, ABC):
    """An :class:`EveryForceSource` some of whose metrics are the nation's own figures
    (``unit_cells`` for the national org unit only): the programme's pillars, the CCA
    tasking, the standards, the themes, the intensifications held. A source sets
    ``national_metrics`` (all its metrics unless it says otherwise) and writes
    :meth:`national_values`; a metric that is wholly the nation's reads 0 for every covered
    force (this :meth:`cells`, which a source whose other metrics are forces' overrides)."""

    label: str
    national_metrics: frozenset[str] | None = None  # None: every metric of the source

    @abstractmethod
    def national_values(self, metric: str, months: list[date]) -> dict[date, int]:
        """Month -> the nation's figure, for ``months`` (each from the first month on). Each
        source writes its own (abstract: a source without it cannot be made)."""

    def cells(
        self,
        metric: str,
        coverage: dict[int, date],
        months: list[date],
        breakdown: str | None,
        catalogue: Catalogue | None = None,
    ) -> Cells:
        if metric not in self.metric_codes:
            raise ValueError(f"{metric} is not counted from the {self.label}")
        return Cells(totals=dict.fromkeys(covered_months(coverage, months), 0))

    def unit_cells(
        self, metric: str, orgunit_ids: list[int], months: list[date]
    ) -> dict[tuple[int, date], int]:
        """The nation's figures, for the national org unit among ``orgunit_ids`` (none for a
        region), by month: one query for the org unit, then :meth:`national_values`."""
        from msoic.orgunits.models import OrgUnit, OrgUnitKind

        own = self.metric_codes if self.national_metrics is None else self.national_metrics
        start = self.first_month()
        months = [m for m in months if m >= start]
        if metric not in own or not months or not orgunit_ids:
            return {}
        national = (
            OrgUnit.objects.filter(pk__in=orgunit_ids, kind=OrgUnitKind.NATIONAL)
            .values_list("pk", flat=True)
            .first()
        )
        if national is None:
            return {}
        values = self.national_values(metric, months)
        return {(national, m): values.get(m, 0) for m in months}
