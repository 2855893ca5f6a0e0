"""Forms of the administrators' user pages (msoic.accounts.views_admin). They check the
shape of the input; whether a role and an org unit go together is the actions' rule
(:func:`msoic.accounts.actions.orgunit_for_role`), the same for the web and the command."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator

from msoic.accounts.models import Role
from msoic.orgunits.models import OrgUnit, OrgUnitKind

TEXT = forms.TextInput(attrs={"class": "govuk-input govuk-input--width-20", "spellcheck": "false"})
SELECT = forms.Select(attrs={"class": "govuk-select"})
REASON = forms.Textarea(attrs={"class": "govuk-textarea", "rows": 2})

# The org unit field's value for "no org unit" (administrators; national users may omit it).
NO_ORGUNIT = ""
KIND_GROUPS = (
    (OrgUnitKind.NATIONAL, "National"),
    (OrgUnitKind.REGION, "Regions"),
    (OrgUnitKind.FORCE, "Forces"),
    (OrgUnitKind.PARTNER, "Partners"),
)


ERROR_CLASSES = {
    "govuk-input": "govuk-input--error",
    "govuk-select": "govuk-select--error",
    "govuk-textarea": "govuk-textarea--error",
}


class GovukForm(forms.Form):
    """Widgets that point at their hint and error message (aria-describedby) and take the
    GOV.UK error style, as ``accounts/_field.html`` renders them."""

    def _describe(self) -> None:
        errors = getattr(self, "_errors", None) or {}  # self.errors would validate it now
        for name, field in self.fields.items():
            bound = self[name]
            ids = []
            if field.help_text:
                ids.append(f"{bound.auto_id}-hint")
            attrs = field.widget.attrs
            if name in errors:
                ids.append(f"{bound.auto_id}-error")
                base = attrs.get("class", "").split()
                extra = [ERROR_CLASSES[c] for c in base if c in ERROR_CLASSES]
                attrs["class"] = " ".join(dict.fromkeys(base + extra))
            if ids:
                attrs["aria-describedby"] = " ".join(ids)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._describe()

    def full_clean(self) -> None:
        super().full_clean()
        self._describe()

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        self._describe()


def orgunit_choices(empty_label: str) -> list[Any]:
    """Org units grouped by kind (one query), for a select with option groups."""
    by_kind: dict[str, list[tuple[str, str]]] = {}
    for code, name, kind in OrgUnit.objects.order_by("name").values_list("code", "name", "kind"):
        by_kind.setdefault(kind, []).append((code, name))
    return [(NO_ORGUNIT, empty_label)] + [
        (label, by_kind[kind]) for kind, label in KIND_GROUPS if by_kind.get(kind)
    ]


class RoleForm(GovukForm):
    role = forms.ChoiceField(
        label="Role",
        choices=Role.choices,
        widget=SELECT,
        error_messages={"required": "Choose a role"},
    )
    orgunit = forms.ChoiceField(
        label="Org unit",
        required=False,
        widget=SELECT,
        help_text="A force user needs a force, a regional coordinator a region, a partner a "
        "partner agency; national analysts belong to the national unit; administrators to none.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["orgunit"]).choices = orgunit_choices("No org unit")


class CreateUserForm(RoleForm):
    username = forms.CharField(
        label="Username",
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        widget=TEXT,
        help_text="Letters, digits and . _ @ + - only; used to log in.",
        error_messages={"required": "Enter a username"},
    )
    first_name = forms.CharField(
        label="First name",
        max_length=150,
        widget=TEXT,
        error_messages={"required": "Enter the first name"},
    )
    last_name = forms.CharField(
        label="Last name",
        max_length=150,
        widget=TEXT,
        error_messages={"required": "Enter the last name"},
    )
    email = forms.EmailField(
        label="Email address (optional)",
        required=False,
        widget=forms.EmailInput(
            attrs={"class": "govuk-input govuk-input--width-20", "spellcheck": "false"}
        ),
        error_messages={"invalid": "Enter an email address like name@example.police.uk"},
    )

    field_order = ["username", "first_name", "last_name", "email", "role", "orgunit"]


class ActiveForm(GovukForm):
    reason = forms.CharField(
        label="Reason (optional)", required=False, max_length=500, widget=REASON
    )


class ReasonForm(GovukForm):
    """A reason the audit log keeps (resetting a second factor, revoking a token)."""

    reason = forms.CharField(
        label="Reason",
        max_length=500,
        widget=REASON,
        error_messages={"required": "Say why: the audit log keeps the reason"},
    )


class UserFilterForm(GovukForm):
    q = forms.CharField(label="Name or username", required=False, max_length=150, widget=TEXT)
    role = forms.ChoiceField(label="Role", required=False, widget=SELECT)
    orgunit = forms.ChoiceField(label="Org unit", required=False, widget=SELECT)
    active = forms.ChoiceField(
        label="Status",
        required=False,
        widget=SELECT,
        choices=[("", "Any status"), ("yes", "Active"), ("no", "Deactivated")],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = [("", "Any role"), *Role.choices]
        cast(forms.ChoiceField, self.fields["orgunit"]).choices = orgunit_choices("Any org unit")
