"""Input at the web boundary of benchmarking. Grades themselves are checked by the actions
(against the framework's scale), so a grade is judged the same however it arrives."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict

from msoic.assurance.actions import GradeEntry
from msoic.assurance.models import DeliveryStatus, FrameworkVersion, InterventionStatus, Standard
from msoic.orgunits.models import OrgUnit

MAX_TEXT = 10_000


class CampaignForm(forms.Form):
    name = forms.CharField(max_length=120, label="Campaign name")
    framework_version = forms.ModelChoiceField(
        queryset=FrameworkVersion.objects.all(), label="Framework version", empty_label=None
    )
    deadline = forms.DateField(label="Deadline", help_text="For example, 2024-03-31")
    forces = forms.ModelMultipleChoiceField(
        queryset=OrgUnit.objects.forces().order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        label="Forces taking part",
    )
    start_from_previous = forms.BooleanField(
        required=False, initial=True, label="Start each force from its previous assessment"
    )


class ChallengeForm(forms.Form):
    standard = forms.IntegerField(widget=forms.HiddenInput)
    agreed_grade = forms.CharField(max_length=20, label="Agreed grade")
    reason = forms.CharField(widget=forms.Textarea, max_length=MAX_TEXT, label="Reason")


def grade_entries(data: QueryDict, standards: list[Standard]) -> dict[int, GradeEntry]:
    """Read each standard's grade, evidence and planned actions from a posted form."""
    entries = {}
    for s in standards:
        entries[s.pk] = GradeEntry(
            grade=data.get(f"grade-{s.pk}", "").strip(),
            evidence=data.get(f"evidence-{s.pk}", "")[:MAX_TEXT],
            planned_actions=data.get(f"actions-{s.pk}", "")[:MAX_TEXT],
        )
    return entries


def grade_choices(version: FrameworkVersion) -> list[dict[str, Any]]:
    return [{"code": g["code"], "label": g["label"]} for g in version.grades]


class InterventionForm(forms.Form):
    status = forms.ChoiceField(choices=InterventionStatus.choices, label="Status")
    plan = forms.CharField(widget=forms.Textarea, required=False, max_length=MAX_TEXT)
    lead = forms.CharField(required=False, max_length=120, label="Lead")
    due = forms.DateField(required=False, label="Due date", help_text="For example, 2024-09-30")


class DeliveryForm(forms.Form):
    delivery = forms.ChoiceField(choices=DeliveryStatus.choices)
    delivered_on = forms.DateField(required=False)
