"""Input at the web boundary of partnerships."""

from __future__ import annotations

from typing import Any

from django import forms

from msoic.accounts.models import Role, User
from msoic.orgunits.models import OrgUnit
from msoic.partnerships.models import Cadence

DATE = forms.DateInput(
    format="%Y-%m-%d", attrs={"type": "date", "class": "govuk-input govuk-input--width-10"}
)
TEXT = forms.TextInput(attrs={"class": "govuk-input"})
NUMBER = forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-4", "min": "0"})
SELECT = forms.Select(attrs={"class": "govuk-select"})


class PartnershipForm(forms.Form):
    name = forms.CharField(max_length=200, widget=TEXT, label="Name")
    area = forms.ModelChoiceField(
        queryset=OrgUnit.objects.none(), widget=SELECT, to_field_name="code", label="Serves"
    )
    cadence = forms.ChoiceField(choices=Cadence.choices, widget=SELECT, label="Meets")
    started_on = forms.DateField(widget=DATE, label="Started on")
    forces = forms.ModelMultipleChoiceField(
        queryset=OrgUnit.objects.forces().order_by("name"),
        to_field_name="code",
        widget=forms.SelectMultiple(attrs={"class": "govuk-select", "size": "10"}),
        label="Member forces",
    )
    organisations = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": "5"}),
        label="Partner organisations (one a line)",
    )
    coordinator = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=SELECT,
        to_field_name="username",
        label="Coordinator (optional)",
    )

    def __init__(self, *args: Any, areas: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas.order_by("kind", "name")  # type: ignore[attr-defined]
        self.fields["coordinator"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            is_active=True, role__in=[Role.NATIONAL, Role.REGIONAL, Role.FORCE]
        ).order_by("username")


class MeetingForm(forms.Form):
    on = forms.DateField(widget=DATE, label="Date")
    venue = forms.CharField(max_length=200, required=False, widget=TEXT, label="Venue or online")
    partner_attendees = forms.IntegerField(
        min_value=0, initial=0, widget=NUMBER, label="People from partner organisations"
    )

    def __init__(self, *args: Any, forces: list[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.forces = forces
        for force in forces:
            self.fields[f"force_{force.code}"] = forms.IntegerField(
                min_value=0, required=False, widget=NUMBER, label=f"People from {force.name}"
            )

    def counts(self) -> dict[OrgUnit, int]:
        return {f: self.cleaned_data.get(f"force_{f.code}") or 0 for f in self.forces}


class MembersForm(forms.Form):
    """The partnership's members as they should be (the current ones to start with), from
    a day on (today to start with)."""

    forces = forms.ModelMultipleChoiceField(
        queryset=OrgUnit.objects.forces().order_by("name"),
        to_field_name="code",
        widget=forms.SelectMultiple(attrs={"class": "govuk-select", "size": "12"}),
        label="Member forces",
        help_text="Hold Ctrl (or Cmd) to choose more than one.",
        error_messages={"required": "Choose at least one member force"},
    )
    organisations = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": "6"}),
        label="Partner organisations (one a line)",
    )
    on = forms.DateField(
        widget=DATE,
        label="From (forces added join on this day; forces removed leave the day before)",
        error_messages={"required": "Give the day the change takes effect"},
    )


class DetailsForm(forms.Form):
    """How often the partnership meets, who coordinates it, and when it ended."""

    cadence = forms.ChoiceField(choices=Cadence.choices, widget=SELECT, label="Meets")
    coordinator = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=SELECT,
        to_field_name="username",
        label="Coordinator (optional)",
    )
    ended_on = forms.DateField(
        required=False,
        widget=DATE,
        label="Ended on (leave empty while it goes on)",
        help_text="Forces count as covered by this partnership up to and including this day.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["coordinator"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            is_active=True, role__in=[Role.NATIONAL, Role.REGIONAL, Role.FORCE]
        ).order_by("username")
