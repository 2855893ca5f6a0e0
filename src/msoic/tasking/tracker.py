"""The national tracker of a CCA tasking: measures discharged, areas of focus and org units
off track, as at a date. Counted from the progress records; a quantitative measure's actual
value comes from the metric engine (:func:`msoic.metrics.engine.query`, split by region for
ROCUs and by force for forces), never from a sum of its own.

Rules:
- a measure is discharged as at a date when every org unit it applies to was recorded
  discharged on or before that date; the measures not discharged are the areas of focus;
- an org unit has met a measure as at a date when it is recorded met, or discharged on or
  before that date (the NCA discharges only what has been met), so a measure's "met" count
  includes its discharged org units and is never below the "discharged" count;
- an org unit is off track on a measure it has not met (or had discharged) once the
  measure's due date has come, or when its actual value is below the threshold pro rata
  to the months of the tasking year gone by.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Prefetch, QuerySet

from msoic.metrics import engine
from msoic.metrics.periods import Period
from msoic.orgunits.models import OrgUnit, OrgUnitKind
from msoic.tasking.models import (
    DONE,
    Measure,
    MeasureProgress,
    Status,
    Tasking,
    ThresholdRevision,
)


@dataclass(frozen=True)
class Unit:
    """The few fields of an org unit the tracker shows (read as values, not model rows)."""

    pk: int
    code: str
    name: str
    kind: str


@dataclass
class Cell:
    """One org unit on one measure: its progress row's id and state."""

    progress_id: int
    orgunit: Unit
    status: str
    discharged_on: date | None
    actual: int | None = None
    expected: int | None = None
    off_track: str = ""  # why, or empty
    met: bool = False  # met or discharged as at the tracker's date (see met_as_at)

    @property
    def status_label(self) -> str:
        return Status(self.status).label


@dataclass
class MeasureLine:
    measure: Measure
    threshold: int | None
    applies: int = 0
    met: int = 0  # org units that have met it, the discharged ones included
    discharged: int = 0
    off_track: int = 0
    is_discharged: bool = False
    revisions: list[ThresholdRevision] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)


@dataclass
class OffTrack:
    orgunit: Unit
    reasons: list[tuple[Measure, str]]


@dataclass
class Tracker:
    tasking: Tasking
    as_of: date
    window: Period | None
    measures: list[MeasureLine]
    off_track: list[OffTrack]

    @property
    def discharged(self) -> list[MeasureLine]:
        return [m for m in self.measures if m.is_discharged]

    @property
    def areas_of_focus(self) -> list[MeasureLine]:
        return [m for m in self.measures if not m.is_discharged]

    @property
    def revisions(self) -> int:
        return sum(len(m.revisions) for m in self.measures)


def met_as_at(status: str, discharged_on: date | None, as_of: date) -> bool:
    """Whether an org unit had met a measure as at ``as_of``: recorded met, or discharged
    by then (a discharge dated later does not count yet)."""
    if status == Status.DISCHARGED:
        return discharged_on is None or discharged_on <= as_of
    return status in DONE


def actual_window(tasking: Tasking, as_of: date) -> Period | None:
    """The tasking year's months up to ``as_of`` (None before it starts)."""
    period = tasking.period
    end = min(period.end, date(as_of.year, as_of.month, 1))
    if end < period.start:
        return None
    return Period(period.start, end, "range")


def _actuals(metric: str, window: Period, kinds: list[OrgUnitKind]) -> dict[str, int | None]:
    """Org unit code -> the metric over the window, for every force and/or region the
    measure applies to (the engine rolls forces up to regions)."""
    nation = OrgUnit.objects.get(kind=OrgUnitKind.NATIONAL)
    values: dict[str, int | None] = {}
    for by, kind in (("region", OrgUnitKind.REGION), ("force", OrgUnitKind.FORCE)):
        if kind in kinds:
            for row in engine.query(metric, nation, window, by=by).rows:
                values[row.key] = row.value
    return values


def build_tracker(
    tasking: Tasking, as_of: date, *, progress: QuerySet[MeasureProgress] | None = None
) -> Tracker:
    """``progress``: the rows the viewer may see (from the access layer); the headline
    counts (discharged, areas of focus) always cover every org unit."""
    measures = list(
        tasking.measures.prefetch_related(
            Prefetch("threshold_revisions", queryset=ThresholdRevision.objects.order_by("pk"))
        ).order_by("position")
    )
    every = MeasureProgress.objects.filter(measure__tasking=tasking)
    visible: set[int] | None = None
    if progress is not None:
        visible = set(progress.filter(measure__tasking=tasking).values_list("pk", flat=True))
    state: dict[int, list[tuple[str, date | None]]] = defaultdict(list)
    rows: dict[int, list[Cell]] = defaultdict(list)
    units: dict[int, Unit] = {}
    for pk, measure_id, status, discharged_on, oid, code, name, kind in every.values_list(
        "pk",
        "measure_id",
        "status",
        "discharged_on",
        "orgunit_id",
        "orgunit__code",
        "orgunit__name",
        "orgunit__kind",
    ).order_by("orgunit__kind", "orgunit__name"):
        state[measure_id].append((status, discharged_on))
        if visible is None or pk in visible:
            unit = units.setdefault(oid, Unit(oid, code, name, kind))
            rows[measure_id].append(Cell(pk, unit, status, discharged_on))

    window = actual_window(tasking, as_of)
    months_gone = len(window.months()) if window else 0
    year_months = len(tasking.period.months())
    lines: list[MeasureLine] = []
    off: dict[int, OffTrack] = {}
    for measure in measures:
        threshold = measure.threshold_as_at(as_of)
        line = MeasureLine(measure, threshold, revisions=list(measure.threshold_revisions.all()))
        states = state[measure.pk]
        line.applies = len(states)
        line.met = sum(1 for s, on in states if met_as_at(s, on, as_of))
        line.discharged = sum(
            1 for s, on in states if s == Status.DISCHARGED and on is not None and on <= as_of
        )
        line.is_discharged = line.applies > 0 and line.discharged == line.applies
        actuals: dict[str, int | None] = {}
        expected: int | None = None
        if measure.metric and threshold is not None and window is not None:
            actuals = _actuals(measure.metric, window, measure.orgunit_kinds())
            expected = -(-threshold * months_gone // year_months)  # rounded up
        for cell in rows[measure.pk]:
            if measure.metric and window is not None:
                cell.actual = actuals.get(cell.orgunit.code)
                cell.expected = expected
            cell.met = met_as_at(cell.status, cell.discharged_on, as_of)
            if not cell.met:
                if measure.due_on is not None and measure.due_on <= as_of:
                    cell.off_track = f"not met by its due date ({measure.due_on:%d %B %Y})"
                elif expected is not None and (cell.actual or 0) < expected:
                    cell.off_track = f"{cell.actual or 0} against {expected} expected by now"
            if cell.off_track:
                line.off_track += 1
                entry = off.setdefault(cell.orgunit.pk, OffTrack(cell.orgunit, []))
                entry.reasons.append((measure, cell.off_track))
            line.cells.append(cell)
        lines.append(line)
    off_list = sorted(off.values(), key=lambda o: (o.orgunit.kind, o.orgunit.name))
    return Tracker(tasking, as_of, window, lines, off_list)


def tracker_rows(tracker: Tracker) -> list[list[Any]]:
    """One row per org unit and measure, for CSV/XLSX."""
    out: list[list[Any]] = []
    for line in tracker.measures:
        for cell in line.cells:
            out.append(
                [
                    line.measure.code,
                    line.measure.title,
                    cell.orgunit.name,
                    cell.status_label,
                    cell.discharged_on.isoformat() if cell.discharged_on else "",
                    line.threshold if line.threshold is not None else "",
                    cell.actual if cell.actual is not None else "",
                    cell.off_track,
                ]
            )
    return out


TRACKER_HEADER = [
    "Measure",
    "Title",
    "Org unit",
    "Status",
    "Discharged on",
    "Threshold",
    "Actual to date",
    "Off track",
]
