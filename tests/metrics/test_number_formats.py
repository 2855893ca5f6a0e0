"""Numbers read the same on every page (issue 11 item 9): counts with thousands separators,
money with pence only where the amount has them, through the one set of template filters
(msoic.metrics.templatetags.figures); exports keep raw numbers."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.template import engines

from tests.collection.web_support import store, text

SRC = Path(__file__).resolve().parents[2] / "src" / "msoic"
# A numeric table cell that prints a variable with no filter at all.
RAW_NUMERIC_CELL = re.compile(r"govuk-table__cell--numeric[^>]*>\{\{ ?([\w.]+) ?\}\}")
# Numeric cells that hold no count: labels and headings, an audit row's sequence number, a
# version number, years, text already formatted by the code (a Figure's text), a percent.
NOT_COUNTS = {"c", "cell.text", "f.full_text", "e.seq", "v.number", "r.percent", "d.latest"}
# Apps begun in the same session as this test, whose authors bring their templates in.
NEW_APPS = {"cps", "intel", "referrals"}


def render(source: str, **context) -> str:
    return engines["django"].from_string("{% load figures %}" + source).render(context)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (3, "3"),
        (3007, "3,007"),
        (1234567, "1,234,567"),
        (-1500, "-1,500"),
        (2283.0, "2,283"),
        (Decimal("45000"), "45,000"),
        (None, ""),
        ("<5", "&lt;5"),  # a disclosure mark stays as it is (escaped like any text)
        ("–", "–"),
    ],
)
def test_counts_have_thousands_separators_and_marks_pass_through(value, shown):
    assert render("{{ n|count }}", n=value) == shown


@pytest.mark.parametrize(
    ("pence", "unit", "shown"),
    [
        (122223595, "gbp", "£1,222,235.95"),
        (4640000, "gbp", "£46,400"),
        (123450, "gbp", "£1,234.50"),
        (3007, "lorry stops", "3,007"),
    ],
)
def test_figures_and_money_use_one_rule(pence, unit, shown):
    assert render("{{ v|figure:unit }}", v=pence, unit=unit) == shown
    if unit == "gbp":
        assert render("{{ v|pounds }}", v=pence) == shown


def test_no_numeric_table_cell_prints_a_raw_number():
    """Every template's numeric cells go through a filter (count, figure, pounds, …) unless
    they hold something other than a count."""
    raw = []
    for path in sorted(SRC.glob("*/templates/**/*.html")):
        if path.relative_to(SRC).parts[0] in NEW_APPS:
            continue
        for name in RAW_NUMERIC_CELL.findall(path.read_text()):
            if name not in NOT_COUNTS:
                raw.append(f"{path.relative_to(SRC)}: {{{{ {name} }}}}")
    assert raw == []


@pytest.mark.django_db
def test_a_returns_page_writes_its_figures_with_separators(client, kent_user):
    sub = store(
        kent_user,
        [
            ["kent", "2024-02", "ms_recorded_crimes", "", 12345, ""],
            ["kent", "2024-02", "ms_arrests", "", 7, ""],
        ],
    )
    client.force_login(kent_user)
    page = text(client.get(f"/returns/{sub.pk}/"))
    assert "12,345" in page and "12345" not in page
