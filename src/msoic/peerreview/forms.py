"""Input at the web boundary of peer reviews."""

from __future__ import annotations

from typing import Any

from django import forms

from msoic.accounts.models import Role, User
from msoic.orgunits.models import OrgUnit
from msoic.peerreview.models import Priority, RecStatus, Stage, Theme, themes_in_use

# ISO dates: a type="date" input only accepts YYYY-MM-DD as its value.
DATE = forms.DateInput(
    format="%Y-%m-%d", attrs={"type": "date", "class": "govuk-input govuk-input--width-10"}
)
TEXT = forms.TextInput(attrs={"class": "govuk-input"})
AREA = forms.Textarea(attrs={"class": "govuk-textarea", "rows": 3})
SELECT = forms.Select(attrs={"class": "govuk-select"})
UNPUBLISHED_STAGES = [(s.value, s.label) for s in Stage if s != Stage.PUBLISHED]


class ReviewForm(forms.Form):
    stage = forms.ChoiceField(choices=UNPUBLISHED_STAGES, widget=SELECT)
    fieldwork_start = forms.DateField(required=False, widget=DATE)
    fieldwork_end = forms.DateField(required=False, widget=DATE)
    report_due = forms.DateField(required=False, widget=DATE)
    team = forms.ModelMultipleChoiceField(
        queryset=User.objects.filter(role=Role.NATIONAL, is_active=True).order_by("username"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    team_names = forms.CharField(required=False, widget=AREA, label="Other reviewers")
    summary = forms.CharField(required=False, widget=AREA)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("fieldwork_start"), data.get("fieldwork_end")
        if start and end and end < start:
            self.add_error("fieldwork_end", "Fieldwork cannot end before it starts")
        return data


class ScheduleForm(ReviewForm):
    force = forms.ModelChoiceField(
        queryset=OrgUnit.objects.forces().order_by("name"), widget=SELECT, to_field_name="code"
    )

    field_order = ["force"]


def theme_choices() -> list[tuple[str, str]]:
    """The themes offered for new findings (read when a form is made: they are data)."""
    return list(themes_in_use().values_list("code", "label"))


def all_theme_choices() -> list[tuple[str, str]]:
    """Every theme, retired ones too (a search of earlier findings)."""
    return list(Theme.objects.values_list("code", "label"))


class ThemedForm(forms.Form):
    """A form with a ``theme`` field offering the themes in use, read once per form (or
    given: ``themes``, read once for several forms on a page)."""

    theme = forms.ChoiceField(widget=SELECT)

    def __init__(
        self,
        *args: Any,
        themes: list[tuple[str, str]] | None = None,
        keep_theme: Theme | None = None,
        **kwargs: Any,
    ) -> None:
        """``keep_theme``: a finding's own theme, offered though it has been retired."""
        super().__init__(*args, **kwargs)
        choices = list(themes) if themes is not None else theme_choices()
        if keep_theme is not None and keep_theme.code not in dict(choices):
            choices.append((keep_theme.code, keep_theme.label))
        field = self.fields["theme"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


class RecommendationForm(ThemedForm):
    priority = forms.ChoiceField(choices=Priority.choices, widget=SELECT, initial=Priority.MEDIUM)
    text = forms.CharField(widget=AREA, max_length=4000)


class GoodPracticeForm(ThemedForm):
    title = forms.CharField(max_length=200, widget=TEXT)
    text = forms.CharField(widget=AREA, max_length=4000, label="Description")


class PlanForm(forms.Form):
    owner = forms.CharField(max_length=200, required=False, widget=TEXT)
    due_date = forms.DateField(required=False, widget=DATE)


class ProgressForm(forms.Form):
    status = forms.ChoiceField(choices=RecStatus.choices, widget=SELECT)
    on = forms.DateField(widget=DATE, label="Date")
    note = forms.CharField(required=False, widget=AREA, max_length=4000)
    evidence = forms.CharField(required=False, widget=AREA, max_length=4000)
    reason = forms.CharField(
        required=False, widget=AREA, max_length=4000, label="Reason (if not accepted)"
    )


class TaskGroupForm(forms.Form):
    chair = forms.CharField(max_length=200, widget=TEXT)
    members = forms.CharField(required=False, widget=AREA, label="Members (one a line)")


class PublishGoodPracticeForm(forms.Form):
    show_source = forms.BooleanField(required=False, label="Name the force it came from")


class LibraryFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search", widget=TEXT)
    theme = forms.ChoiceField(required=False, widget=SELECT)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["theme"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "All themes"), *all_theme_choices()]


class ThemeForm(forms.Form):
    """A peer review theme: its name, place on pages and the days it is in use between."""

    label = forms.CharField(max_length=200, widget=TEXT, label="Name")
    position = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=999,
        label="Order on pages",
        widget=forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-3"}),
    )
    introduced_on = forms.DateField(
        required=False, widget=DATE, label="In use from (empty: from the programme's start)"
    )
    retired_on = forms.DateField(
        required=False, widget=DATE, label="Retired on (empty: still in use)"
    )


class NewThemeForm(ThemeForm):
    code = forms.SlugField(
        max_length=16, widget=TEXT, label="Code (letters, digits, '-' or '_'; never changes)"
    )

    field_order = ["code"]
