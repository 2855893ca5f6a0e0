"""Forms of the intelligence pages: sending an extract, filtering, reviewing, exporting."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from msoic.intel.models import Assessment, HandlingCode, Outcome, Route, SourceEvaluation
from msoic.orgunits.models import OrgUnit

_INPUT = {"class": "govuk-input"}
_SELECT = {"class": "govuk-select"}

AGES = (
    ("", "Any age"),
    ("overdue", "Over 28 days (past the target)"),
    ("due", "8 to 28 days"),
    ("new", "7 days or less"),
)


class ExtractForm(forms.Form):
    force = forms.ModelChoiceField(
        queryset=OrgUnit.objects.none(),
        label="Force",
        widget=forms.Select(attrs=_SELECT),
        error_messages={"required": "Choose the force whose logs these are"},
    )
    extract = forms.FileField(
        label="Extract (CSV or XLSX)",
        widget=forms.ClearableFileInput(attrs={"class": "govuk-file-upload"}),
        error_messages={"required": "Choose the extract to send"},
    )
    dry_run = forms.BooleanField(
        required=False,
        label="Check only: store nothing",
        widget=forms.CheckboxInput(attrs={"class": "govuk-checkboxes__input"}),
    )

    def __init__(self, *args: Any, forces: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["force"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = forces
        if forces.count() == 1:
            field.initial = forces.first()


def theme_choices(exploitation: dict[str, str]) -> list[tuple[str, str]]:
    return (
        [("", "Any theme")]
        + [(f"route:{r.value}", f"OIC: {r.label}") for r in Route]
        + [(f"ms:{code}", f"Modern slavery: {label}") for code, label in exploitation.items()]
    )


class FilterForm(forms.Form):
    """The queue's and the list's filters; unknown values are ignored."""

    force = forms.ChoiceField(label="Force", required=False, widget=forms.Select(attrs=_SELECT))
    theme = forms.ChoiceField(label="Theme", required=False, widget=forms.Select(attrs=_SELECT))
    source = forms.ChoiceField(
        label="Source evaluation",
        required=False,
        choices=[("", "Any")] + list(SourceEvaluation.choices),
        widget=forms.Select(attrs=_SELECT),
    )
    assessment = forms.ChoiceField(
        label="Intelligence assessment",
        required=False,
        choices=[("", "Any")] + list(Assessment.choices),
        widget=forms.Select(attrs=_SELECT),
    )
    handling = forms.ChoiceField(
        label="Handling code",
        required=False,
        choices=[("", "Any")] + list(HandlingCode.choices),
        widget=forms.Select(attrs=_SELECT),
    )
    age = forms.ChoiceField(
        label="Age", required=False, choices=AGES, widget=forms.Select(attrs=_SELECT)
    )

    def __init__(self, data: Any, *, forces: list[OrgUnit], exploitation: dict[str, str]) -> None:
        super().__init__(data)
        fields: dict[str, Any] = self.fields
        fields["force"].choices = [("", "All forces")] + [(f.code, f.name) for f in forces]
        fields["theme"].choices = theme_choices(exploitation)

    def chosen(self) -> dict[str, str]:
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {k: v for k, v in data.items() if v}


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=Outcome.choices,
        widget=forms.RadioSelect(attrs={"class": "govuk-radios__input"}),
        label="Outcome",
        error_messages={"required": "Choose the outcome"},
    )
    reason = forms.CharField(
        max_length=1000,
        label="Reason",
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 3}),
        error_messages={"required": "Give the reason for the outcome"},
    )
    recipient = forms.CharField(
        required=False,
        max_length=200,
        label="Disseminated to (the NCA, the ROCU or the force by name)",
        widget=forms.TextInput(attrs=_INPUT),
    )
    handling_authority = forms.CharField(
        required=False,
        max_length=200,
        label="Handling authority (required to disseminate a handling code C log)",
        widget=forms.TextInput(attrs=_INPUT),
    )
    linked_ref = forms.CharField(
        required=False,
        max_length=100,
        label="Operation name or the force's investigation reference",
        widget=forms.TextInput(attrs=_INPUT),
    )
    new_grading = forms.CharField(
        required=False,
        max_length=5,
        label="New grading (for example 2BP)",
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-5"}),
    )
    new_conditions = forms.CharField(
        required=False,
        max_length=500,
        label="Handling conditions (if re-graded to C)",
        widget=forms.TextInput(attrs=_INPUT),
    )


class ExportForm(forms.Form):
    recipient = forms.CharField(
        max_length=200,
        label="Who the file is for",
        widget=forms.TextInput(attrs=_INPUT),
        error_messages={"required": "Say who the file is for"},
    )
    purpose = forms.CharField(
        max_length=500,
        label="Purpose",
        widget=forms.TextInput(attrs=_INPUT),
        error_messages={"required": "Give the purpose of the export"},
    )
    handling_authority = forms.CharField(
        required=False,
        max_length=200,
        label="Handling authority (required when the logs include handling code C)",
        widget=forms.TextInput(attrs=_INPUT),
    )
