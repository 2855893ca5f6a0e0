"""Quarters of the financial year as periods: parsed, written, and used by frequency."""

from __future__ import annotations

from datetime import date

import pytest

from msoic.metrics.periods import (
    Period,
    PeriodError,
    format_period,
    last_complete_period,
    parse_period,
    period_due_date,
    period_label,
    period_range,
    quarter_start,
    starts_within,
)


@pytest.mark.parametrize(
    ("code", "start", "end", "label"),
    [
        ("FY2024-25-Q1", date(2024, 4, 1), date(2024, 6, 1), "Q1 2024/25"),
        ("FY2024-25-Q2", date(2024, 7, 1), date(2024, 9, 1), "Q2 2024/25"),
        ("FY2024-25-Q3", date(2024, 10, 1), date(2024, 12, 1), "Q3 2024/25"),
        ("FY2024-25-Q4", date(2025, 1, 1), date(2025, 3, 1), "Q4 2024/25"),
        ("FY1999-00-Q4", date(2000, 1, 1), date(2000, 3, 1), "Q4 1999/00"),
    ],
)
def test_a_quarter_code_names_three_months_of_the_financial_year(code, start, end, label):
    period = Period.parse(code)
    assert (period.start, period.end, period.kind) == (start, end, "quarter")
    assert period.code == code and period.label == label
    assert Period.quarter(start) == period
    assert format_period("quarterly", start) == code
    assert period_label("quarterly", start) == label


@pytest.mark.parametrize("code", ["FY2024-26-Q1", "FY2024-25-Q5", "FY2024-25-Q0", "2024-Q1"])
def test_malformed_quarters_are_refused(code):
    with pytest.raises(PeriodError):
        Period.parse(code)


def test_a_quarter_starts_on_the_first_of_january_april_july_or_october():
    with pytest.raises(PeriodError, match="not the first day of a quarter"):
        Period.quarter(date(2024, 5, 1))
    assert quarter_start(date(2024, 5, 1)) == date(2024, 4, 1)
    assert quarter_start(date(2024, 3, 1)) == date(2024, 1, 1)


@pytest.mark.parametrize(
    ("frequency", "text", "start"),
    [
        ("quarterly", "FY2023-24-Q4", date(2024, 1, 1)),
        ("monthly", "2024-01", date(2024, 1, 1)),
    ],
)
def test_period_text_is_read_by_the_dataset_frequency(frequency, text, start):
    assert parse_period(frequency, text) == start


@pytest.mark.parametrize(
    ("frequency", "text"),
    [("quarterly", "2024-04"), ("quarterly", "FY2024-25"), ("monthly", "FY2024-25-Q1")],
)
def test_a_period_of_the_wrong_frequency_is_refused(frequency, text):
    with pytest.raises(PeriodError):
        parse_period(frequency, text)


@pytest.mark.parametrize(
    ("today", "newest"),
    [
        (date(2024, 7, 1), date(2024, 4, 1)),  # Q1 2024/25 ended on 30 June
        (date(2024, 6, 30), date(2024, 1, 1)),  # Q1 not over yet
        (date(2024, 4, 15), date(2024, 1, 1)),
        (date(2024, 1, 2), date(2023, 10, 1)),
    ],
)
def test_the_newest_quarter_that_can_be_returned_is_over(today, newest):
    assert last_complete_period("quarterly", today) == newest


def test_a_quarterly_return_is_due_the_month_after_the_quarter_ends():
    assert period_due_date("quarterly", date(2024, 4, 1), 15) == date(2024, 7, 15)
    assert period_due_date("quarterly", date(2024, 1, 1), 15) == date(2024, 4, 15)
    assert period_due_date("monthly", date(2024, 1, 1), 15) == date(2024, 2, 15)


def test_quarters_inside_a_period_are_the_whole_quarters_only():
    fy = Period.parse("FY2023-24")
    assert starts_within("quarterly", fy) == [
        date(2023, 4, 1),
        date(2023, 7, 1),
        date(2023, 10, 1),
        date(2024, 1, 1),
    ]
    assert starts_within("quarterly", Period.parse("2024-04")) == []  # a month holds no quarter
    assert starts_within("quarterly", Period.parse("R12-2024-02")) == [
        date(2023, 4, 1),
        date(2023, 7, 1),
        date(2023, 10, 1),
    ]
    assert len(starts_within("monthly", fy)) == 12


def test_quarter_ranges_step_three_months_and_compare_with_a_year_before():
    assert period_range("quarterly", date(2024, 1, 1), 3) == [
        date(2023, 7, 1),
        date(2023, 10, 1),
        date(2024, 1, 1),
    ]
    assert Period.parse("FY2024-25-Q1").previous_year().code == "FY2023-24-Q1"
