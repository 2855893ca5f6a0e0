"""Forms for the data cleanse (the marker's forms build on its widgets)."""

from __future__ import annotations

from typing import Any

from django import forms

from msoic.cases import rules
from msoic.cases.models import Outcome

DATE = {"class": "govuk-input govuk-input--width-10", "type": "date"}
NUMBER = {"class": "govuk-input govuk-input--width-4", "inputmode": "numeric"}
TEXT = {"class": "govuk-input"}
AREA = {"class": "govuk-textarea", "rows": "3"}
SELECT = {"class": "govuk-select"}


class OpenCleanseForm(forms.Form):
    title = forms.CharField(max_length=200, widget=forms.TextInput(attrs=TEXT))
    stale_days = forms.IntegerField(
        label="Live and not reviewed for more than (days)",
        required=False,
        min_value=1,
        widget=forms.TextInput(attrs=NUMBER),
    )
    missing_exploitation = forms.BooleanField(
        label="Live with no exploitation type recorded",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "govuk-checkboxes__input"}),
    )
    nrm_days = forms.IntegerField(
        label="A victim still without an NRM decision this many days after referral",
        required=False,
        min_value=1,
        widget=forms.TextInput(attrs=NUMBER),
    )
    deadline = forms.DateField(widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("stale_days") is None
            and not data.get("missing_exploitation")
            and data.get("nrm_days") is None
        ):
            raise forms.ValidationError("Choose at least one criterion for the cleanse")
        return data


class ConfirmForm(forms.Form):
    note = forms.CharField(
        label="Review note: why is the case still live?", widget=forms.Textarea(attrs=AREA)
    )


class UpdateForm(forms.Form):
    primary_exploitation = forms.ChoiceField(
        label="Primary exploitation type", widget=forms.Select(attrs=SELECT)
    )
    officer_in_charge = forms.CharField(
        label="Officer in charge",
        required=False,
        max_length=128,
        widget=forms.TextInput(attrs=TEXT),
    )
    note = forms.CharField(
        label="Note (optional)", required=False, widget=forms.Textarea(attrs=AREA)
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        options = rules.catalogue_options("exploitation_type")
        field = self.fields["primary_exploitation"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose a type"), *options.items()]


class CloseForm(forms.Form):
    closed_on = forms.DateField(
        label="Date closed", widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )
    outcome = forms.ChoiceField(
        choices=[("", "Choose an outcome"), *Outcome.choices], widget=forms.Select(attrs=SELECT)
    )
    note = forms.CharField(
        label="Note (optional)", required=False, widget=forms.Textarea(attrs=AREA)
    )
