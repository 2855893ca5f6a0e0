"""Formatting of figures on dashboard pages (the same wording as the downloads' notes)."""

from __future__ import annotations

from django import template

from msoic.dashboards.blocks import fmt_change, fmt_int

register = template.Library()


@register.filter
def figure(value: int | None) -> str:
    """1234 -> '1,234'; None -> 'no figure' (nothing returned is not zero)."""
    return fmt_int(value)


@register.filter
def change(value: float | None) -> str:
    """-8.5 -> '-8.5%', 65.9 -> '+65.9%', None -> 'n/a'."""
    return fmt_change(value)
