"""Intensification figures as partners see them: counts of people through the one
disclosure-control layer (:mod:`msoic.disclosure`, ADR 0010 "Operations pages").

An operation's window is fixed and never overlaps itself, but operations and the year's
totals are linked: a year's total is the sum of its operations. So the release period is
the **financial year holding the operation** (by its start date): once that year has
ended, every operation of the year and the year's total are released together as one
:class:`~msoic.disclosure.control.Release` per metric (atoms: each operation's count, and
whatever the year's total holds beyond them; cells: each operation's total and the
year's total). Before the year ends, an operation's figures of people are not released.
The year's total is keyed as ``/api/v1/values`` keys it, so it is the same figure there.

Activity metrics (disruptions, visits, stops, investigations) pass exactly; forces,
coordinators and the unit never come here (:func:`msoic.disclosure.control.controlled`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from msoic.catalogue.loader import Catalogue
from msoic.disclosure.control import (
    DisclosureError,
    Release,
    Shown,
    cell_key,
    check_period,
    value_key,
)
from msoic.disclosure.policy import get_policy
from msoic.disclosure.values import incomplete
from msoic.metrics.engine import Ask, query_many
from msoic.metrics.periods import Period, add_months
from msoic.operations.catalogue import STANDARD_METRICS
from msoic.operations.figures import _national, metric_columns
from msoic.operations.models import Operation

NOT_YET = "not yet"  # shown for a figure of people in a year not yet over
YEAR = "year"
NOTE = (
    "Figures of people (potential victims, referrals, arrests, immigration offenders, "
    "safeguarding engagements) are released once the operation's financial year has "
    "ended, rounded at random by a small amount (the same figure every time it is shown); "
    "counts under 5 are shown as <5, and figures shown as [c] are withheld so that no sum "
    "or difference reveals a small count. Activity figures are exact."
)

Figure = int | str | None


@dataclass
class YearRelease:
    """What a partner is shown of one financial year's operations: metric -> cell -> Shown
    (cells: ``"year"`` and ``"op:<pk>"``)."""

    period: Period
    released: bool
    shown: dict[str, dict[str, Shown]] = field(default_factory=dict)

    def figure(self, metric: str, cell: str, exact: int | None) -> Figure:
        """The figure to show for ``cell``: activity exactly, people as released."""
        if not get_policy().counts_people(metric):
            return exact
        if exact is None:
            return None
        if not self.released:
            return NOT_YET
        got = self.shown.get(metric, {}).get(cell)
        if got is None:  # pragma: no cover - every cell with a figure is in the release
            raise KeyError(f"{self.period.code}: no released cell {cell!r} for {metric}")
        return got.text if got.withheld else got.value


def _ops_in(fy: Period) -> list[Operation]:
    return list(
        Operation.objects.filter(
            start_date__gte=fy.start, start_date__lt=add_months(fy.end, 1)
        ).order_by("start_date", "series", "number")
    )


def _ended(fy: Period) -> bool:
    try:
        check_period(fy)
    except DisclosureError:
        return False
    return True


def year_releases(periods: list[Period], catalogue: Catalogue) -> dict[Period, YearRelease]:
    """The released figures of people for every year in ``periods`` (financial years):
    one engine call for all of them."""
    policy = get_policy()
    out: dict[Period, YearRelease] = {}
    asks: dict[tuple[Period, str, int | None], Ask] = {}
    members: dict[Period, list[tuple[Operation, list[str]]]] = {}
    for fy in periods:
        out[fy] = YearRelease(fy, _ended(fy))
        if not out[fy].released:
            continue
        members[fy] = []
        for op in _ops_in(fy):
            people = [c.code for c in metric_columns(op, catalogue) if policy.counts_people(c.code)]
            members[fy].append((op, people))
            for code in people:
                asks[(fy, code, op.pk)] = Ask(code, fy, dataset=op.dataset_code)
        for code in STANDARD_METRICS:
            if policy.counts_people(code):
                asks[(fy, code, None)] = Ask(code, fy)
    if not asks:
        return out
    national = _national()
    answers = query_many(national, list(asks.values()), catalogue=catalogue)
    for fy, ops in members.items():
        metrics = {code for _, people in ops for code in people}
        metrics |= {code for (y, code, pk) in asks if y == fy and pk is None}
        for code in sorted(metrics):
            release = Release(policy=policy, protect_sums=True)
            atoms = []
            for op, people in ops:
                if code in people:
                    value = answers.query(asks[(fy, code, op.pk)]).value or 0
                    atoms.append(release.atom(f"op:{op.pk}", value))
                    release.cell(
                        f"op:{op.pk}",
                        [f"op:{op.pk}"],
                        key=cell_key("operation", code, op.dataset_code, value),
                    )
            year_ask = asks.get((fy, code, None))
            year = answers.query(year_ask) if year_ask is not None else None
            reason = incomplete(year.coverage) if year is not None else None
            if year is not None and not reason:
                total = year.value or 0
                release.total(
                    YEAR, atoms, total, key=value_key(code, national.code, fy.code, "", "", total)
                )
            out[fy].shown[code] = release.resolve()
            if reason:
                # Returns still coming in: the year is not released (ADR 0010, revisions).
                out[fy].shown[code][YEAR] = Shown(None, reason)
    return out


def year_release(fy: Period, catalogue: Catalogue) -> YearRelease:
    return year_releases([fy], catalogue)[fy]
