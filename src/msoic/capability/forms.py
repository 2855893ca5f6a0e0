"""Input at the web boundary of training and events."""

from __future__ import annotations

from typing import Any

from django import forms

from msoic.capability.models import DeliveredBy, EventKind, Mode
from msoic.orgunits.models import OrgUnit

DATE = forms.DateInput(
    format="%Y-%m-%d", attrs={"type": "date", "class": "govuk-input govuk-input--width-10"}
)
TEXT = forms.TextInput(attrs={"class": "govuk-input"})
SELECT = forms.Select(attrs={"class": "govuk-select"})


class EventForm(forms.Form):
    owner = forms.ModelChoiceField(
        queryset=OrgUnit.objects.none(), widget=SELECT, to_field_name="code", label="Run by"
    )
    kind = forms.ChoiceField(choices=EventKind.choices, widget=SELECT, label="Kind")
    title = forms.CharField(max_length=200, widget=TEXT, label="Title")
    code = forms.CharField(
        max_length=60,
        required=False,
        widget=TEXT,
        label="Code (optional)",
        help_text=(
            "A short stable name that figures by event use, e.g. nrp-workshops-2023: lower-case "
            "letters, digits and hyphens. Left blank, one is made from the title."
        ),
    )

    def __init__(self, *args: Any, owners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners.order_by("kind", "name")  # type: ignore[attr-defined]


class SessionForm(forms.Form):
    on = forms.DateField(widget=DATE, label="Date")
    mode = forms.ChoiceField(choices=Mode.choices, widget=SELECT, label="Held")
    venue = forms.CharField(
        max_length=200, required=False, widget=TEXT, label="Venue (when held in person)"
    )
    delivered_by = forms.ChoiceField(choices=DeliveredBy.choices, widget=SELECT)
    audience = forms.CharField(
        max_length=200, required=False, widget=TEXT, label="Audience (optional)"
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("mode") == Mode.IN_PERSON and not (data.get("venue") or "").strip():
            self.add_error("venue", "Give the venue of a session held in person")
        return data


class AttendanceImportForm(forms.Form):
    attendance_file = forms.FileField(
        label="Registration list (CSV or XLSX)",
        widget=forms.ClearableFileInput(
            attrs={"class": "govuk-file-upload", "accept": ".csv,.xlsx"}
        ),
    )
