"""Periods are values: parsed, formatted, expanded into months, shifted a year back."""

from datetime import date

import pytest

from msoic.metrics.periods import (
    QUARTERLY,
    Period,
    PeriodError,
    add_months,
    due_date,
    financial_year_start,
    last_complete_month,
    month_end,
    parse_month,
    parse_period,
    period_due_date,
)


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


@pytest.mark.parametrize(
    ("month", "due_day", "deadline"),
    [
        (date(2024, 2, 1), 15, date(2024, 3, 15)),
        (date(2024, 12, 1), 15, date(2025, 1, 15)),
        (date(2024, 1, 1), 31, date(2024, 2, 29)),  # a short month: its last day
        (date(2023, 1, 1), 30, date(2023, 2, 28)),
        (date(2024, 7, 1), 1, date(2024, 8, 1)),
    ],
)
def test_monthly_return_is_due_on_its_day_of_the_following_month(month, due_day, deadline):
    assert due_date(month, due_day) == deadline


@pytest.mark.parametrize(
    ("frequency", "start", "deadline"),
    [
        ("monthly", date(2024, 3, 1), date(2024, 4, 15)),
        (QUARTERLY, date(2024, 4, 1), date(2024, 7, 15)),  # Q1: April to June
        (QUARTERLY, date(2025, 1, 1), date(2025, 4, 15)),  # Q4: January to March
    ],
)
def test_a_period_is_due_the_month_after_its_last_month(frequency, start, deadline):
    assert period_due_date(frequency, start, 15) == deadline


@pytest.mark.parametrize(
    ("day", "start_year", "code"),
    [
        (date(2024, 3, 31), 2023, "FY2023-24"),
        (date(2024, 4, 1), 2024, "FY2024-25"),
        (date(2024, 1, 1), 2023, "FY2023-24"),
        (date(2024, 12, 31), 2024, "FY2024-25"),
        (date(2000, 2, 29), 1999, "FY1999-00"),
    ],
)
def test_financial_year_of_a_day_runs_april_to_march(day, start_year, code):
    assert financial_year_start(day) == start_year
    period = Period.financial_year_of(day)
    assert (period.code, period.kind) == (code, "fy")
    assert period == Period.parse(code) == Period.financial_year_starting(start_year)
    assert period.contains(day.replace(day=1))


@pytest.mark.parametrize(
    ("month", "code"),
    [
        (date(2024, 2, 1), "R12-2024-02"),
        (date(2024, 2, 17), "R12-2024-02"),  # any day names its month
        (date(2023, 12, 1), "R12-2023-12"),
    ],
)
def test_rolling_year_to_a_month_is_the_twelve_months_ending_with_it(month, code):
    period = Period.rolling_year_to(month)
    assert period == Period.parse(code)
    assert len(period.months()) == 12
    assert period.end == month.replace(day=1)


@pytest.mark.parametrize(
    ("month", "code"),
    [
        (date(2024, 3, 1), "FY2023-24"),  # March ends the year
        (date(2024, 2, 1), "FY2022-23"),  # the year to March 2024 is not over yet
        (date(2024, 12, 1), "FY2023-24"),
        (date(2024, 4, 1), "FY2023-24"),
    ],
)
def test_last_financial_year_to_a_month_is_the_newest_one_over(month, code):
    assert Period.last_financial_year_to(month) == Period.parse(code)


@pytest.mark.parametrize(
    ("month", "last_day"),
    [
        (date(2024, 2, 1), date(2024, 2, 29)),
        (date(2023, 2, 10), date(2023, 2, 28)),
        (date(2024, 4, 1), date(2024, 4, 30)),
        (date(2024, 12, 1), date(2024, 12, 31)),
    ],
)
def test_month_end_is_the_last_day_of_the_month(month, last_day):
    assert month_end(month) == last_day


@pytest.mark.parametrize(
    "code",
    [
        "0000",
        "0000-01",
        "1899-12",
        "3000-01",
        "9999",
        "R12-0001-01",
        "R12-9999-12",
        "FY9999-00",
        "FY0000-01",
        "FY1899-00",
        "FY9999-00-Q4",
    ],
)
def test_period_out_of_range_is_refused_naming_the_bounds(code):
    with pytest.raises(PeriodError, match="between 1900 and 2999"):
        Period.parse(code)


@pytest.mark.parametrize(
    ("parse", "text"),
    [
        (parse_month, "0000-01"),
        (parse_month, "9999-12"),
        (lambda t: parse_period(QUARTERLY, t), "FY9999-00-Q1"),
        (lambda t: parse_period("monthly", t), "0001-01"),
    ],
)
def test_every_period_parser_refuses_years_out_of_range(parse, text):
    with pytest.raises(PeriodError, match="between 1900 and 2999"):
        parse(text)


@pytest.mark.parametrize(("code", "start"), [("1900-01", "1900-01"), ("R12-1900-01", "1899-02")])
def test_periods_at_the_bounds_are_accepted(code, start):
    assert f"{Period.parse(code).start:%Y-%m}" == start
    assert Period.parse("2999").end == date(2999, 12, 1)


@pytest.mark.parametrize(("month", "n"), [(date(1, 1, 1), -1), (date(9999, 12, 1), 1)])
def test_shifting_a_month_off_the_calendar_is_a_period_error(month, n):
    with pytest.raises(PeriodError, match="outside the calendar"):
        add_months(month, n)


def test_last_complete_month_is_the_month_before_today():
    assert last_complete_month(date(2024, 3, 1)) == date(2024, 2, 1)
    assert last_complete_month(date(2024, 1, 31)) == date(2023, 12, 1)


@pytest.mark.parametrize(
    "text", ["２０２４-０２", "٢٠٢٤", "R12-２０２４-01", None, 202402, b"2024-02"]
)
def test_only_text_in_ascii_digits_is_a_period(text):
    with pytest.raises(PeriodError):
        Period.parse(text)
    with pytest.raises(PeriodError):
        parse_month(text)
