"""Money is parsed to whole pence exactly, refused when not exact to the penny, and
written back as £ in one place."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from msoic.metrics.money import (
    MoneyError,
    format_entry,
    format_figure,
    format_pounds,
    parse_pounds,
    pence_to_pounds,
)


@pytest.mark.parametrize(
    ("raw", "pence"),
    [
        ("£1,234.56", 123456),
        ("1234.56", 123456),
        ("1,234", 123400),
        ("£1,234.5", 123450),  # one decimal place can only be tenths of a pound
        ("£ 46,400", 4640000),
        ("  152000.00 ", 15200000),
        ("0", 0),
        ("0.01", 1),
        ("3,012,450", 301245000),
        (1234, 123400),
        (1234.56, 123456),  # an XLSX numeric cell, through Decimal(repr(cell))
        (0.1, 10),
        (1e15, 100000000000000000),
        (Decimal("99.99"), 9999),
        (None, None),
        ("", None),
        ("   ", None),
    ],
)
def test_amounts_exact_to_the_penny_are_pence(raw, pence):
    assert parse_pounds(raw) == pence


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("1234.567", "fraction of a penny"),
        ("£0.001", "fraction of a penny"),
        (1234.567, "fraction of a penny"),
        (0.1 + 0.2, "fraction of a penny"),  # 0.30000000000000004 is not rounded away
        ("1e3", "scientific notation"),
        ("1E+03", "scientific notation"),
        ("£2.5e6", "scientific notation"),
        ("-12.00", "negative"),
        ("£-12", "negative"),
        (-5, "negative"),
        ("1,23", "commas in the wrong places"),
        ("12,3456.00", "commas in the wrong places"),
        ("=SUM(A1:A3)", "formula"),
        ("$12", "not an amount in pounds"),
        ("twelve pounds", "not an amount in pounds"),
        ("12.", "not an amount in pounds"),
        (True, "true/false"),
        (date(2024, 1, 1), "is a date"),
        (float("nan"), "not an amount"),
        (float("inf"), "not an amount"),
    ],
)
def test_inexact_or_unclear_amounts_are_refused_with_the_reason(raw, says):
    with pytest.raises(MoneyError, match=says):
        parse_pounds(raw)


@pytest.mark.parametrize(
    ("pence", "text", "with_pence"),
    [
        (4640000, "£46,400", "£46,400.00"),
        (301245000, "£3,012,450", "£3,012,450.00"),
        (123456, "£1,234.56", "£1,234.56"),
        (123450, "£1,234.50", "£1,234.50"),
        (5, "£0.05", "£0.05"),
        (0, "£0", "£0.00"),
    ],
)
def test_pence_are_written_as_pounds_only_where_the_amount_has_them(pence, text, with_pence):
    assert format_pounds(pence) == text
    assert format_pounds(pence, whole=False) == with_pence
    assert format_figure(pence, "gbp") == text


def test_counts_are_written_with_thousands_separators_and_blank_stays_blank():
    assert format_figure(3007, "lorry stops") == "3,007"
    assert format_figure(None, "gbp") == ""
    assert format_pounds(None) == ""


def test_entry_text_and_decimal_round_trip_exactly():
    for pence in (0, 1, 99, 100, 123456, 301245000):
        assert parse_pounds(format_entry(pence)) == pence
        assert parse_pounds(pence_to_pounds(pence)) == pence
        assert parse_pounds(format_pounds(pence)) == pence
    assert pence_to_pounds(123450) == Decimal("1234.50")
