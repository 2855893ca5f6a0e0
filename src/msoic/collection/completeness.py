"""Completeness of periodic returns: for forces × months, which returns are approved,
submitted on time, submitted late, missing, or not yet due.

One query for the forces (with their regions) and one for the submissions, however many
forces and months the grid has. The caller decides which forces the user may see.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Max
from django.utils import timezone

from msoic.catalogue.loader import Catalogue, Dataset
from msoic.collection.derived import derived_labels
from msoic.collection.models import (
    APPROVED,
    LATE,
    MISSING,
    NOT_DUE,
    SUBMITTED,
    Submission,
    expected_status,
)
from msoic.metrics.periods import (
    QUARTERLY,
    add_months,
    format_period,
    last_complete_month,
    last_complete_period,
    period_due_date,
    period_label,
    period_range,
    quarter_start,
)
from msoic.orgunits.models import OrgUnit

# status -> (label, symbol). The grid shows all three (text, symbol and colour) so that
# no status is told by colour alone.
STATUSES: dict[str, tuple[str, str]] = {
    APPROVED: ("Approved", "✔"),
    SUBMITTED: ("Submitted", "●"),
    LATE: ("Late", "▲"),
    MISSING: ("Missing", "✖"),
    NOT_DUE: ("Not yet due", "○"),
}
DEFAULT_MONTHS = 12
MAX_MONTHS = 36


def status_label(status: str) -> str:
    return STATUSES[status][0]


def submission_status(
    submission: Submission | None,
    due_day: int,
    today: date,
    month: date,
    frequency: str = "monthly",
) -> str:
    """The completeness status of one force's return for one month (or quarter): the
    submission's own (:meth:`Submission.status_on`), or missing / not yet due without one."""
    if submission is not None:
        return submission.status_on(today, due_day, frequency)
    return expected_status(period_due_date(frequency, month, due_day), today)


def month_range(end: date | None, count: int, today: date) -> list[date]:
    """``count`` months ending at ``end`` (default: the newest month that is over)."""
    newest = last_complete_month(today)
    end = min(end or newest, newest)
    count = max(1, min(count, MAX_MONTHS))
    return [add_months(end, -i) for i in range(count - 1, -1, -1)]


def period_starts(frequency: str, end: date | None, months: int, today: date) -> list[date]:
    """The periods of a dataset the grid shows: ``months`` months ending at ``end``, or for
    a quarterly dataset the quarters covering that span (ending with the last complete one)."""
    if frequency != QUARTERLY:
        return month_range(end, months, today)
    newest = last_complete_period(QUARTERLY, today)
    last = min(newest, quarter_start(end)) if end else newest  # the quarter holding ``end``
    count = max(1, (min(months, MAX_MONTHS) + 2) // 3)
    return period_range(QUARTERLY, last, count)


@dataclass
class Cell:
    month: date
    status: str
    deadline: date
    submission_id: int | None = None
    received_at: datetime | None = None
    version: int | None = None
    code: str = ""  # the period as written: 2024-02 or FY2024-25-Q1
    period_label: str = ""

    @property
    def label(self) -> str:
        return STATUSES[self.status][0]

    @property
    def symbol(self) -> str:
        return STATUSES[self.status][1]

    @property
    def month_code(self) -> str:
        return self.code


@dataclass
class ForceRow:
    force: OrgUnit
    cells: list[Cell]
    # (metric label, source label, first month): figures the force does not return, as a
    # source (its investigation register, for a DDE force) gives them (collection.derived)
    from_register: list[tuple[str, str, date]] = field(default_factory=list)


@dataclass
class RegionGroup:
    region: OrgUnit | None
    rows: list[ForceRow] = field(default_factory=list)


@dataclass
class Grid:
    dataset: Dataset
    months: list[date]
    groups: list[RegionGroup]
    counts: dict[str, int]

    @property
    def rows(self) -> list[ForceRow]:
        return [row for group in self.groups for row in group.rows]

    def deadlines(self) -> list[date]:
        return [
            period_due_date(self.dataset.frequency, m, self.dataset.due_day) for m in self.months
        ]

    def labels(self, short: bool = False) -> list[str]:
        return [period_label(self.dataset.frequency, m, short=short) for m in self.months]

    def export_rows(self) -> list[list[object]]:
        """Long format, one line per force and month, for CSV/XLSX downloads."""
        out: list[list[object]] = []
        for group in self.groups:
            for row in group.rows:
                for cell in row.cells:
                    out.append(
                        [
                            group.region.name if group.region else "",
                            row.force.code,
                            row.force.name,
                            cell.month_code,
                            cell.label,
                            cell.deadline.isoformat(),
                            cell.received_at.date().isoformat() if cell.received_at else "",
                            cell.version or "",
                        ]
                    )
        return out


EXPORT_HEADER = [
    "region",
    "force",
    "force_name",
    "period",
    "status",
    "deadline",
    "first_received",
    "version",
]


def build_grid(
    forces: Iterable[OrgUnit],
    dataset: Dataset,
    months: list[date],
    today: date,
    *,
    catalogue: Catalogue | None = None,
) -> Grid:
    """The grid for ``forces`` (already scoped to the user), grouped by region. With the
    ``catalogue``, each force row notes the figures a derived source gives it (one query
    per source), e.g. a DDE force's live investigations from its register."""
    forces = sorted(forces, key=lambda f: ((f.parent.name if f.parent else ""), f.name))
    submissions = {
        (s.orgunit_id, s.period): s
        for s in Submission.objects.filter(
            dataset=dataset.code, orgunit__in=[f.pk for f in forces], period__in=months
        )
        .select_related("current_version")
        .order_by()  # the model's ordering joins org units; the grid does not need it
    }
    notes = (
        derived_labels(catalogue, dataset.code, [f.pk for f in forces], months)
        if catalogue is not None
        else {}
    )
    groups: list[RegionGroup] = []
    counts: Counter[str] = Counter()
    for force in forces:
        if not groups or groups[-1].region != force.parent:
            groups.append(RegionGroup(force.parent))
        cells = []
        for month in months:
            sub = submissions.get((force.pk, month))
            status = submission_status(sub, dataset.due_day, today, month, dataset.frequency)
            counts[status] += 1
            version = sub.current_version if sub is not None else None
            cells.append(
                Cell(
                    month=month,
                    status=status,
                    deadline=period_due_date(dataset.frequency, month, dataset.due_day),
                    submission_id=sub.pk if sub is not None and version is not None else None,
                    received_at=(
                        timezone.localtime(sub.first_received_at)
                        if sub and sub.first_received_at
                        else None
                    ),
                    version=version.number if version is not None else None,
                    code=format_period(dataset.frequency, month),
                    period_label=period_label(dataset.frequency, month),
                )
            )
        groups[-1].rows.append(ForceRow(force, cells, notes.get(force.pk, [])))
    return Grid(
        dataset=dataset,
        months=months,
        groups=groups,
        counts={s: counts.get(s, 0) for s in STATUSES},
    )


def newest_returned_month(forces: list[OrgUnit], dataset: str) -> date | None:
    """The newest month for which any of ``forces`` has a return of ``dataset``."""
    return Submission.objects.filter(
        dataset=dataset, orgunit__in=forces, current_version__isnull=False
    ).aggregate(newest=Max("period"))["newest"]
