"""Template filters that write numbers for people, the same on every page, through
msoic.metrics.money.

``{{ value|figure:metric.unit }}`` writes a metric's value: money as £ (pence only where the
amount has them), counts with thousands separators; ``{{ pence|pounds }}`` writes an amount
of money; ``{{ n|count }}`` writes a count with thousands separators (3,007). Exports (CSV,
XLSX) keep raw numbers: these filters are for pages only.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from msoic.metrics.money import format_figure, format_pounds

register = template.Library()


@register.filter
def figure(value: int | None, unit: str = "") -> str:
    return format_figure(value, unit or "")


@register.filter
def pounds(value: int | None) -> str:
    return format_pounds(value)


@register.filter
def count(value: Any) -> Any:
    """A whole number with thousands separators; anything else (a mark such as "<5" or "–",
    a label) as it is, and None as nothing."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float | Decimal) and value == int(value):
        return f"{int(value):,}"
    return value
