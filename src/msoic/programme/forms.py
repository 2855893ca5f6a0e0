"""Input at the web boundary of the programme's pillars."""

from __future__ import annotations

from typing import Any

from django import forms

DATE = forms.DateInput(
    format="%Y-%m-%d", attrs={"type": "date", "class": "govuk-input govuk-input--width-10"}
)


class PillarForm(forms.Form):
    name = forms.CharField(
        max_length=100, widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-20"})
    )
    summary = forms.CharField(
        max_length=300, required=False, widget=forms.TextInput(attrs={"class": "govuk-input"})
    )
    objectives = forms.CharField(
        label="Objectives (one a line, in order)",
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 6}),
        max_length=5000,
    )
    introduced_on = forms.DateField(
        required=False, widget=DATE, label="In use from (empty: from the programme's start)"
    )
    retired_on = forms.DateField(
        required=False, widget=DATE, label="Retired on (empty: still in use)"
    )

    def clean_objectives(self) -> list[str]:
        text: Any = self.cleaned_data["objectives"]
        return [line.strip() for line in str(text).splitlines() if line.strip()]
