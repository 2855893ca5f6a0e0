"""Input at the web boundary of commissioning. Money fields clean to whole
pence (:mod:`msoic.commissioning.money`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from msoic.commissioning.models import ActivityType, BidStatus, Programme
from msoic.commissioning.money import MoneyField
from msoic.metrics.periods import Period
from msoic.web.period_picker import PeriodField

# ISO dates: a type="date" input only accepts YYYY-MM-DD as its value.
DATE = forms.DateInput(
    format="%Y-%m-%d", attrs={"type": "date", "class": "govuk-input govuk-input--width-10"}
)
TEXT = forms.TextInput(attrs={"class": "govuk-input"})
SHORT = forms.TextInput(attrs={"class": "govuk-input govuk-input--width-10"})
AREA = forms.Textarea(attrs={"class": "govuk-textarea", "rows": 3})
SELECT = forms.Select(attrs={"class": "govuk-select"})


# How far from today a funding year may be: envelopes and allocations are recorded for
# past years (history) and for the next years as they are announced.
YEARS_BACK = 10
YEARS_AHEAD = 2


class FinancialYearField(PeriodField):
    """A financial year from the one period picker, cleaned to its code (``FY2024-25``),
    which is what the models keep. The years offered are set per form (they follow today)."""

    default_error_messages = {
        "unavailable": "Choose a financial year from the list: %(period)s is too far from "
        "this year",
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "Financial year")
        kwargs.setdefault("required", True)
        super().__init__(kinds=("fy",), **kwargs)

    def clean(self, value: Any) -> str:  # type: ignore[override]
        period = super().clean(value)
        return period.code if period is not None else ""


def offer_financial_years(form: forms.Form, name: str = "financial_year") -> None:
    """Offer the financial years around today, newest first, with this year as the default."""
    current = Period.financial_year_of(timezone.localdate()).start.year
    field = form.fields[name]
    assert isinstance(field, FinancialYearField)
    field.set_periods(
        Period.financial_year_starting(y)
        for y in range(current + YEARS_AHEAD, current - YEARS_BACK - 1, -1)
    )
    field.initial = Period.financial_year_starting(current).code


class EnvelopeForm(forms.Form):
    name = forms.CharField(max_length=200, widget=TEXT, help_text="e.g. Project Terminus")
    source = forms.CharField(
        max_length=200, widget=TEXT, help_text="e.g. Home Office in-year funding"
    )
    amount = MoneyField(label="Amount (£)", help_text="Pounds and pence, e.g. 5,000,000.00")
    financial_year = FinancialYearField()
    programme = forms.ChoiceField(choices=Programme.choices, widget=SELECT)
    purpose = forms.CharField(widget=AREA, max_length=4000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer_financial_years(self)


class WindowForm(forms.Form):
    title = forms.CharField(max_length=200, widget=TEXT)
    opens = forms.DateField(widget=DATE)
    closes = forms.DateField(widget=DATE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("opens") and data.get("closes") and data["closes"] < data["opens"]:
            self.add_error("closes", "A window cannot close before it opens")
        return data


class BidForm(forms.Form):
    title = forms.CharField(max_length=200, widget=TEXT)
    purpose = forms.CharField(widget=AREA, max_length=4000, help_text="What the money buys")
    activity_type = forms.ChoiceField(choices=ActivityType.choices, widget=SELECT)
    amount = MoneyField(label="Amount asked for (£)", help_text="Pounds and pence, e.g. 45,000")
    period_start = forms.DateField(widget=DATE, label="Activity starts")
    period_end = forms.DateField(widget=DATE, label="Activity ends")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The activity cannot end before it starts")
        return data


DECISIONS = [
    (BidStatus.APPROVED.value, "Approve in full"),
    (BidStatus.PART_FUNDED.value, "Part-fund"),
    (BidStatus.DECLINED.value, "Decline"),
]


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(choices=DECISIONS, widget=SELECT, label="Decision")
    amount = MoneyField(
        required=False, label="Amount awarded if part-funded (£)", help_text="Pounds and pence"
    )
    reason = forms.CharField(widget=AREA, max_length=4000)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") == BidStatus.PART_FUNDED and data.get("amount") is None:
            if "amount" not in self.errors:
                self.add_error("amount", "Give the amount awarded to a part-funded bid")
        return data


class SpendForm(forms.Form):
    amount = MoneyField(label="Amount spent (£)", help_text="Pounds and pence")
    spent_on = forms.DateField(widget=DATE, label="Date")
    note = forms.CharField(max_length=500, required=False, widget=TEXT)


class AllocationForm(forms.Form):
    financial_year = FinancialYearField()
    programme = forms.ChoiceField(choices=Programme.choices, widget=SELECT)
    amount = MoneyField(label="Amount (£)", help_text="Pounds and pence, e.g. 1,260,000")
    source = forms.CharField(max_length=200, widget=TEXT)
    expires_on = forms.DateField(widget=DATE, label="Expires on")
    note = forms.CharField(max_length=500, required=False, widget=TEXT)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer_financial_years(self)
