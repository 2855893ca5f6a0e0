"""Forms for the PNC marker worklist and its export."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from msoic.cases.cleanse.forms import DATE, SELECT, TEXT


class MarkerForm(forms.Form):
    step = forms.ChoiceField(choices=[("requested", "requested"), ("applied", "applied")])
    on = forms.DateField(label="Date", widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))

    def __init__(self, *args: Any, today: date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if today:
            self.fields["on"].initial = today


class DisclosureForm(forms.Form):
    recipient = forms.CharField(
        label="Who is the list for?",
        help_text="The person or organisation receiving it, e.g. the force's PNC bureau",
        max_length=200,
        widget=forms.TextInput(attrs=TEXT),
    )
    purpose = forms.CharField(
        label="Purpose",
        help_text="What the list is for: recorded in the audit log with the disclosure",
        max_length=500,
        widget=forms.TextInput(attrs=TEXT),
        error_messages={"required": "Say what the list is for (the purpose)"},
    )
    fmt = forms.ChoiceField(
        label="Format",
        choices=[("csv", "CSV"), ("xlsx", "Excel (XLSX)")],
        widget=forms.Select(attrs=SELECT),
    )
