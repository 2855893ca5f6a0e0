"""Counts and financial outcomes of operations supported, by financial year, region, force,
support type, crime type and provider, over whatever set of operations the caller may see.
A fixed number of aggregate queries, however many operations there are."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet, Sum

from msoic.metrics.money import pence_to_pounds
from msoic.metrics.periods import Period, choice_label
from msoic.orgunits.models import OrgUnit
from msoic.support.models import (
    CrimeType,
    FinancialOutcome,
    OperationSupportType,
    OutcomeKind,
    Provider,
    SupportType,
)

ZERO = 0


@dataclass
class Line:
    key: str
    label: str
    operations: int = 0
    outcomes: int = 0
    amount: int = ZERO  # pence


@dataclass
class Summary:
    year: int | None
    years: list[Line]
    total: int
    amount: int  # pence
    outcomes: int
    by_region: list[Line] = field(default_factory=list)
    by_force: list[Line] = field(default_factory=list)
    by_support_type: list[Line] = field(default_factory=list)
    by_crime_type: list[Line] = field(default_factory=list)
    by_provider: list[Line] = field(default_factory=list)
    by_outcome: list[Line] = field(default_factory=list)

    @property
    def year_code(self) -> str:
        return Period.financial_year_starting(self.year).code if self.year is not None else ""

    def tables(self) -> list[tuple[str, list[Line]]]:
        return [
            ("Region", self.by_region),
            ("Force", self.by_force),
            ("Support type", self.by_support_type),
            ("Crime type", self.by_crime_type),
            ("Given by", self.by_provider),
            ("Financial outcome", self.by_outcome),
        ]

    def tables_with_totals(self) -> list[tuple[str, list[Line], Line, bool]]:
        """Each table, its total line and whether its rows add up to that total.

        Every table's total is the page's: the year's operations, financial outcomes and
        their value. The rows add up to it, except for support types (an operation given
        several kinds of support counts, with its outcomes, under each) and the operations
        column by financial outcome (an operation with outcomes of two kinds is under both)."""
        total = Line("total", "Total", self.total, self.outcomes, self.amount)
        return [
            (dimension, lines, total, dimension not in OVERLAPPING)
            for dimension, lines in self.tables()
        ]


# Tables whose rows may count one operation more than once (see tables_with_totals).
OVERLAPPING = {"Support type", "Financial outcome"}


def _money_by(outcomes: QuerySet[FinancialOutcome], field: str) -> dict[Any, tuple[int, int]]:
    """Key -> (number of financial outcomes, their value in pence), grouped by ``field``
    (a path from the outcome, e.g. ``operation__crime_type``): one aggregate query."""
    return {
        key: (n, total or ZERO)
        for key, n, total in outcomes.values_list(field)
        .annotate(n=Count("pk"), t=Sum("amount_pence"))
        .values_list(field, "n", "t")
        .order_by()
    }


def _choice_lines(
    choices: Any, counts: dict[str, int], amounts: dict[str, tuple[int, int]] | None = None
) -> list[Line]:
    lines = []
    for value, label in choices.choices:
        n, total = (amounts or {}).get(value, (0, ZERO))
        lines.append(Line(value, label, counts.get(value, 0), n, total))
    return lines


def build_summary(ops: QuerySet[Any], year: int | None) -> Summary:
    """``ops``: the operations the user may see (from the access layer)."""
    by_year = {
        fy: n for fy, n in ops.values_list("fy_start").annotate(n=Count("pk")).order_by("fy_start")
    }
    all_outcomes = FinancialOutcome.objects.filter(operation__in=ops)
    year_money = {
        fy: (n, total or ZERO)
        for fy, n, total in all_outcomes.values_list("operation__fy_start")
        .annotate(n=Count("pk"), t=Sum("amount_pence"))
        .values_list("operation__fy_start", "n", "t")
        .order_by()
    }
    years = [
        Line(fy_period.code, choice_label(fy_period), n, *year_money.get(fy, (0, ZERO)))
        for fy, n in sorted(by_year.items())
        for fy_period in [Period.financial_year_starting(fy)]
    ]
    if year is None and by_year:
        year = max(by_year)
    if year is None:
        in_year, outcomes = ops.none(), all_outcomes.none()
        n_outcomes, amount = 0, ZERO
    else:
        in_year = ops.filter(fy_start=year)
        outcomes = all_outcomes.filter(operation__fy_start=year)
        n_outcomes, amount = year_money.get(year, (0, ZERO))
    summary = Summary(
        year, years, by_year.get(year, 0) if year is not None else 0, amount, n_outcomes
    )

    # One query per grouping; regions are read off each force's parent (a label, not a sum
    # of figures computed elsewhere).
    force_ops = dict(in_year.values_list("force_id").annotate(n=Count("pk")).order_by())
    force_money = _money_by(outcomes, "operation__force_id")
    forces = {f.pk: f for f in OrgUnit.objects.filter(pk__in=force_ops).select_related("parent")}
    regions: dict[int, Line] = {}
    by_force = []
    for fid, n in force_ops.items():
        force = forces[fid]
        outs, total = force_money.get(fid, (0, ZERO))
        by_force.append(Line(force.code, force.name, n, outs, total))
        parent = force.parent
        assert parent is not None
        line = regions.setdefault(parent.pk, Line(parent.code, parent.name))
        line.operations += n
        line.outcomes += outs
        line.amount += total
    summary.by_force = sorted(by_force, key=lambda line: line.label)
    summary.by_region = sorted(regions.values(), key=lambda line: line.label)
    types = dict(
        OperationSupportType.objects.filter(operation__in=in_year)
        .values_list("support_type")
        .annotate(n=Count("pk"))
        .order_by()
    )
    # An outcome counts under each kind of support its operation was given, as the
    # operation itself does.
    summary.by_support_type = _choice_lines(
        SupportType, types, _money_by(outcomes, "operation__support_types__support_type")
    )
    crime: dict[str, int] = {}
    provider: dict[str, int] = {}
    for c, p, n in (
        in_year.values_list("crime_type", "provider")
        .annotate(n=Count("pk"))
        .values_list("crime_type", "provider", "n")
        .order_by()
    ):
        crime[c] = crime.get(c, 0) + n
        provider[p] = provider.get(p, 0) + n
    summary.by_crime_type = _choice_lines(
        CrimeType, crime, _money_by(outcomes, "operation__crime_type")
    )
    summary.by_provider = _choice_lines(
        Provider, provider, _money_by(outcomes, "operation__provider")
    )
    kinds: dict[str, tuple[int, int]] = {}
    ops_per_kind: dict[str, int] = {}
    for k, n, t, o in (
        outcomes.values_list("kind")
        .annotate(n=Count("pk"), t=Sum("amount_pence"), o=Count("operation", distinct=True))
        .values_list("kind", "n", "t", "o")
        .order_by()
    ):
        kinds[k] = (n, t)
        ops_per_kind[k] = o
    summary.by_outcome = _choice_lines(OutcomeKind, ops_per_kind, kinds)
    return summary


def summary_rows(summary: Summary) -> list[list[Any]]:
    """One flat table for CSV/XLSX: dimension, key, label, operations, outcomes, amount."""
    rows: list[list[Any]] = [
        [
            "Financial year",
            line.key,
            line.label,
            line.operations,
            line.outcomes,
            pence_to_pounds(line.amount),
        ]
        for line in summary.years
    ]
    for dimension, lines in summary.tables():
        rows += [
            [
                dimension,
                line.key,
                line.label,
                line.operations,
                line.outcomes,
                pence_to_pounds(line.amount),
            ]
            for line in lines
        ]
    return rows


SUMMARY_HEADER = ["Dimension", "Code", "Label", "Operations", "Financial outcomes", "Amount (£)"]
