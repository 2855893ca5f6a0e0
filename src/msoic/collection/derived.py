"""Figures of a return that a derived source gives instead of the force (ADR 0008, 0011).

A force on direct data entry counts some metrics from its investigation register: from its
adoption month on, the template and the web form leave them out and the metric engine takes
the register's count. A return's page and the completeness grid must then say so and show
the register's figure, not "not given". The core asks :mod:`msoic.metrics.sources` (never
the cases app), as the engine does.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from msoic.catalogue.loader import Catalogue
from msoic.metrics import sources


@dataclass(frozen=True)
class Derived:
    """A figure of a return that a source gives: its value and where it comes from."""

    value: int
    source: str  # e.g. "investigation register"
    since: date  # the first month the source gives it for this org unit


def return_figures(
    catalogue: Catalogue, dataset: str, orgunit_id: int, month: date
) -> dict[tuple[str, str, str], Derived]:
    """(metric, breakdown, option) -> the derived figure, for every metric of ``dataset``
    that a source gives ``orgunit_id`` for ``month`` (a total has breakdown and option
    ""). Only monthly returns: the sources count by month. One query per source for the
    coverage, then the source's own for each metric covered."""
    ds = catalogue.datasets.get(dataset)
    if ds is None or ds.frequency != "monthly":
        return {}
    metrics = list(catalogue.dataset_metrics(dataset))
    covered = sources.coverages([m.code for m in metrics], [orgunit_id])
    out: dict[tuple[str, str, str], Derived] = {}
    for metric in metrics:
        first = covered.get(metric.code, {}).get(orgunit_id)
        if first is None or first > month:
            continue
        source = sources.source_for(metric.code)
        label = source.label if source is not None else "register"
        coverage = {orgunit_id: first}
        cells = sources.cells(metric.code, coverage, [month], None, catalogue)
        total = cells.totals.get((orgunit_id, month), 0)
        out[(metric.code, "", "")] = Derived(total, label, first)
        for name in metric.breakdowns:
            split = sources.cells(metric.code, coverage, [month], name, catalogue)
            for option in catalogue.breakdowns[name].options:
                value = split.options.get((orgunit_id, month, option))
                if value is not None:
                    out[(metric.code, name, option)] = Derived(value, label, first)
    return out


def with_derived_figures(
    rows: list[dict[str, Any]],
    catalogue: Catalogue,
    dataset: str,
    orgunit_id: int,
    month: date,
) -> list[dict[str, Any]]:
    """The rows of a return's figures (``metric``, ``breakdown``, ``option`` keys as the
    values table writes them), each with ``derived``: the source's figure or None."""
    figures = return_figures(catalogue, dataset, orgunit_id, month)
    for row in rows:
        metric = row.get("metric")
        key = (
            metric.code if metric is not None else "",
            row.get("breakdown", ""),
            row.get("option", ""),
        )
        row["derived"] = figures.get(key)
    return rows


def derived_labels(
    catalogue: Catalogue, dataset: str, orgunit_ids: Collection[int], months: list[date]
) -> dict[int, list[tuple[str, str, date]]]:
    """Org unit id -> (metric label, source label, first month) for each metric of
    ``dataset`` a source gives it in any of ``months``: what the grid notes beside a force.
    One query per source."""
    ds = catalogue.datasets.get(dataset)
    if ds is None or not months or ds.frequency != "monthly":
        return {}
    last = max(months)
    metrics = {m.code: m for m in catalogue.dataset_metrics(dataset)}
    out: dict[int, list[tuple[str, str, date]]] = {}
    for code, firsts in sources.coverages(list(metrics), orgunit_ids).items():
        source = sources.source_for(code)
        label = source.label if source is not None else "register"
        for oid, first in firsts.items():
            if first <= last:
                out.setdefault(oid, []).append((metrics[code].label, label, first))
    for notes in out.values():
        notes.sort()
    return out
