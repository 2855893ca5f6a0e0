"""``{{ amount|money }}``: £1,234.50 from an exact Decimal."""

from decimal import Decimal

from django import template

from msoic.commissioning.money import format_money

register = template.Library()


@register.filter(name="money")
def money(value: Decimal | None) -> str:
    return format_money(value)
