"""Forms of the reports pages."""

from __future__ import annotations

from django import forms

from msoic.reports.render import FORMATS


class TemplateForm(forms.Form):
    text = forms.CharField(
        label="Template text",
        widget=forms.Textarea(attrs={"rows": 30, "class": "govuk-textarea report-editor"}),
        max_length=200_000,
    )
    note = forms.CharField(label="What changed (optional)", max_length=200, required=False)


class EditionForm(forms.Form):
    template = forms.SlugField(label="Template", max_length=40)
    period = forms.CharField(label="Period", max_length=16, initial="FY2023-24")


class BuildForm(forms.Form):
    fmt = forms.ChoiceField(choices=[(f, f.upper()) for f in FORMATS])


class StatusForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("approve", "Approve"), ("publish", "Publish"), ("draft", "Back to draft")]
    )
