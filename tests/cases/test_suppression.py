"""Small-count suppression: primary (<5), secondary (so no total gives a count away)."""

from __future__ import annotations

import random

import pytest

from msoic.cases.suppression import PRIMARY, SECONDARY, is_withheld, suppress, unsuppressed


def _grid(result, counts, row_totals, col_totals):
    """The displayed table as {cell: text} on the same grid as the suppressor's lines."""
    n_rows, n_cols = len(counts), len(counts[0])
    shown = {(i, j): result.cells[i][j] for i in range(n_rows) for j in range(n_cols)}
    lines = []
    if row_totals:
        for i in range(n_rows):
            shown[(i, n_cols)] = result.row_totals[i]
            lines.append([(i, j) for j in range(n_cols)] + [(i, n_cols)])
    if col_totals:
        for j in range(n_cols):
            shown[(n_rows, j)] = result.col_totals[j]
            lines.append([(i, j) for i in range(n_rows)] + [(n_rows, j)])
    if row_totals and col_totals:
        shown[(n_rows, n_cols)] = result.grand_total
        lines.append([(n_rows, j) for j in range(n_cols)] + [(n_rows, n_cols)])
        lines.append([(i, n_cols) for i in range(n_rows)] + [(n_rows, n_cols)])
    return shown, lines


def _recover_by_subtraction(shown, lines):
    """What an attacker recovers by repeatedly solving any line with one unknown figure."""
    known = {c: int(t) for c, t in shown.items() if not is_withheld(t)}
    recovered = set()
    progress = True
    while progress:
        progress = False
        for line in lines:
            unknown = [c for c in line if c not in known]
            if len(unknown) != 1:
                continue
            (cell,) = unknown
            total, parts = line[-1], line[:-1]
            if cell == total:
                known[cell] = sum(known[c] for c in parts)
            else:
                known[cell] = known[total] - sum(known[c] for c in parts if c != cell)
            recovered.add(cell)
            progress = True
    return recovered


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ([[12], [3], [40]], [["12"], [PRIMARY], ["40"]]),
        ([[0], [5], [4]], [[PRIMARY], ["5"], [PRIMARY]]),
        ([[5, 6], [7, 8]], [["5", "6"], ["7", "8"]]),
    ],
)
def test_counts_under_five_are_shown_as_less_than_five(counts, expected):
    assert suppress(counts).cells == expected


def test_a_column_total_would_reveal_a_single_small_count_so_a_second_is_withheld():
    result = suppress([[12], [3], [40]], col_totals=True)
    assert result.cells == [[SECONDARY], [PRIMARY], ["40"]]
    assert result.col_totals == ["55"]


def test_two_small_counts_in_a_line_need_no_secondary_suppression():
    result = suppress([[12], [3], [2]], col_totals=True)
    assert result.cells == [["12"], [PRIMARY], [PRIMARY]]
    assert result.withheld == 2


def test_a_line_with_nothing_else_to_hide_withholds_its_total():
    result = suppress([[3, 20]], row_totals=True)
    assert result.cells == [[PRIMARY, SECONDARY]]
    assert result.row_totals == ["23"]
    result = suppress([[3]], col_totals=True)
    assert result.cells == [[PRIMARY]] and result.col_totals == [PRIMARY]


def test_secondary_suppression_in_a_two_way_table_spreads_until_no_total_reveals():
    counts = [[20, 3, 30], [25, 40, 50], [60, 70, 80]]
    result = suppress(counts, row_totals=True, col_totals=True)
    shown, lines = _grid(result, counts, True, True)
    assert result.cells[0][1] == PRIMARY
    assert _recover_by_subtraction(shown, lines) == set()
    # the smallest figures go: 20 beside the 3 in its row, 40 beneath it in its column
    assert result.cells[0][0] == SECONDARY and result.cells[1][1] == SECONDARY
    assert result.cells[1][0] == SECONDARY  # closes the rectangle
    assert result.grand_total == str(sum(map(sum, counts)))


@pytest.mark.parametrize("seed", range(40))
def test_no_total_ever_reveals_a_withheld_count(seed):
    rng = random.Random(seed)
    n_rows, n_cols = rng.randint(1, 7), rng.randint(1, 5)
    counts = [
        [rng.choice([0, 1, 2, 4, 5, 7, 12, 30, 90]) for _ in range(n_cols)] for _ in range(n_rows)
    ]
    for row_totals, col_totals in [(True, True), (True, False), (False, True)]:
        result = suppress(counts, row_totals=row_totals, col_totals=col_totals)
        shown, lines = _grid(result, counts, row_totals, col_totals)
        assert _recover_by_subtraction(shown, lines) == set(), (counts, row_totals, col_totals)
        for i, row in enumerate(counts):
            for j, count in enumerate(row):
                text = result.cells[i][j]
                assert text == PRIMARY if count < 5 else text in (str(count), SECONDARY)


def test_users_who_see_records_get_every_figure():
    result = unsuppressed([[3, 1], [2, 0]], row_totals=True, col_totals=True)
    assert result.cells == [["3", "1"], ["2", "0"]]
    assert result.grand_total == "6" and result.withheld == 0


def test_ragged_tables_are_refused():
    with pytest.raises(ValueError, match="row 2"):
        suppress([[1, 2], [3]])
