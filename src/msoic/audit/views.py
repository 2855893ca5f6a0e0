"""Browsing the audit log: national users only, newest first, filtered and paginated, with
an on-demand check of the hash chain (it reads every row, so it is not run on each view).
People, org units and objects are shown by name, with links where the viewer may follow
them, beside their raw reference (:mod:`msoic.audit.names`, batched per page)."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from typing import Any, cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from msoic.accounts.models import User
from msoic.audit import access as audit_access
from msoic.audit.log import verify_chain
from msoic.audit.models import AuditAction, AuditEvent
from msoic.audit.names import name_events
from msoic.orgunits.models import OrgUnit

PAGE_SIZE = 50


class AuthenticatedRequest(HttpRequest):
    """A request behind ``login_required``: its user is a real account (for the type checker)."""

    user: User


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label="Action", required=False)
    orgunit = forms.ChoiceField(label="Org unit", required=False)
    actor = forms.CharField(label="User", required=False, max_length=150)
    start = forms.DateField(label="From (YYYY-MM-DD)", required=False, input_formats=["%Y-%m-%d"])
    end = forms.DateField(label="To (YYYY-MM-DD)", required=False, input_formats=["%Y-%m-%d"])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["action"]).choices = [
            ("", "Any action"),
            *AuditAction.choices,
        ]
        units = (
            OrgUnit.objects.exclude(kind="national")
            .order_by("kind", "name")
            .values_list("code", "name")
        )
        cast(forms.ChoiceField, self.fields["orgunit"]).choices = [("", "Any org unit"), *units]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", "The end date must be on or after the start date")
        return data

    def apply(self, events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        data = self.cleaned_data
        if data.get("action"):
            events = events.filter(action=data["action"])
        if data.get("orgunit"):
            events = events.filter(orgunit_code=data["orgunit"])
        if data.get("actor"):
            events = events.filter(actor_label__iexact=data["actor"].strip())
        tz = timezone.get_current_timezone()
        if data.get("start"):
            events = events.filter(at__gte=datetime.combine(data["start"], time.min, tzinfo=tz))
        if data.get("end"):
            events = events.filter(
                at__lt=datetime.combine(data["end"] + timedelta(days=1), time.min, tzinfo=tz)
            )
        return events


def _detail_items(detail: Any, limit: int = 200) -> list[tuple[str, str]]:
    """A row's detail as short ``key: value`` pairs for the table."""
    if not isinstance(detail, dict):
        return [("", str(detail)[:limit])] if detail else []
    items = []
    for key, value in sorted(detail.items()):
        text = (
            value
            if isinstance(value, str)
            else json.dumps(value, sort_keys=True, ensure_ascii=False)
        )
        items.append((str(key), text if len(text) <= limit else text[: limit - 1] + "…"))
    return items


@login_required
@require_GET
def audit_log(request: AuthenticatedRequest) -> HttpResponse:
    if not audit_access.can_browse_audit(request.user):
        raise PermissionDenied("The audit log is for the national team")
    form = AuditFilterForm(request.GET or None)
    events = AuditEvent.objects.order_by("-seq")
    if form.is_bound and form.is_valid():
        events = form.apply(events)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("verify", None)
    verification = verify_chain() if request.GET.get("verify") else None
    rows = [
        {
            "event": n.event,
            "actor": n.actor,
            "obj": n.obj,
            "orgunit": n.orgunit,
            "detail": _detail_items(n.event.detail),
        }
        for n in name_events(request.user, list(page.object_list))
    ]
    return render(
        request,
        "audit/log.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "verification": verification,
            "page_range": page.paginator.get_elided_page_range(
                page.number, on_each_side=2, on_ends=1
            ),
        },
    )
