"""Input at the web boundary of the library."""

from __future__ import annotations

from typing import Any

from django import forms

from msoic.documents.models import Audience, DocumentKind, Marking
from msoic.orgunits.models import OrgUnit

DATE = forms.DateInput(
    format="%Y-%m-%d", attrs={"type": "date", "class": "govuk-input govuk-input--width-10"}
)
TEXT = forms.TextInput(attrs={"class": "govuk-input"})
SELECT = forms.Select(attrs={"class": "govuk-select"})
FILE = forms.ClearableFileInput(
    attrs={"class": "govuk-file-upload", "accept": ".pdf,.docx,.xlsx,.pptx"}
)


class DocumentForm(forms.Form):
    title = forms.CharField(max_length=200, widget=TEXT, label="Title")
    kind = forms.ChoiceField(choices=DocumentKind.choices, widget=SELECT, label="Type")
    audience = forms.ChoiceField(choices=Audience.choices, widget=SELECT, label="Audience")
    owner = forms.ModelChoiceField(
        queryset=OrgUnit.objects.none(), widget=SELECT, to_field_name="code", label="Owner"
    )
    marking = forms.ChoiceField(
        choices=Marking.choices,
        widget=SELECT,
        label="Security classification",
        help_text="Partners and administrators can download OFFICIAL documents only.",
    )
    published_on = forms.DateField(widget=DATE, label="Publication date")
    document_file = forms.FileField(
        label="File (PDF, .docx, .xlsx or .pptx, without macros)", widget=FILE
    )

    def __init__(self, *args: Any, owners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners.order_by("kind", "name")  # type: ignore[attr-defined]


class VersionForm(forms.Form):
    published_on = forms.DateField(widget=DATE, label="Publication date of this version")
    note = forms.CharField(
        max_length=300, required=False, widget=TEXT, label="What changed (optional)"
    )
    marking = forms.ChoiceField(
        choices=Marking.choices, widget=SELECT, label="Security classification"
    )
    document_file = forms.FileField(
        label="File (PDF, .docx, .xlsx or .pptx, without macros)", widget=FILE
    )
