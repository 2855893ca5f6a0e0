"""Consultation logging: opening a register record that holds personal data (an
investigation with its people, or one person) needs a justification, asked once per
record per session; each justification is a ``consultation`` row in the audit log.

The session keeps which records were justified (``SESSION_KEY``), so a page reload or a
form round trip does not ask again; logging out (a new session) does.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import transaction
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from msoic.audit.log import record
from msoic.audit.models import AuditAction
from msoic.cases.models import Investigation, Person

SESSION_KEY = "cases_consulted"
OTHER = "other"
# Why someone opens a record; "other" asks for the reason in words.
REASONS = (
    ("investigation", "Working on the investigation"),
    ("decision", "Recording an NRM decision, arrest or charge"),
    ("review", "Reviewing the case (data cleanse or supervision)"),
    ("safeguarding", "Safeguarding a potential victim"),
    ("quality", "Checking data quality for a return or the national picture"),
    (OTHER, "Another reason"),
)
REASON_LABELS = dict(REASONS)


def record_key(obj: Investigation | Person) -> str:
    return f"{obj._meta.model_name}:{obj.pk}"


def has_consulted(request: HttpRequest, obj: Investigation | Person) -> bool:
    return record_key(obj) in request.session.get(SESSION_KEY, [])


def justify_url(obj: Investigation | Person, next_url: str) -> str:
    name = (
        "cases-investigation-justify" if isinstance(obj, Investigation) else "cases-person-justify"
    )
    return f"{reverse(name, args=[obj.pk])}?{urlencode({'next': next_url})}"


def require_consultation(
    request: HttpRequest, obj: Investigation | Person
) -> HttpResponseRedirect | None:
    """None when the user has justified opening ``obj`` in this session, else a redirect to
    the page asking why (coming back here afterwards)."""
    if has_consulted(request, obj):
        return None
    return HttpResponseRedirect(justify_url(obj, request.get_full_path()))


def safe_next(request: HttpRequest, candidate: str, default: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


class JustificationForm(forms.Form):
    reason = forms.ChoiceField(
        choices=REASONS,
        widget=forms.RadioSelect,
        label="Why are you opening this record?",
        error_messages={"required": "Choose why you are opening this record"},
    )
    other = forms.CharField(
        required=False,
        max_length=300,
        label="Your reason",
        widget=forms.TextInput(attrs={"class": "govuk-input"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reason") == OTHER and not (data.get("other") or "").strip():
            self.add_error("other", "Enter your reason for opening this record")
        return data

    def justification(self) -> str:
        reason = self.cleaned_data["reason"]
        if reason == OTHER:
            return str(self.cleaned_data["other"]).strip()
        return REASON_LABELS[reason]


@transaction.atomic
def do_record_consultation(
    request: HttpRequest, obj: Investigation | Person, *, actor: Any, justification: str
) -> None:
    """A ``consultation`` row with the justification, and the record marked as justified
    for the rest of the session."""
    record(
        actor=actor,
        action=AuditAction.CONSULTATION,
        obj=obj,
        orgunit=obj.force.code,
        justification=justification,
        detail={"step": f"cases.consult_{obj._meta.model_name}"},
    )
    seen = list(request.session.get(SESSION_KEY, []))
    key = record_key(obj)
    if key not in seen:
        seen.append(key)
    request.session[SESSION_KEY] = seen
    request.session["cases_last_reason"] = justification
