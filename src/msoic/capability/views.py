"""Pages of training and events: the list, one event with its sessions and counts, creating
an event, adding a session and importing a session's registration list. Thin views: access
through :mod:`msoic.capability.access`, changes through :mod:`msoic.capability.actions`.
Pages show counts only, never anything about one attendee."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max, Min, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from msoic.accounts.models import User
from msoic.capability import access, actions
from msoic.capability.forms import AttendanceImportForm, EventForm, SessionForm
from msoic.capability.models import Attendance, AttendeeRole, Event, Survey


class AuthenticatedRequest(HttpRequest):
    user: User


def _require_reader(user: User) -> None:
    if not access.can_see_training(user):
        raise PermissionDenied("Training records are for forces, coordinators and the unit")


def _counted(user: User, prefix: str) -> Q:
    """The attendance rows the user may count, as a filter on ``prefix`` (a relation path to
    Attendance, or "" for Attendance itself)."""
    forces = access.counted_forces(user)
    if forces is None:
        return Q()
    return Q(**{f"{prefix}orgunit__in": forces})


@login_required
@require_GET
def event_list(request: AuthenticatedRequest) -> HttpResponse:
    _require_reader(request.user)
    counted = _counted(request.user, "sessions__attendances__")
    events = (
        access.events_visible_to(request.user)
        .select_related("owner")
        .annotate(
            first_on=Min("sessions__date"),
            last_on=Max("sessions__date"),
            session_count=Count("sessions", distinct=True),
            attendance_count=Count("sessions__attendances", filter=counted, distinct=True),
            people_count=Count(
                "sessions__attendances__attendee_key", filter=counted, distinct=True
            ),
        )
        .order_by("-first_on", "title", "pk")
    )
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "capability/list.html",
        {
            "page": page,
            "can_create": access.event_owners(request.user).exists(),
            "own_counts_only": access.scope_label(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def event_new(request: AuthenticatedRequest) -> HttpResponse:
    owners = access.event_owners(request.user)
    if not owners.exists():
        raise PermissionDenied("Only the unit and regional coordinators record events")
    form = EventForm(request.POST or None, owners=owners)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            event = actions.do_create_event(
                data["owner"],
                actor=request.user,
                kind=data["kind"],
                title=data["title"],
                code=data["code"],
            )
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(request, f"{event.title} recorded: now add its sessions")
            return redirect("capability-event", event.pk)
    return render(request, "capability/event_form.html", {"form": form})


def _role_table(user: User, event: Event) -> list[dict[str, Any]]:
    """Attendances at the event by force or partner and role (the user's forces only, unless
    they see everyone's)."""
    rows = (
        Attendance.objects.filter(_counted(user, ""), session__event=event)
        .values("orgunit__name", "role")
        .annotate(n=Count("pk"), people=Count("attendee_key", distinct=True))
        .order_by("orgunit__name", "role")
    )
    table: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = table.setdefault(
            row["orgunit__name"],
            {"name": row["orgunit__name"], "total": 0, **{r.value: 0 for r in AttendeeRole}},
        )
        entry[row["role"]] = row["n"]
        entry["total"] += row["n"]
    return list(table.values())


@login_required
@require_GET
def event_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    event = access.get_event_for_user(request.user, pk)
    counted = _counted(request.user, "attendances__")
    sessions = event.sessions.annotate(
        attendance_count=Count("attendances", filter=counted),
    ).order_by("date", "pk")
    people = (
        Attendance.objects.filter(_counted(request.user, ""), session__event=event)
        .values("attendee_key")
        .distinct()
        .count()
    )
    return render(
        request,
        "capability/detail.html",
        {
            "event": event,
            "sessions": list(sessions),
            "people": people,
            "by_orgunit": _role_table(request.user, event),
            "can_manage": access.can_manage_event(request.user, event),
            "own_counts_only": access.scope_label(request.user),
            "survey": Survey.objects.filter(event=event).first(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    event = access.get_event_for_user(request.user, pk)
    if not access.can_manage_event(request.user, event):
        raise PermissionDenied("Only the event's organisers add sessions")
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = actions.do_add_session(event, actor=request.user, **data)
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(request, f"Session on {session.date:%d %B %Y} added")
            return redirect("capability-event", event.pk)
    return render(request, "capability/session_form.html", {"form": form, "event": event})


@login_required
@require_http_methods(["GET", "POST"])
def attendance_import(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    session = access.get_session_for_user(request.user, pk)
    if not access.can_manage_event(request.user, session.event):
        raise PermissionDenied("Only the event's organisers record its attendance")
    form = AttendanceImportForm(request.POST or None, request.FILES or None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["attendance_file"]
        outcome = actions.do_import_attendance(
            session, upload.name, upload.read(), actor=request.user
        )
        if outcome.status == "accepted":
            messages.success(
                request,
                f"{upload.name}: {outcome.people} people on the list, {outcome.new} new "
                f"attendances recorded, {outcome.corrected} corrected, "
                f"{outcome.unchanged} already recorded",
            )
            return redirect("capability-event", session.event_id)
    return render(
        request,
        "capability/import.html",
        {"form": form, "session": session, "event": session.event, "outcome": outcome},
    )
