"""Money: amounts in pounds stored exactly as whole pence, and written back as £.

A catalogue metric with ``unit: gbp`` holds money. Its values are integers of pence
everywhere below the web boundary (collection ``Value.value``, the metric engine's
results); floats never touch them. This module is the one place that turns text or a
spreadsheet cell into pence (:func:`parse_pounds`) and pence into text
(:func:`format_pounds`), so a figure reads the same on every page and export.

Rules for what is accepted (docs/adr/0007-money-in-pence-and-quarterly-returns.md):

- ``£1,234.56``, ``1234.56``, ``1,234`` and ``£ 1234`` are accepted; commas must group
  thousands properly (``1,23`` is refused).
- ``£1,234.5`` is accepted as £1,234.50: one decimal place can only mean tenths of a
  pound, so it is unambiguous.
- ``1234.567`` (a fraction of a penny), ``1e3`` (scientific notation), negative amounts,
  other currencies and formulas are refused with a reason.
- Spreadsheet numeric cells are converted through ``Decimal(repr(cell))``: the shortest
  decimal that round-trips the stored double, i.e. what the spreadsheet shows at full
  precision. ``1234.56`` becomes 123456 pence exactly; a cell holding ``0.1 + 0.2``
  (0.30000000000000004) is refused as a fraction of a penny rather than rounded.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

MONEY_UNIT = "gbp"
PENCE = Decimal(100)
_AMOUNT = re.compile(r"^(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d+))?$")


_SUB_PENNY = (
    "{} has more than two decimal places, a fraction of a penny; give pounds and pence, "
    "e.g. 1234.56"
)


class MoneyError(ValueError):
    """The text or cell is not an amount of pounds to the penny; the message says why."""


def _from_decimal(amount: Decimal, shown: str) -> int:
    if not amount.is_finite():
        raise MoneyError(f"'{shown}' is not an amount of money")
    if amount < 0:
        raise MoneyError(f"{shown} is negative: an amount cannot be negative")
    pence = amount * PENCE
    if pence != pence.to_integral_value():
        raise MoneyError(_SUB_PENNY.format(shown))
    return int(pence)


def parse_pounds(raw: Any) -> int | None:
    """Pence for an amount of pounds given as text or a spreadsheet cell; None when blank.

    Raises :class:`MoneyError` with the reason when the value is not exact to the penny
    or not clearly an amount."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise MoneyError(f"'{raw}' is true/false, not an amount")
    if isinstance(raw, int):
        return _from_decimal(Decimal(raw), str(raw))
    if isinstance(raw, Decimal):
        return _from_decimal(raw, str(raw))
    if isinstance(raw, float):
        if math.isnan(raw) or math.isinf(raw):
            raise MoneyError(f"'{raw}' is not an amount of money")
        shown = repr(raw)
        return _from_decimal(Decimal(shown), shown)
    if isinstance(raw, datetime | date):
        raise MoneyError(f"'{raw}' is a date, not an amount (check the cell format)")
    text = str(raw).strip()
    if text == "":
        return None
    if text[0] in "=+@" or text.startswith("-="):
        raise MoneyError(f"'{text}' looks like a formula; type the amount itself")
    body = text[1:].lstrip() if text.startswith("£") else text
    if body.startswith("-") or text.startswith("-"):
        raise MoneyError(f"{text} is negative: an amount cannot be negative")
    if re.search(r"\d[eE][+-]?\d", body):
        raise MoneyError(
            f"'{text}' is in scientific notation; write the amount in full pounds and pence, "
            "e.g. 1000.00, not as 1e3"
        )
    match = _AMOUNT.match(body)
    if match is None:
        if re.fullmatch(r"[\d,]+(\.\d+)?", body):
            raise MoneyError(
                f"'{text}' has commas in the wrong places: they go between groups of three "
                "digits, e.g. 1,234.56"
            )
        raise MoneyError(f"'{text}' is not an amount in pounds, e.g. 1234.56 or £1,234.56")
    frac = match.group("frac") or ""
    digits = match.group("int").replace(",", "")
    try:
        amount = Decimal(f"{digits}.{frac}" if frac else digits)
    except InvalidOperation as exc:  # the pattern makes this unreachable; kept as a guard
        raise MoneyError(f"'{text}' is not an amount") from exc
    if len(frac) > 2:
        raise MoneyError(_SUB_PENNY.format(text))
    return _from_decimal(amount, text)


def pence_to_pounds(pence: int) -> Decimal:
    """Pence as an exact Decimal of pounds with two places (for exports)."""
    return (Decimal(pence) / PENCE).quantize(Decimal("0.01"))


def format_pounds(pence: int | None, *, whole: bool = True) -> str:
    """``£46,400`` for whole pounds, ``£46,400.50`` when there are pence: pence only where
    the amount has them, the same on every page (issue 11 item 9); ``whole=False`` always
    writes them (``£46,400.00``). '' for None."""
    if pence is None:
        return ""
    pounds, rest = divmod(abs(pence), 100)
    sign = "-" if pence < 0 else ""
    if whole and rest == 0:
        return f"{sign}£{pounds:,}"
    return f"{sign}£{pounds:,}.{rest:02d}"


def format_entry(pence: int) -> str:
    """Pence as typed into a form: ``1234.56`` (no symbol, no separators)."""
    pounds, rest = divmod(pence, 100)
    return f"{pounds}.{rest:02d}"


def format_figure(value: int | None, unit: str, *, whole: bool = True) -> str:
    """A metric's value for people: money as £ (pence only where it has them, see
    :func:`format_pounds`), counts with thousands separators."""
    if value is None:
        return ""
    if unit == MONEY_UNIT:
        return format_pounds(value, whole=whole)
    return f"{value:,}"
