"""Input at the web boundary of referrals and SPOCs. The forms parse; the actions check
(so the web, the demo and the tests meet the same rules) and their errors are put back on
the forms' fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from msoic.orgunits.models import OrgUnit
from msoic.referrals.models import LocalAuthority, Outcome, Theme
from msoic.referrals.pathway import pathway

DATE = forms.DateInput(
    format="%Y-%m-%d", attrs={"type": "date", "class": "govuk-input govuk-input--width-10"}
)
TEXT = forms.TextInput(attrs={"class": "govuk-input"})
SHORT = forms.TextInput(attrs={"class": "govuk-input govuk-input--width-20"})
AREA = forms.Textarea(attrs={"class": "govuk-textarea", "rows": 6})
SELECT = forms.Select(attrs={"class": "govuk-select"})


def put_errors(form: forms.Form, exc: ValidationError) -> None:
    """An action's errors on the form's fields (or above the form)."""
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, " ".join(messages))
    else:
        form.add_error(None, " ".join(exc.messages))


class ReferralForm(forms.Form):
    clinician = forms.CharField(max_length=120, widget=TEXT, label="Referring clinician")
    hospital = forms.CharField(max_length=200, widget=TEXT, label="Hospital")
    concern_on = forms.DateField(widget=DATE, label="Date of the concern")
    indicators = forms.MultipleChoiceField(
        choices=(),
        required=False,  # the action says "tick at least one" with the other problems
        widget=forms.CheckboxSelectMultiple(attrs={"class": "govuk-checkboxes__input"}),
        label="Indicators observed",
    )
    narrative = forms.CharField(
        widget=AREA,
        label="What was observed",
        help_text="No names: refer to the donor and the recipient by their references.",
    )
    donor_ref = forms.CharField(
        max_length=40, required=False, widget=SHORT, label="Donor's reference (not a name)"
    )
    recipient_ref = forms.CharField(
        max_length=40, required=False, widget=SHORT, label="Recipient's reference (not a name)"
    )
    # Plain text fields with a list to choose from: an unknown code reaches the action, which
    # names it, instead of the generic "select a valid choice".
    local_authority = forms.CharField(
        required=False, widget=SELECT, label="Local authority of the place of concern"
    )
    force = forms.CharField(
        required=False, widget=SELECT, label="Force, when the local authority is not known"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicators"].choices = list(pathway().indicators)  # type: ignore[attr-defined]
        self.fields["local_authority"].widget.choices = [("", "Not known")] + [
            (la.code, la.name)
            for la in LocalAuthority.objects.filter(retired=False).order_by("name")
        ]
        self.fields["force"].widget.choices = [("", "(the local authority's force)")] + [
            (f.code, f.name) for f in OrgUnit.objects.forces().order_by("name")
        ]


class AssignForm(forms.Form):
    assignee: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None,
        widget=SELECT,
        label="Investigator",
        to_field_name="username",
        empty_label="Choose an investigator",
    )

    def __init__(self, *args: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = users  # type: ignore[attr-defined]


class RerouteForm(forms.Form):
    force: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=OrgUnit.objects.forces().order_by("name"),
        widget=SELECT,
        to_field_name="code",
        label="Send it to",
        empty_label="Choose a force",
    )
    reason = forms.CharField(max_length=500, widget=TEXT, label="Why")


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=Outcome.choices,
        widget=forms.RadioSelect(attrs={"class": "govuk-radios__input"}),
        label="Outcome",
    )
    reference = forms.CharField(
        max_length=60,
        required=False,
        widget=SHORT,
        label="Crime reference or investigation reference",
    )
    note = forms.CharField(required=False, widget=AREA, label="Note (why no crime, or context)")


class SpocForm(forms.Form):
    force: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, widget=SELECT, to_field_name="code", label="Force"
    )
    theme = forms.ChoiceField(choices=Theme.choices, widget=SELECT, label="Theme")
    name = forms.CharField(max_length=120, widget=TEXT, label="Name")
    role = forms.CharField(max_length=120, required=False, widget=TEXT, label="Rank or role")
    email = forms.EmailField(max_length=200, required=False, widget=TEXT, label="Work email")
    phone = forms.CharField(max_length=40, required=False, widget=SHORT, label="Work phone")
    starts_on = forms.DateField(widget=DATE, label="In post from")
    ends_on = forms.DateField(widget=DATE, required=False, label="In post until (optional)")

    def __init__(self, *args: Any, forces: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["force"].queryset = forces.order_by("name")  # type: ignore[attr-defined]


class SpocChangeForm(forms.Form):
    name = forms.CharField(max_length=120, widget=TEXT, label="Name")
    role = forms.CharField(max_length=120, required=False, widget=TEXT, label="Rank or role")
    email = forms.EmailField(max_length=200, required=False, widget=TEXT, label="Work email")
    phone = forms.CharField(max_length=40, required=False, widget=SHORT, label="Work phone")
    starts_on = forms.DateField(widget=DATE, label="In post from")
    ends_on = forms.DateField(widget=DATE, required=False, label="In post until (optional)")
