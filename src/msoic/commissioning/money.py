"""Money typed by people: pounds with pence, exact (``Decimal``), never a float.

What is accepted and refused is the one money parser's (msoic.metrics.money, ADR 0007):
``1234``, ``1234.5``, ``£1,234.50``, ``1,234`` accepted; ``1234.567``, ``1e3``, negative
amounts, words, empty text and misplaced separators (``1,23``) refused with the reason.
Here amounts are ``Decimal`` pounds, as the commissioning models store them.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms

from msoic.metrics.money import MoneyError, format_pounds, parse_pounds, pence_to_pounds

PENNY = Decimal("0.01")
# Largest amount the models store (DecimalField max_digits=14, decimal_places=2).
MAX_POUNDS = Decimal("999999999999.99")
MAX_TEXT = 32
_GIVE = "Give an amount in pounds, e.g. 1250.00"


def parse_money(text: object) -> Decimal:
    """The amount in ``text`` as pounds with exactly two decimal places, or MoneyError.

    The rules are the one money parser's (:func:`msoic.metrics.money.parse_pounds`); an
    amount typed here must be text (or an exact int/Decimal), never a float, and fit the
    models' DecimalField."""
    if isinstance(text, bool) or not isinstance(text, str | int | Decimal):
        raise MoneyError(_GIVE)
    if isinstance(text, str) and not text.strip().removeprefix("£").strip():
        raise MoneyError(_GIVE)
    pence = parse_pounds(text)
    if pence is None:
        raise MoneyError(_GIVE)
    value = pence_to_pounds(pence)
    if value > MAX_POUNDS:
        raise MoneyError(f"{text!r} is too large")
    return value


def format_money(value: Decimal | None) -> str:
    """``£1,234.50``; whole pounds keep their pence (``£5,000,000.00``)."""
    if value is None:
        return "–"
    return format_pounds(int(value.quantize(PENNY) * 100))


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
