"""Money as people type it: pounds and pence, exact, to whole pence, or a clear error; and
written back with the one money filter (``pounds``)."""

from decimal import Decimal

import pytest
from django.template import engines

from msoic.commissioning.money import MoneyError, MoneyField, parse_money


@pytest.mark.parametrize(
    ("text", "pence"),
    [
        ("1234", 123_400),
        ("1234.5", 123_450),
        ("1234.50", 123_450),
        ("£1,234.5", 123_450),
        ("£5,000,000", 500_000_000),
        (" 0.01 ", 1),
        ("1,234,567.89", 123_456_789),
        ("999999999999.99", 99_999_999_999_999),
        (Decimal("12.3"), 1230),
        (250, 25_000),
    ],
)
def test_amounts_that_are_unambiguous_to_the_penny_are_accepted(text, pence):
    assert parse_money(text) == pence
    assert isinstance(parse_money(text), int)


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
        ("1000000000000.00", "too large"),
    ],
)
def test_ambiguous_or_wrong_amounts_are_refused_with_a_reason(text, says):
    with pytest.raises(MoneyError, match=says):
        parse_money(text)


@pytest.mark.parametrize(
    ("typed", "pence"), [("£40,000", 4_000_000), ("20000.5", 2_000_050), ("", None)]
)
def test_money_field_cleans_to_whole_pence(typed, pence):
    assert MoneyField(required=False).clean(typed) == pence


@pytest.mark.parametrize(
    ("pence", "shown"),
    [(500_000_000, "£5,000,000"), (123_450, "£1,234.50"), (1, "£0.01"), (None, "")],
)
def test_one_filter_writes_pence_as_pounds(pence, shown):
    template = engines["django"].from_string("{% load figures %}{{ amount|pounds }}")
    assert template.render({"amount": pence}) == shown


def test_commissioning_has_no_money_filter_of_its_own():
    libraries = engines["django"].engine.template_libraries
    assert "money" not in libraries
    assert "pounds" in libraries["figures"].filters
