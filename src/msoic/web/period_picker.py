"""The one period picker: a form field, its widget and ``templates/includes/period_picker.html``.

Every page that asks for a reporting period (a month, a quarter, a financial year, a calendar
year or a year to a month) uses :class:`PeriodField`. People see plain labels ("Year to
February 2024", "April to June 2023 (Q1 2023/24)", "2023/24"); the code
(:mod:`msoic.metrics.periods`) is only the option's value, so it appears in the page's address
and the API and nowhere else.

Without JavaScript the picker is one native ``<select>`` with a group per kind of period, which
every browser and screen reader handles. ``static/msoic/period-picker.js`` enhances it, where
it runs, into two selects: the type of period, then the period, keeping the chosen period's
end month when the type changes. The field offers only the periods the page was given
(those with figures, or valid for the page), so a code typed into the address for anything
else is refused with a message in words, never a 500.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django import forms
from django.forms.boundfield import BoundField

from msoic.metrics.periods import (
    PICKER_KINDS,
    Period,
    PeriodError,
    add_months,
    choice_label,
    format_month,
    parse_choice,
    periods_within,
)


def grouped_choices(periods: Iterable[Period]) -> list[Any]:
    """Choices for a select: one group per kind of period (in :data:`PICKER_KINDS` order),
    each newest first; a flat list when there is only one kind."""
    by_kind: dict[str, list[Period]] = {}
    for period in periods:
        by_kind.setdefault(period.kind, []).append(period)
    groups = [
        (PICKER_KINDS[kind], [(p.code, choice_label(p)) for p in by_kind[kind]])
        for kind in PICKER_KINDS
        if kind in by_kind
    ]
    if len(groups) == 1:
        return list(groups[0][1])
    return groups


class PeriodSelect(forms.Select):
    """A GOV.UK select whose options say their kind and end month (``data-kind``,
    ``data-end``), which the enhancement reads to keep the end month when the type changes."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"class": "govuk-select", **(attrs or {})})

    def create_option(
        self,
        name: str,
        value: Any,
        label: Any,
        selected: bool,
        index: int,
        subindex: int | None = None,
        attrs: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        option: dict[str, Any] = super().create_option(
            name, value, label, selected, index, subindex, attrs
        )
        if value:
            period = Period.parse(str(value))
            option["attrs"]["data-kind"] = period.kind
            option["attrs"]["data-end"] = format_month(period.end)
        return option


class PeriodBoundField(BoundField):
    """Describes the select by its hint and error (GOV.UK ids) and marks it in error."""

    def build_widget_attrs(self, attrs: Any, widget: Any = None) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        described = []
        if self.help_text:
            described.append(f"{self.auto_id}-hint")
        if self.errors:
            described.append(f"{self.auto_id}-error")
            attrs["class"] = "govuk-select govuk-select--error"
        if described:
            attrs["aria-describedby"] = " ".join(described)
        return attrs


class PeriodField(forms.ChoiceField):
    """A reporting period chosen from ``periods``; cleans to a :class:`Period` (or ``None``
    when left empty and not required).

    ``kinds`` are the kinds of period the page accepts; ``empty_label`` adds a first option
    with an empty value (e.g. "All periods" on a filter). The field's ``initial`` (a code)
    is what the select shows when the request names no period: the page's default.
    """

    widget = PeriodSelect
    default_error_messages = {
        "required": "Choose a period",
        "unavailable": "There are no figures for %(period)s here: choose a period from the list",
    }

    def __init__(
        self,
        *,
        periods: Iterable[Period] = (),
        kinds: Sequence[str] = tuple(PICKER_KINDS),
        empty_label: str | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("label", "Period")
        kwargs.setdefault("required", False)
        self.kinds = tuple(kinds)
        self.empty_label = empty_label
        super().__init__(**kwargs)
        self.set_periods(periods)

    def set_periods(self, periods: Iterable[Period]) -> None:
        """Offer ``periods`` (those of other kinds than the field's are left out)."""
        self.periods = [p for p in periods if p.kind in self.kinds]
        self._offered = {p.code for p in self.periods}
        choices = grouped_choices(self.periods)
        if self.empty_label is not None:
            choices = [("", self.empty_label), *choices]
        self.choices = choices

    def get_bound_field(self, form: forms.BaseForm, field_name: str) -> BoundField:
        return PeriodBoundField(form, self, field_name)

    def bound_data(self, data: Any, initial: Any) -> Any:
        # No period in the request: the select shows the page's default, not its first option.
        return data if data not in (None, "") else initial

    def to_python(self, value: Any) -> Period | None:  # type: ignore[override]
        text = str(value or "").strip()
        if not text:
            return None
        try:
            return parse_choice(text, self.kinds)
        except PeriodError as exc:
            raise forms.ValidationError(
                f"Choose a period from the list: {exc}", code="invalid_choice"
            ) from exc

    def validate(self, value: Any) -> None:
        if value is None:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return
        if value.code not in self._offered:
            raise forms.ValidationError(
                self.error_messages["unavailable"],
                code="unavailable",
                params={"period": choice_label(value)},
            )

    def prepare_value(self, value: Any) -> Any:
        return value.code if isinstance(value, Period) else value

    def has_changed(self, initial: Any, data: Any) -> bool:
        return str(self.prepare_value(initial) or "") != str(data or "")


def periods_with_data(
    kinds: Iterable[str], first: date, last: date, *, until: date
) -> list[Period]:
    """Periods of ``kinds`` that are over by the month ``until`` and hold at least one month
    of ``first`` to ``last`` (the months with data), newest first within each kind: what a
    page counting records by day (not complete monthly returns) may offer."""
    out: list[Period] = []
    for kind in kinds:
        # From a year before the first month, so that the years and years-to holding it
        # are candidates too.
        for period in periods_within(kind, add_months(first.replace(day=1), -11), until):
            if period.end >= first.replace(day=1) and period.start <= last:
                out.append(period)
    return out
