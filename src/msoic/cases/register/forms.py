"""Input at the web boundary of the register. Forms only parse; the rules
(:mod:`msoic.cases.rules`) decide, and their problems are put back on the form's fields
by :func:`add_problems`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.conf import settings

from msoic.cases.common import too_big as _too_big
from msoic.cases.models import Category, Decision, Gender, Outcome, Status
from msoic.cases.rules import FIELD_LABELS, Problem, catalogue_options
from msoic.collection.forms import MultipleFileField

# ISO dates: a type="date" input only accepts YYYY-MM-DD as its value.
DATE = forms.DateInput(
    format="%Y-%m-%d", attrs={"type": "date", "class": "govuk-input govuk-input--width-10"}
)
TEXT = forms.TextInput(attrs={"class": "govuk-input govuk-input--width-20"})
AREA = forms.Textarea(attrs={"class": "govuk-textarea", "rows": 3})
SELECT = forms.Select(attrs={"class": "govuk-select"})
BLANK = [("", "Choose…")]


def _exploitation_choices() -> list[tuple[str, str]]:
    return list(catalogue_options("exploitation_type").items())


def _age_choices() -> list[tuple[str, str]]:
    return list(catalogue_options("age_group").items())


def add_problems(
    form: forms.Form, problems: Iterable[Problem], aliases: Mapping[str, str] | None = None
) -> None:
    """Each rule problem on the form field it names (``aliases`` maps a record field to the
    form's), or above the form when the form has no such field."""
    aliases = aliases or {}
    for problem in problems:
        name = aliases.get(problem.field, problem.field)
        if name in form.fields:
            form.add_error(name, problem.message)
        else:
            form.add_error(None, problem.message)


class InvestigationForm(forms.Form):
    crime_reference = forms.CharField(
        max_length=64, label=FIELD_LABELS["crime_reference"], widget=TEXT
    )
    opened_on = forms.DateField(label=FIELD_LABELS["opened_on"], widget=DATE)
    exploitation_types = forms.MultipleChoiceField(
        required=False,
        label=FIELD_LABELS["exploitation_types"],
        widget=forms.CheckboxSelectMultiple,
    )
    primary_exploitation = forms.ChoiceField(
        required=False,
        label=FIELD_LABELS["primary_exploitation"],
        widget=SELECT,
        help_text="Needed when there is more than one type",
    )
    ocg_linked = forms.BooleanField(required=False, label=FIELD_LABELS["ocg_linked"])
    oic_related = forms.BooleanField(required=False, label=FIELD_LABELS["oic_related"])
    officer_in_charge = forms.CharField(
        required=False, max_length=128, label=FIELD_LABELS["officer_in_charge"], widget=TEXT
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = _exploitation_choices()
        self.fields["exploitation_types"].choices = choices  # type: ignore[attr-defined]
        self.fields["primary_exploitation"].choices = BLANK + choices  # type: ignore[attr-defined]


class CloseForm(forms.Form):
    closed_on = forms.DateField(label=FIELD_LABELS["closed_on"], widget=DATE)
    outcome = forms.ChoiceField(
        choices=BLANK + list(Outcome.choices), label=FIELD_LABELS["outcome"], widget=SELECT
    )


class ReviewForm(forms.Form):
    note = forms.CharField(
        max_length=2000,
        label="Why is it still live?",
        help_text="For example the enquiries still open or the next step planned",
        widget=AREA,
    )


class PersonForm(forms.Form):
    category = forms.ChoiceField(
        choices=Category.choices, label=FIELD_LABELS["category"], widget=forms.RadioSelect
    )
    age_group = forms.ChoiceField(label=FIELD_LABELS["age_group"], widget=SELECT)
    gender = forms.ChoiceField(
        choices=Gender.choices, label=FIELD_LABELS["gender"], widget=SELECT, initial="unknown"
    )
    nationality = forms.CharField(
        required=False,
        max_length=80,
        label=FIELD_LABELS["nationality"],
        help_text="A country name or its ISO code (for example Albania, AL or ALB)",
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-20"}),
    )
    is_assessment = forms.BooleanField(
        required=False,
        label="This is the officer's assessment, not a verified fact (for example an estimated age)",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["age_group"].choices = _age_choices()  # type: ignore[attr-defined]
        self.fields["age_group"].initial = "unknown"


# What can be recorded for a person, by category (the s.38 category decides).
EVENTS: dict[str, tuple[tuple[str, str], ...]] = {
    Category.VICTIM: (
        ("nrm", "NRM referral"),
        ("rg", "Reasonable grounds decision"),
        ("cg", "Conclusive grounds decision"),
        ("dtn", "Duty to Notify report (an adult who does not consent to a referral)"),
    ),
    Category.SUSPECT: (("arrest", "Arrest"), ("charge", "Charge")),
}
# Rule problems about these record fields belong on the event form's fields.
EVENT_ALIASES = {
    "nrm_referred_on": "date",
    "rg_decided_on": "date",
    "cg_decided_on": "date",
    "dtn_reported_on": "date",
    "arrested_on": "date",
    "charged_on": "date",
    "rg_decision": "decision",
    "cg_decision": "decision",
    "nrm_referred_by_police": "by_police",
}


class EventForm(forms.Form):
    event = forms.ChoiceField(label="What happened?", widget=forms.RadioSelect)
    date = forms.DateField(label="Date", widget=DATE)
    decision = forms.ChoiceField(
        required=False,
        choices=BLANK + list(Decision.choices),
        label="Decision (reasonable or conclusive grounds)",
        widget=SELECT,
    )
    by_police = forms.BooleanField(
        required=False, initial=True, label="Referred by police (an NRM referral)"
    )

    def __init__(self, *args: Any, category: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["event"].choices = EVENTS.get(category, ())  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("event") in ("rg", "cg") and not data.get("decision"):
            self.add_error("decision", "Choose the decision: positive or negative")
        return data


class RegisterFilterForm(forms.Form):
    force = forms.ChoiceField(required=False, label="Force", widget=SELECT)
    status = forms.ChoiceField(
        required=False,
        choices=[("", "Any status"), *Status.choices],
        label="Status",
        widget=SELECT,
    )
    exploitation = forms.ChoiceField(
        required=False, label="Primary exploitation type", widget=SELECT
    )
    not_reviewed_days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=3650,
        label="Not reviewed for more than (days)",
        widget=forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-4"}),
    )

    def __init__(self, *args: Any, forces: Iterable[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        force_choices = list(forces)
        self.fields["force"].choices = (  # type: ignore[attr-defined]
            force_choices if len(force_choices) == 1 else [("", "All forces"), *force_choices]
        )
        self.fields["exploitation"].choices = [  # type: ignore[attr-defined]
            ("", "Any type"),
            *_exploitation_choices(),
        ]


class ExportForm(forms.Form):
    format = forms.ChoiceField(choices=[("csv", "CSV"), ("xlsx", "XLSX")])
    purpose = forms.CharField(
        max_length=300,
        error_messages={"required": "Say why you are downloading the register"},
    )
    recipient = forms.CharField(
        max_length=200,
        error_messages={
            "required": "Say who the download is for (yourself, or the organisation and person)"
        },
    )


MAX_FILES = 4


class RegisterImportForm(forms.Form):
    register_files = MultipleFileField(
        label="Register files",
        help_text="The .xlsx template (Investigations and People sheets), or one CSV file of "
        "investigations and one of people.",
    )
    dry_run = forms.BooleanField(
        required=False, label="Check only (dry run): report problems but store nothing"
    )

    def clean_register_files(self) -> list[Any]:
        files: list[Any] = self.cleaned_data["register_files"]
        if len(files) > MAX_FILES:
            raise forms.ValidationError(f"Upload at most {MAX_FILES} files at a time")
        big = [f.name for f in files if _too_big(f)]
        if big:
            raise forms.ValidationError(
                f"{', '.join(big)}: over the limit of {settings.MSOIC_MAX_UPLOAD_BYTES:,} bytes; "
                "split it into smaller files"
            )
        return files
