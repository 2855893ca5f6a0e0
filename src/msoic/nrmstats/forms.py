"""Input at the web boundary of the NRM statistics page."""

from __future__ import annotations

from django import forms
from django.conf import settings

DATE = forms.DateInput(
    format="%Y-%m-%d", attrs={"type": "date", "class": "govuk-input govuk-input--width-10"}
)
TEXT = forms.TextInput(attrs={"class": "govuk-input"})
FILE = forms.ClearableFileInput(attrs={"class": "govuk-file-upload", "accept": ".xlsx,.csv"})


class ReleaseForm(forms.Form):
    publication = forms.CharField(
        max_length=300,
        widget=TEXT,
        label="Publication",
        help_text="As the Home Office titles it, e.g. 'Modern Slavery: National Referral "
        "Mechanism and Duty to Notify statistics UK, Quarter 1 2024'",
    )
    released_on = forms.DateField(widget=DATE, label="Release date")
    url = forms.CharField(
        max_length=500, required=False, widget=TEXT, label="Address of the publication (optional)"
    )
    release_file = forms.FileField(
        label="The release's tables (.xlsx or .csv)",
        widget=FILE,
        help_text="The tables of referrals by first responder type and by exploitation type, "
        "a quarter per row or per column, as published.",
    )

    def clean_release_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["release_file"]
        limit = settings.MSOIC_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {upload.size:,} bytes, more than the {limit:,} a file may be"
            )
        return upload
