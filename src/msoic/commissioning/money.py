"""Money typed by people into the commissioning forms, cleaned to whole pence.

What is accepted and refused is the one money parser's (msoic.metrics.money, ADR 0007):
``1234``, ``1234.5``, ``£1,234.50``, ``1,234`` accepted; ``1234.567``, ``1e3``, negative
amounts, words, empty text and misplaced separators (``1,23``) refused with the reason.
Amounts are then integer pence, as the commissioning models store them, and are written
back as £ by :func:`msoic.metrics.money.format_pounds` (the ``pounds`` template filter).
"""

from __future__ import annotations

from decimal import Decimal

from django import forms

from msoic.metrics.money import MoneyError, parse_pounds

# The largest amount accepted: £999,999,999,999.99, far above any envelope, and well inside
# the 64-bit integer the models store.
MAX_PENCE = 99_999_999_999_999
MAX_TEXT = 32
_GIVE = "Give an amount in pounds, e.g. 1250.00"


def parse_money(text: object) -> int:
    """The amount in ``text`` as whole pence, or MoneyError saying why not.

    The rules are the one money parser's (:func:`msoic.metrics.money.parse_pounds`); an
    amount typed here must be text (or an exact int/Decimal of pounds), never a float."""
    if isinstance(text, bool) or not isinstance(text, str | int | Decimal):
        raise MoneyError(_GIVE)
    if isinstance(text, str) and not text.strip().removeprefix("£").strip():
        raise MoneyError(_GIVE)
    pence = parse_pounds(text)
    if pence is None:
        raise MoneyError(_GIVE)
    if pence > MAX_PENCE:
        raise MoneyError(f"{text!r} is too large")
    return pence


class MoneyField(forms.CharField):
    """A form field for pounds and pence that cleans to whole pence (an ``int``)."""

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

    def to_python(self, value: object) -> int | None:  # type: ignore[override]
        text = super().to_python(value)
        if text is None or text in self.empty_values:
            return None
        if len(text) > MAX_TEXT:
            raise forms.ValidationError("That is too long for an amount", code="money")
        try:
            pence = parse_money(text)
        except MoneyError as exc:
            raise forms.ValidationError(str(exc), code="money") from exc
        if self.positive and pence <= 0:
            raise forms.ValidationError("The amount must be more than £0.00", code="money")
        return pence
