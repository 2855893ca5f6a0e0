"""Small-count suppression for tables a partner can see (statistical disclosure control).

A count under ``threshold`` (5) is withheld and shown as ``<5`` (primary suppression).
A table that also shows totals could give a withheld count away by subtraction: a row
whose total is shown and which withholds only one of its cells. So every line of the
table (each row with its row total, each column with its column total, the row of
column totals with the grand total and the column of row totals with it) must withhold
either none or at least two of its figures; where one line withholds exactly one, the
smallest other figure in that line is withheld too (secondary suppression, shown as
``[c]``), and this is repeated until no line withholds exactly one. A line whose only
other figure is its total withholds the total.

:func:`suppress` takes the counts and which totals the table shows, and returns the
cells to display; it never changes a figure, it only hides it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

THRESHOLD = 5
PRIMARY = "<5"
SECONDARY = "[c]"
NOTE = (
    "Counts under 5 are shown as <5; figures shown as [c] are withheld so that a total "
    "cannot reveal a small count."
)

Cell = tuple[int, int]


@dataclass
class Suppressed:
    """A table after suppression: every figure as text, with the totals it shows."""

    cells: list[list[str]]
    row_totals: list[str] | None
    col_totals: list[str] | None
    grand_total: str | None
    withheld: int  # how many figures (totals included) are withheld

    def row(self, i: int) -> list[str]:
        out = list(self.cells[i])
        if self.row_totals is not None:
            out.append(self.row_totals[i])
        return out


def _lines(n_rows: int, n_cols: int, row_totals: bool, col_totals: bool) -> list[list[Cell]]:
    """The additive relations of the grid: each a list of cells whose last is the total.

    Grid coordinates: cells ``(i, j)``; row totals in column ``n_cols``; column totals in
    row ``n_rows``; the grand total at ``(n_rows, n_cols)`` when both are shown."""
    lines: list[list[Cell]] = []
    if row_totals:
        for i in range(n_rows):
            lines.append([(i, j) for j in range(n_cols)] + [(i, n_cols)])
    if col_totals:
        for j in range(n_cols):
            lines.append([(i, j) for i in range(n_rows)] + [(n_rows, j)])
    if row_totals and col_totals:
        lines.append([(n_rows, j) for j in range(n_cols)] + [(n_rows, n_cols)])
        lines.append([(i, n_cols) for i in range(n_rows)] + [(n_rows, n_cols)])
    return lines


def suppress(
    counts: Sequence[Sequence[int]],
    *,
    row_totals: bool = False,
    col_totals: bool = False,
    threshold: int = THRESHOLD,
) -> Suppressed:
    """Withhold counts under ``threshold`` and whatever a shown total would give away."""
    n_rows = len(counts)
    n_cols = len(counts[0]) if n_rows else 0
    value: dict[Cell, int] = {}
    for i, row in enumerate(counts):
        if len(row) != n_cols:
            raise ValueError(f"row {i + 1} has {len(row)} figures, the first has {n_cols}")
        for j, count in enumerate(row):
            value[(i, j)] = int(count)
    if row_totals:
        for i in range(n_rows):
            value[(i, n_cols)] = sum(value[(i, j)] for j in range(n_cols))
    if col_totals:
        for j in range(n_cols):
            value[(n_rows, j)] = sum(value[(i, j)] for i in range(n_rows))
    if row_totals and col_totals:
        value[(n_rows, n_cols)] = sum(value[(i, n_cols)] for i in range(n_rows))

    primary = {cell for cell, v in value.items() if v < threshold}
    hidden = set(primary)
    lines = _lines(n_rows, n_cols, row_totals, col_totals)
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(1 for cell in line if cell in hidden) != 1:
                continue
            inner = [c for c in line[:-1] if c not in hidden]
            # Prefer a cell to a total, then the smallest figure (least information lost).
            pick = min(inner, key=lambda c: (value[c], c)) if inner else line[-1]
            hidden.add(pick)
            changed = True

    def text(cell: Cell) -> str:
        if cell in primary:
            return PRIMARY
        if cell in hidden:
            return SECONDARY
        return str(value[cell])

    return Suppressed(
        cells=[[text((i, j)) for j in range(n_cols)] for i in range(n_rows)],
        row_totals=[text((i, n_cols)) for i in range(n_rows)] if row_totals else None,
        col_totals=[text((n_rows, j)) for j in range(n_cols)] if col_totals else None,
        grand_total=text((n_rows, n_cols)) if row_totals and col_totals else None,
        withheld=len(hidden),
    )


def unsuppressed(
    counts: Sequence[Sequence[int]], *, row_totals: bool = False, col_totals: bool = False
) -> Suppressed:
    """The same shape with every figure shown (for users who may see record-level data)."""
    return suppress(counts, row_totals=row_totals, col_totals=col_totals, threshold=0)


def is_withheld(text: str) -> bool:
    return text in (PRIMARY, SECONDARY)
