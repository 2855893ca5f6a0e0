"""``{{ text|inline_code }}``: the OpenAPI descriptions' `backticks` as <code>, all else escaped."""

from __future__ import annotations

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()
TICKS = re.compile(r"`([^`]+)`")


@register.filter
def inline_code(text: str) -> SafeString:
    escaped = escape(text or "")
    return mark_safe(TICKS.sub(r"<code>\1</code>", escaped))  # noqa: S308 - escaped above
