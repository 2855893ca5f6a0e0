"""The one period picker: plain labels, the periods a page offers, and how a code from the
address is taken or refused (never a 500)."""

from __future__ import annotations

from datetime import date

import pytest
from django import forms

from msoic.metrics.periods import (
    PICKER_KINDS,
    Period,
    PeriodError,
    choice_label,
    describe,
    parse_choice,
    periods_within,
)
from msoic.web.period_picker import PeriodField, grouped_choices, periods_with_data


@pytest.mark.parametrize(
    "code, label",
    [
        ("2024-02", "February 2024"),
        ("FY2023-24-Q1", "April to June 2023 (Q1 2023/24)"),
        ("FY2023-24-Q4", "January to March 2024 (Q4 2023/24)"),
        ("FY2023-24", "2023/24"),
        ("FY1999-00", "1999/00"),
        ("2023", "2023"),
        ("R12-2024-02", "Year to February 2024"),
    ],
)
def test_each_kind_of_period_has_a_plain_label(code, label):
    assert choice_label(Period.parse(code)) == label


@pytest.mark.parametrize(
    "code, words",
    [
        ("FY2023-24", "financial year 2023/24"),
        ("2023", "calendar year 2023"),
        ("R12-2024-02", "Year to February 2024"),
    ],
)
def test_a_bare_year_is_named_when_it_stands_alone(code, words):
    assert describe(Period.parse(code)) == words


@pytest.mark.parametrize(
    "kind, first, last, newest, oldest, count",
    [
        ("month", "2023-11", "2024-02", "2024-02", "2023-11", 4),
        ("quarter", "2023-05", "2024-02", "FY2023-24-Q3", "FY2023-24-Q2", 2),
        ("fy", "2021-04", "2024-02", "FY2022-23", "FY2021-22", 2),
        ("year", "2021-04", "2024-02", "2023", "2022", 2),
        ("r12", "2022-03", "2024-02", "R12-2024-02", "R12-2023-02", 13),
    ],
)
def test_only_periods_wholly_inside_the_months_with_data_are_offered(
    kind, first, last, newest, oldest, count
):
    found = periods_within(kind, Period.parse(first).start, Period.parse(last).start)
    assert [p.kind for p in found] == [kind] * count
    assert (found[0].code, found[-1].code) == (newest, oldest)
    assert all(a.end > b.end for a, b in zip(found, found[1:], strict=False))


def test_no_period_fits_an_empty_or_short_range():
    assert periods_within("month", date(2024, 3, 1), date(2024, 2, 1)) == []
    assert periods_within("r12", date(2024, 1, 1), date(2024, 6, 1)) == []
    with pytest.raises(PeriodError, match="not a kind of period"):
        periods_within("week", date(2024, 1, 1), date(2024, 6, 1))


def test_periods_with_data_take_any_period_over_that_holds_a_month_of_data():
    found = periods_with_data(
        ["fy", "year"], date(2023, 12, 1), date(2024, 5, 1), until=date(2025, 6, 1)
    )
    assert [p.code for p in found] == ["FY2024-25", "FY2023-24", "2024", "2023"]
    # Not over by June 2025: the calendar year 2025 and the financial year 2025/26.
    assert (
        periods_with_data(["year"], date(2025, 1, 1), date(2025, 5, 1), until=date(2025, 6, 1))
        == []
    )


@pytest.mark.parametrize(
    "text, kinds, message",
    [
        ("FY2023-2", ("fy",), "is not a period"),
        ("2024-13", tuple(PICKER_KINDS), "is not a period"),
        (
            "2023",
            ("fy", "quarter"),
            "'2023' is a calendar year: choose a financial year or a quarter",
        ),
        ("R12-2024-02", ("month",), "is a year to a month: choose a month"),
        (None, ("month",), "'' is not a period"),
    ],
)
def test_a_code_of_the_wrong_kind_or_badly_written_is_refused_in_words(text, kinds, message):
    with pytest.raises(PeriodError, match=message.replace("(", r"\(")):
        parse_choice(text, kinds)


def test_grouped_choices_put_codes_in_values_and_words_in_labels():
    periods = [Period.parse("2024-02"), Period.parse("FY2023-24-Q3"), Period.parse("2024-01")]
    assert grouped_choices(periods) == [
        ("Months", [("2024-02", "February 2024"), ("2024-01", "January 2024")]),
        (
            "Quarters (of the financial year)",
            [("FY2023-24-Q3", "October to December 2023 (Q3 2023/24)")],
        ),
    ]
    assert grouped_choices(periods[:1]) == [("2024-02", "February 2024")]  # one kind: flat


class PickForm(forms.Form):
    period = PeriodField(
        periods=[Period.parse(c) for c in ("2024-02", "2024-01", "FY2023-24-Q3", "R12-2024-02")],
        help_text="Choose one",
    )


@pytest.mark.parametrize(
    "sent, error",
    [
        ("FY2023-24-Q3", None),
        (" R12-2024-02 ", None),
        ("", None),
        ("2023-12", "There are no figures for December 2023 here: choose a period from the list"),
        ("FY2024-25-Q1", "There are no figures for April to June 2024 (Q1 2024/25) here"),
        ("someday", "Choose a period from the list: 'someday' is not a period"),
        ("2024-02x", "is not a period"),
        ("<script>", "Choose a period from the list"),
    ],
)
def test_the_field_takes_an_offered_code_and_refuses_anything_else(sent, error):
    form = PickForm({"period": sent})
    if error is None:
        assert form.is_valid(), form.errors
        expected = Period.parse(sent.strip()) if sent.strip() else None
        assert form.cleaned_data["period"] == expected
    else:
        assert not form.is_valid()
        assert error in form.errors["period"][0]


def test_the_select_shows_the_pages_default_when_no_period_is_sent():
    form = PickForm({})
    form.fields["period"].initial = "2024-01"
    html = str(form["period"])
    assert 'value="2024-01" selected data-kind="month" data-end="2024-01">January 2024<' in html
    assert '<optgroup label="Years to a month (the 12 months to it)">' in html
    assert 'aria-describedby="id_period-hint"' in html and 'class="govuk-select"' in html


def test_an_error_marks_the_select_and_describes_it_by_the_message():
    form = PickForm({"period": "2023-12"})
    assert not form.is_valid()
    html = str(form["period"])
    assert 'class="govuk-select govuk-select--error"' in html
    assert 'aria-describedby="id_period-hint id_period-error"' in html
