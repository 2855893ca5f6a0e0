"""Input at the web boundary of the operations-supported log."""

from __future__ import annotations

from typing import Any

from django import forms

from msoic.metrics.money import MoneyError, parse_pounds
from msoic.orgunits.models import OrgUnit
from msoic.support.models import CrimeType, OutcomeKind, Provider, SupportType
from msoic.web.period_picker import PeriodField

DATE = forms.DateInput(
    format="%Y-%m-%d", attrs={"type": "date", "class": "govuk-input govuk-input--width-10"}
)
TEXT = forms.TextInput(attrs={"class": "govuk-input"})
AREA = forms.Textarea(attrs={"class": "govuk-textarea", "rows": 3})
SELECT = forms.Select(attrs={"class": "govuk-select"})


class OperationForm(forms.Form):
    force = forms.ModelChoiceField(
        queryset=OrgUnit.objects.none(), widget=SELECT, to_field_name="code"
    )
    operation_name = forms.CharField(max_length=200, widget=TEXT, label="Operation name")
    crime_type = forms.ChoiceField(choices=CrimeType.choices, widget=SELECT)
    support_types = forms.MultipleChoiceField(
        choices=SupportType.choices,
        widget=forms.CheckboxSelectMultiple,
        label="Support given (one or more)",
    )
    provider = forms.ChoiceField(choices=Provider.choices, widget=SELECT, label="Given by")
    adviser = forms.CharField(
        max_length=200, required=False, widget=TEXT, label="Adviser or role (optional)"
    )
    start_date = forms.DateField(widget=DATE)
    end_date = forms.DateField(required=False, widget=DATE)
    outcome = forms.CharField(required=False, widget=AREA, max_length=4000)

    def __init__(self, *args: Any, forces: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["force"].queryset = forces.order_by("name")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The support cannot end before it starts")
        return data


class OutcomeForm(forms.Form):
    kind = forms.ChoiceField(choices=OutcomeKind.choices, widget=SELECT, label="Outcome")
    amount = forms.CharField(
        max_length=32,
        label="Amount (£)",
        widget=forms.TextInput(
            attrs={"class": "govuk-input govuk-input--width-10", "inputmode": "decimal"}
        ),
    )
    made_on = forms.DateField(required=False, widget=DATE, label="Date of order (optional)")
    note = forms.CharField(max_length=300, required=False, widget=TEXT)

    def clean_amount(self) -> str:
        """Checked here so the error sits on the field; the action reads the same text."""
        text = str(self.cleaned_data["amount"])
        try:
            pence = parse_pounds(text)
        except MoneyError as exc:
            raise forms.ValidationError(str(exc), code="money") from exc
        if not pence:
            raise forms.ValidationError("The amount must be more than £0.00", code="money")
        return text


class FilterForm(forms.Form):
    year = PeriodField(kinds=("fy",), label="Financial year", empty_label="All years")
    support_type = forms.ChoiceField(
        required=False, choices=[("", "All support types"), *SupportType.choices], widget=SELECT
    )
    crime_type = forms.ChoiceField(
        required=False, choices=[("", "All crime types"), *CrimeType.choices], widget=SELECT
    )
    q = forms.CharField(required=False, max_length=200, widget=TEXT, label="Operation name")


class YearForm(forms.Form):
    """The summary's financial year, from the one period picker."""

    year = PeriodField(kinds=("fy",), label="Financial year")
