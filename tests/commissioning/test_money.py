"""Money as people type it: pounds and pence, exact, or a clear error."""

from decimal import Decimal

import pytest

from msoic.commissioning.money import MoneyError, format_money, parse_money


@pytest.mark.parametrize(
    ("text", "pounds"),
    [
        ("1234", "1234.00"),
        ("1234.5", "1234.50"),
        ("1234.50", "1234.50"),
        ("£1,234.5", "1234.50"),
        ("£5,000,000", "5000000.00"),
        (" 0.01 ", "0.01"),
        ("1,234,567.89", "1234567.89"),
        (Decimal("12.3"), "12.30"),
        (250, "250.00"),
    ],
)
def test_amounts_that_are_unambiguous_to_the_penny_are_accepted(text, pounds):
    assert parse_money(text) == Decimal(pounds)
    assert str(parse_money(text)) == pounds


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("1234.567", "more than two decimal places"),
        ("1e3", "not as 1e3"),
        ("1E3", "not as 1e3"),
        ("-50", "cannot be negative"),
        ("1,23", "groups of three"),
        ("12,34.00", "groups of three"),
        ("ten pounds", "not an amount"),
        ("", "Give an amount"),
        ("£", "Give an amount"),
        (12.5, "Give an amount"),
        ("999999999999999", "too large"),
    ],
)
def test_ambiguous_or_wrong_amounts_are_refused_with_a_reason(text, says):
    with pytest.raises(MoneyError, match=says):
        parse_money(text)


def test_format_keeps_pence_and_thousands():
    assert format_money(Decimal("5000000")) == "£5,000,000.00"
    assert format_money(Decimal("1234.5")) == "£1,234.50"
    assert format_money(None) == "–"
