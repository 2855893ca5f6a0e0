"""Pages of anti-slavery partnerships: the list with coverage (forces in at least one
partnership), one partnership with its members and meetings, setting one up and recording a
meeting. Thin views: access through :mod:`msoic.partnerships.access`, changes through
:mod:`msoic.partnerships.actions`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max, Prefetch, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from msoic.accounts.models import User
from msoic.partnerships import access, actions
from msoic.partnerships.forms import DetailsForm, MeetingForm, MembersForm, PartnershipForm
from msoic.partnerships.models import Meeting, MeetingAttendance, Partnership


class AuthenticatedRequest(HttpRequest):
    user: User


def _require_reader(user: User) -> None:
    if not access.can_see_partnerships(user):
        raise PermissionDenied("Partnerships are for forces, coordinators and the unit")


def coverage_rows(user: User) -> list[dict[str, Any]]:
    """Each force the user reads, with the partnerships it belongs to today (two queries)."""
    today = timezone.localdate()
    forces = list(access.covered_forces_scope(user).select_related("parent").order_by("name"))
    through = Partnership.forces.through
    member_of: dict[int, list[str]] = {}
    for fid, name, started, ended in through.objects.filter(
        orgunit_id__in=[f.pk for f in forces]
    ).values_list(
        "orgunit_id", "partnership__name", "partnership__started_on", "partnership__ended_on"
    ):
        if started <= today and (ended is None or ended >= today):
            member_of.setdefault(fid, []).append(name)
    return [
        {
            "force": f,
            "region": f.parent.name if f.parent else "",
            "partnerships": sorted(member_of.get(f.pk, [])),
        }
        for f in forces
    ]


@login_required
@require_GET
def partnership_list(request: AuthenticatedRequest) -> HttpResponse:
    _require_reader(request.user)
    partnerships = (
        access.partnerships_visible_to(request.user)
        .select_related("area")
        .annotate(
            member_count=Count("forces", distinct=True),
            meeting_count=Count("meetings", distinct=True),
            last_met=Max("meetings__date"),
        )
        .order_by("name", "pk")
    )
    rows = coverage_rows(request.user)
    return render(
        request,
        "partnerships/list.html",
        {
            "partnerships": partnerships,
            "coverage": rows,
            "covered": sum(1 for r in rows if r["partnerships"]),
            "can_create": access.partnership_areas(request.user).exists(),
        },
    )


@login_required
@require_GET
def partnership_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    partnership = access.get_partnership_for_user(request.user, pk)
    meetings = (
        partnership.meetings.annotate(force_people=Sum("attendance__people"))
        .prefetch_related(
            Prefetch("attendance", queryset=MeetingAttendance.objects.select_related("force"))
        )
        .order_by("-date", "pk")
    )
    return render(
        request,
        "partnerships/detail.html",
        {
            "partnership": partnership,
            "forces": list(partnership.forces.order_by("name")),
            "former": list(
                partnership.memberships.filter(left_on__isnull=False)
                .select_related("force")
                .order_by("-left_on", "force__name")
            ),
            "organisations": list(partnership.organisations.all()),
            "meetings": list(meetings),
            "can_manage": access.can_manage_partnership(request.user, partnership),
            "can_change_members": access.can_change_members(request.user, partnership),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def partnership_new(request: AuthenticatedRequest) -> HttpResponse:
    areas = access.partnership_areas(request.user)
    if not areas.exists():
        raise PermissionDenied("Only the unit and regional coordinators set up partnerships")
    form = PartnershipForm(request.POST or None, areas=areas)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            partnership = actions.do_create_partnership(
                data["area"],
                actor=request.user,
                name=data["name"],
                cadence=data["cadence"],
                started_on=data["started_on"],
                forces=data["forces"],
                organisations=data["organisations"].splitlines(),
                coordinator=data["coordinator"],
            )
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(request, f"{partnership.name} recorded")
            return redirect("partnerships-partnership", partnership.pk)
    return render(request, "partnerships/partnership_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def members_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    partnership = access.get_partnership_for_user(request.user, pk)
    if not access.can_change_members(request.user, partnership):
        raise PermissionDenied(
            "Only the unit and the region's coordinators change a partnership's members"
        )
    current = {
        "forces": list(partnership.forces.values_list("code", flat=True)),
        "organisations": "\n".join(partnership.organisations.values_list("name", flat=True)),
        "on": timezone.localdate(),
    }
    form = MembersForm(request.POST or None, initial=current)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changed = actions.do_change_members(
                partnership,
                actor=request.user,
                forces=data["forces"],
                organisations=data["organisations"].splitlines(),
                on=data["on"],
            )
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            if changed:
                messages.success(request, f"Members of {partnership.name} changed")
            else:
                messages.info(request, "Nothing changed: those are already the members")
            return redirect("partnerships-partnership", partnership.pk)
    return render(
        request, "partnerships/members_form.html", {"form": form, "partnership": partnership}
    )


@login_required
@require_http_methods(["GET", "POST"])
def details_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    partnership = access.get_partnership_for_user(request.user, pk)
    if not access.can_change_members(request.user, partnership):
        raise PermissionDenied(
            "Only the unit and the region's coordinators change a partnership's details"
        )
    current = {
        "cadence": partnership.cadence,
        "coordinator": partnership.coordinator.username if partnership.coordinator else None,
        "ended_on": partnership.ended_on,
    }
    form = DetailsForm(request.POST or None, initial=current)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changed = actions.do_change_details(
                partnership,
                actor=request.user,
                cadence=data["cadence"],
                coordinator=data["coordinator"],
                ended_on=data["ended_on"],
            )
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            if changed:
                messages.success(request, f"Details of {partnership.name} changed")
            else:
                messages.info(request, "Nothing changed: those are already its details")
            return redirect("partnerships-partnership", partnership.pk)
    return render(
        request, "partnerships/details_form.html", {"form": form, "partnership": partnership}
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    partnership = access.get_partnership_for_user(request.user, pk)
    if not access.can_manage_partnership(request.user, partnership):
        raise PermissionDenied("Only the partnership's coordinators record its meetings")
    forces = list(partnership.forces.order_by("name"))
    form = MeetingForm(request.POST or None, forces=forces)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting: Meeting = actions.do_record_meeting(
                partnership,
                actor=request.user,
                on=data["on"],
                venue=data["venue"],
                partner_attendees=data["partner_attendees"] or 0,
                counts=form.counts(),
            )
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(request, f"Meeting on {meeting.date:%d %B %Y} recorded")
            return redirect("partnerships-partnership", partnership.pk)
    return render(
        request, "partnerships/meeting_form.html", {"form": form, "partnership": partnership}
    )
