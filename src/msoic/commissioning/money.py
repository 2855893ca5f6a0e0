"""Money typed by people: pounds with pence, exact (``Decimal``), never a float.

Accepted: ``1234``, ``1234.5``, ``1234.50``, ``£1,234.50``, ``1,234`` (thousands separators
only in groups of three). Refused with a message that says why: more than two decimal
places (``1234.567`` is not a whole number of pence), exponents (``1e3``), negative
amounts, words, empty text, and misplaced separators (``1,23``).
"""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms

PENNY = Decimal("0.01")
# Largest amount the models store (DecimalField max_digits=14, decimal_places=2).
MAX_POUNDS = Decimal("999999999999.99")
MAX_TEXT = 32
_PLAIN = re.compile(r"^(\d+)(?:\.(\d{1,2}))?$")
_GROUPED = re.compile(r"^(\d{1,3}(?:,\d{3})+)(?:\.(\d{1,2}))?$")


class MoneyError(ValueError):
    pass


def parse_money(text: object) -> Decimal:
    """The amount in ``text`` as pounds with exactly two decimal places, or MoneyError."""
    if isinstance(text, Decimal):
        raw = format(text, "f")
    elif isinstance(text, int) and not isinstance(text, bool):
        raw = str(text)
    elif isinstance(text, str):
        raw = text
    else:
        raise MoneyError("Give an amount in pounds, e.g. 1250.00")
    cleaned = raw.strip().replace(" ", "")
    if cleaned.startswith("£"):
        cleaned = cleaned[1:]
    if not cleaned:
        raise MoneyError("Give an amount in pounds, e.g. 1250.00")
    if cleaned.startswith("-") or cleaned.startswith("(") or cleaned.startswith("−"):
        raise MoneyError("An amount cannot be negative")
    if re.match(r"^[\d,]*\.?\d*[eE][+-]?\d+$", cleaned):
        raise MoneyError(f"{raw!r}: write the amount in full pounds and pence, not as 1e3")
    match = _PLAIN.match(cleaned) or _GROUPED.match(cleaned)
    if match is None:
        if re.match(r"^[\d,]*\.\d{3,}$", cleaned):
            raise MoneyError(f"{raw!r} has more than two decimal places: give pounds and pence")
        if re.match(r"^[\d,]+(\.\d+)?$", cleaned):
            raise MoneyError(f"{raw!r}: commas go between groups of three digits, e.g. 1,234.50")
        raise MoneyError(f"{raw!r} is not an amount in pounds, e.g. 1250.00")
    pounds = match.group(1).replace(",", "")
    pence = (match.group(2) or "").ljust(2, "0")
    value = Decimal(f"{pounds}.{pence}")
    if value > MAX_POUNDS:
        raise MoneyError(f"{raw!r} is too large")
    return value


def format_money(value: Decimal | None) -> str:
    """``£1,234.50``; whole pounds keep their pence (``£5,000,000.00``)."""
    if value is None:
        return "–"
    return f"£{value.quantize(PENNY):,.2f}"


class MoneyField(forms.CharField):
    """A form field for pounds and pence that cleans to an exact ``Decimal``."""

    def __init__(self, *, positive: bool = True, **kwargs: object) -> None:
        self.positive = positive
        super().__init__(**kwargs)  # type: ignore[arg-type]

    def widget_attrs(self, widget: forms.Widget) -> dict[str, object]:
        attrs = super().widget_attrs(widget)
        attrs.update(
            {
                "inputmode": "decimal",
                "maxlength": str(MAX_TEXT),
                "class": "govuk-input govuk-input--width-10",
            }
        )
        return attrs

    def to_python(self, value: object) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        if text is None or text in self.empty_values:
            return None
        if len(text) > MAX_TEXT:
            raise forms.ValidationError("That is too long for an amount", code="money")
        try:
            amount = parse_money(text)
        except MoneyError as exc:
            raise forms.ValidationError(str(exc), code="money") from exc
        if self.positive and amount <= 0:
            raise forms.ValidationError("The amount must be more than £0.00", code="money")
        return amount
