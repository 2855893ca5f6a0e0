"""Input at the web boundary of the CCA tasking tracker."""

from __future__ import annotations

from typing import Any

from django import forms

from msoic.tasking.models import Status

DATE = forms.DateInput(
    format="%Y-%m-%d", attrs={"type": "date", "class": "govuk-input govuk-input--width-10"}
)
AREA = forms.Textarea(attrs={"class": "govuk-textarea", "rows": 4})


class ProgressForm(forms.Form):
    status = forms.ChoiceField(
        choices=Status.choices, widget=forms.Select(attrs={"class": "govuk-select"})
    )
    on = forms.DateField(widget=DATE, label="Date")
    evidence = forms.CharField(required=False, widget=AREA, max_length=8000)
    commentary = forms.CharField(required=False, widget=AREA, max_length=8000)

    def __init__(self, *args: Any, unit: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not unit:  # only the unit records that the NCA discharged a measure
            self.fields["status"].choices = [  # type: ignore[attr-defined]
                c for c in Status.choices if c[0] != Status.DISCHARGED
            ]


class ThresholdForm(forms.Form):
    new_value = forms.IntegerField(
        min_value=0,
        label="New threshold",
        widget=forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-5"}),
    )
    effective_from = forms.DateField(widget=DATE, label="Effective from")
    reason = forms.CharField(
        widget=AREA,
        max_length=4000,
        label="Why it changes",
        error_messages={"required": "Say why the threshold changes"},
    )
