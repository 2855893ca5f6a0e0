"""Figures beyond a value: the returns behind a figure, the lowest or highest month or
quarter of a period, and the draft's warning of a figure publication would refuse."""

from __future__ import annotations

from typing import Any

import pytest

from msoic.metrics.periods import Period
from msoic.reports.resolve import PUBLICATION, build
from msoic.reports.tags import parse_template
from tests.reports.conftest import submit

pytestmark = pytest.mark.django_db
FY = Period.parse("FY2023-24")


def _three_months(national: Any) -> None:
    """Kent's and Essex's crimes for January to March 2024 (Essex sends no March return):
    the nation's are 20, 9 and 12."""
    rows = [
        ["kent", "2024-01", "ms_recorded_crimes", "", 14, ""],
        ["essex", "2024-01", "ms_recorded_crimes", "", 6, ""],
        ["kent", "2024-02", "ms_recorded_crimes", "", 4, ""],
        ["essex", "2024-02", "ms_recorded_crimes", "", 5, ""],
        ["kent", "2024-03", "ms_recorded_crimes", "", 12, ""],
        ["kent", "2024-03", "ms_arrests", "", 7, ""],
    ]
    submit(national, rows)


def test_the_lowest_and_highest_month_are_found_and_their_range_checked(
    personas: dict[str, Any],
) -> None:
    _three_months(personas["national"])
    text = (
        "# Crimes\n\nBetween [[ms_recorded_crimes period=2024-01..2024-03 show=lowest per=month"
        " q=at-least say=10 id=low]] and [[ms_recorded_crimes period=2024-01..2024-03"
        " show=highest per=month q=at-most say=20 id=high]] a month.\n"
    )
    built = build(parse_template(text), FY)
    assert built.errors == []
    low, high = built.figures["low"], built.figures["high"]
    assert (low["value"], low["part_period"], low["text"]) == (9, "2024-02", "10")
    assert (high["value"], high["part_period"], high["text"]) == (20, "2024-01", "20")
    assert high["qualifier_holds"] is True and low["qualifier_holds"] is False
    assert len(built.warnings) == 1 and '"10" no longer holds: the figure is 9' in built.warnings[0]


def test_a_period_that_is_not_whole_quarters_cannot_be_split_into_quarters(
    personas: dict[str, Any],
) -> None:
    _three_months(personas["national"])
    text = "# Crimes\n\n[[ms_recorded_crimes period=2024-02..2024-03 show=lowest per=quarter]]\n"
    built = build(parse_template(text), FY)
    assert len(built.errors) == 1
    assert built.errors[0].startswith("line 3: ")
    assert "does not divide into whole quarters" in built.errors[0]


def test_returns_behind_a_figure_count_the_forces_that_sent_them(
    personas: dict[str, Any],
) -> None:
    _three_months(personas["national"])
    text = (
        "# Returns\n\n[[ms_recorded_crimes period=2024-01 show=returns id=jan]] and"
        " [[ms_recorded_crimes period=2024-03 show=returns id=mar]] forces.\n"
    )
    built = build(parse_template(text), FY)
    assert built.errors == []
    assert (built.figures["jan"]["value"], built.figures["mar"]["value"]) == (2, 1)


def test_a_draft_warns_of_a_figure_of_people_publication_would_refuse(
    personas: dict[str, Any],
) -> None:
    _three_months(personas["national"])
    text = "# People\n\nArrests in March: [[ms_arrests period=2024-03 id=march]].\n"
    draft = build(parse_template(text), FY)
    assert draft.errors == [] and draft.figures["march"]["value"] == 7
    assert len(draft.warnings) == 1
    assert draft.warnings[0].startswith("line 3: [[ms_arrests period=2024-03 id=march]]")
    assert "cannot be published as it stands" in draft.warnings[0]
    assert "financial years" in draft.warnings[0]
    published = build(parse_template(text), FY, mode=PUBLICATION)
    assert [e.split(":")[0] for e in published.errors] == ["line 3"]


def test_a_draft_warns_of_a_figure_of_people_a_publication_would_withhold(
    personas: dict[str, Any],
) -> None:
    """Two forces' returns of 43 for the year: a publication withholds the year's arrests
    until its returns are complete, and the draft says so beside the exact figure."""
    _three_months(personas["national"])
    text = "# People\n\nArrests in the year: [[ms_arrests id=year]].\n"
    draft = build(parse_template(text), FY)
    assert draft.errors == [] and draft.figures["year"]["value"] == 7
    assert len(draft.warnings) == 1 and draft.warnings[0].startswith("line 3: ")
    assert "cannot be published as it stands: not yet complete" in draft.warnings[0]
    published = build(parse_template(text), FY, mode=PUBLICATION)
    assert [e.split(":")[0] for e in published.errors] == ["line 3"]


def test_a_count_is_printed_in_words_when_the_tag_asks(personas: dict[str, Any]) -> None:
    """``words``: a count from zero to ninety-nine in words, with its qualifier; beyond that
    the digits; money is refused (a pound figure has no words here)."""
    _three_months(personas["national"])
    text = (
        "# Words\n\nFrom [[ms_recorded_crimes period=2024-01..2024-03 show=returns words id=f]]"
        " returns, [[ms_recorded_crimes period=2024-01 words id=jan]] crimes in January,"
        " [[ms_recorded_crimes period=2024-01..2024-03 words q=over say=40 id=q]] in all"
        " and [[ms_arrests period=2024-03 words id=arrests]] arrests.\n"
    )
    built = build(parse_template(text), FY)
    assert built.errors == []
    figures = built.figures
    assert [figures[f]["text"] for f in ("f", "jan", "q", "arrests")] == [
        "five",  # force-months: Kent's three and Essex's two
        "twenty",
        "over forty",
        "seven",
    ]
    assert figures["jan"]["value"] == 20 and figures["jan"]["words"] is True
    money = build(parse_template("# M\n\n[[terminus_cash_seized words]]\n"), FY)
    assert len(money.errors) == 1 and "words prints counts, not money" in money.errors[0]
