"""Periods are values: parsed, formatted, expanded into months, shifted a year back."""

from datetime import date

import pytest

from msoic.metrics.periods import Period, PeriodError, add_months, due_date, last_complete_month


@pytest.mark.parametrize(
    ("code", "start", "end", "kind", "label"),
    [
        ("2024-02", date(2024, 2, 1), date(2024, 2, 1), "month", "February 2024"),
        ("FY2023-24", date(2023, 4, 1), date(2024, 3, 1), "fy", "Financial year 2023/24"),
        ("FY1999-00", date(1999, 4, 1), date(2000, 3, 1), "fy", "Financial year 1999/00"),
        ("R12-2024-02", date(2023, 3, 1), date(2024, 2, 1), "r12", "Year to Feb 2024"),
        ("R12-2023-12", date(2023, 1, 1), date(2023, 12, 1), "r12", "Year to Dec 2023"),
        ("2023", date(2023, 1, 1), date(2023, 12, 1), "year", "Calendar year 2023"),
    ],
)
def test_period_parses_and_formats_back(code, start, end, kind, label):
    period = Period.parse(code)
    assert (period.start, period.end, period.kind) == (start, end, kind)
    assert period.code == code
    assert period.label == label


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "2024-13",
        "2024-2",
        "24-02",
        "FY2023-25",
        "FY2023",
        "R12-2024",
        "R12-2024-00",
        "Feb 2024",
        "2024/02",
    ],
)
def test_badly_written_period_is_refused(bad):
    with pytest.raises(PeriodError):
        Period.parse(bad)


@pytest.mark.parametrize(
    ("code", "n_months"), [("2024-02", 1), ("FY2023-24", 12), ("R12-2024-02", 12), ("2023", 12)]
)
def test_period_months(code, n_months):
    months = Period.parse(code).months()
    assert len(months) == n_months
    assert months == sorted(months)


@pytest.mark.parametrize(
    ("code", "previous"),
    [
        ("2024-07", "2023-07"),
        ("FY2023-24", "FY2022-23"),
        ("R12-2024-02", "R12-2023-02"),
        ("2023", "2022"),
    ],
)
def test_previous_year_is_the_same_period_a_year_earlier(code, previous):
    assert Period.parse(code).previous_year().code == previous


@pytest.mark.parametrize(
    ("month", "n", "expected"),
    [
        (date(2024, 1, 1), -1, date(2023, 12, 1)),
        (date(2024, 12, 1), 1, date(2025, 1, 1)),
        (date(2024, 5, 1), -24, date(2022, 5, 1)),
    ],
)
def test_add_months(month, n, expected):
    assert add_months(month, n) == expected


def test_monthly_return_is_due_on_the_15th_of_the_following_month():
    assert due_date(date(2024, 2, 1), 15) == date(2024, 3, 15)
    assert due_date(date(2024, 12, 1), 15) == date(2025, 1, 15)


def test_last_complete_month_is_the_month_before_today():
    assert last_complete_month(date(2024, 3, 1)) == date(2024, 2, 1)
    assert last_complete_month(date(2024, 1, 31)) == date(2023, 12, 1)
