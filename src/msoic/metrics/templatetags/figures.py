"""Template filters that write metric values for people, through msoic.metrics.money.

``{{ value|figure:metric.unit }}`` writes money as £ with pence and counts with thousands
separators; ``{{ pence|pounds }}`` writes an amount of money.
"""

from __future__ import annotations

from django import template

from msoic.metrics.money import format_figure, format_pounds

register = template.Library()


@register.filter
def figure(value: int | None, unit: str = "") -> str:
    return format_figure(value, unit or "")


@register.filter
def pounds(value: int | None) -> str:
    return format_pounds(value)
