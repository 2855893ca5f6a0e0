"""Pages for the PNC vulnerability marker worklist.

Thin views: scope through :mod:`msoic.accounts.access`, changes through the actions in
:mod:`msoic.cases.marker.actions`. Lists show crime references and
pseudonymous person references only.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from msoic.cases import access, consultation
from msoic.cases.common import AuthenticatedRequest
from msoic.cases.common import attempt as _attempt
from msoic.cases.common import pick_force as _pick_force
from msoic.cases.common import require_register as _require_register
from msoic.cases.consultation import Subjects
from msoic.cases.marker import actions as markers
from msoic.cases.marker.forms import DisclosureForm, MarkerForm
from msoic.cases.models import Person
from msoic.web.exports import csv_response, xlsx_response

PAGE_SIZE = 50


# --- PNC vulnerability marker --------------------------------------------------------------


@login_required
@require_GET
def marker_page(request: AuthenticatedRequest) -> HttpResponse:
    """A force's worklist; for coordinators and the unit, coverage by force first and a
    force's worklist on choosing it."""
    _require_register(request.user)
    forces = access.register_forces_readable(request.user)
    rows, total = markers.coverage(forces)
    force = _pick_force(request)
    show = request.GET.get("show", "outstanding")
    page = None
    if force is not None:
        people = (
            access.marker_people_visible_to(request.user)
            .filter(force=force)
            .select_related("investigation", "force")
            .order_by("marker_applied_on", "cg_decided_on", "reference")
        )
        if show != "all":
            show = "outstanding"
            people = people.filter(marker_applied_on__isnull=True)
        page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
        shown: list[Person] = list(page.object_list)
        consultation.do_record_consultation(
            actor=request.user,
            step="cases.view_marker_list",
            subjects=Subjects.of_people(shown),
        )
    return render(
        request,
        "cases/marker/worklist.html",
        {
            "coverage": rows,
            "total": total,
            "force": force,
            "page": page,
            "show": show,
            "can_record": force is not None
            and access.register_forces_writable(request.user).filter(pk=force.pk).exists(),
            "forces": forces.order_by("name") if forces.count() > 1 else [],
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def marker_record(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _require_register(request.user)
    person = access.get_person_for_user(request.user, pk)
    if not access.can_record_marker(request.user, person):
        raise PermissionDenied("Only the force's own users record its PNC markers")
    form = MarkerForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"{person.reference}: enter the date as YYYY-MM-DD")
    else:
        on = form.cleaned_data["on"]
        if form.cleaned_data["step"] == "requested":
            _attempt(
                request,
                lambda: markers.do_request_marker(person, actor=request.user, requested_on=on),
                f"{person.reference}: marker requested on {on:%d %B %Y}",
            )
        else:
            _attempt(
                request,
                lambda: markers.do_apply_marker(person, actor=request.user, applied_on=on),
                f"{person.reference}: marker applied on {on:%d %B %Y}",
            )
    return redirect(f"{reverse('marker')}?force={person.force.code}")


@login_required
@require_GET
def marker_coverage_download(request: AuthenticatedRequest, fmt: str) -> HttpResponse:
    _require_register(request.user)
    rows, total = markers.coverage(access.register_forces_readable(request.user))
    data = markers.coverage_rows(rows, total)
    if fmt == "xlsx":
        return xlsx_response("pnc-marker-coverage.xlsx", "Coverage", markers.COVERAGE_HEADER, data)
    return csv_response("pnc-marker-coverage.csv", markers.COVERAGE_HEADER, data)


@login_required
@require_http_methods(["GET", "POST"])
def marker_export(request: AuthenticatedRequest) -> HttpResponse:
    """The marker list as a file: asks who it is for, and audits the disclosure."""
    _require_register(request.user)
    force = _pick_force(request)
    people = access.marker_people_visible_to(request.user)
    if force is not None:
        people = people.filter(force=force)
    form = DisclosureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        rows = markers.do_disclose_marker_list(
            people,
            actor=request.user,
            recipient=data["recipient"],
            purpose=data["purpose"],
            fmt=data["fmt"],
        )
        name = f"pnc-marker-list-{force.code if force else 'all'}"
        if data["fmt"] == "xlsx":
            notes = [f"Disclosed to {data['recipient']}", "Pseudonymous references only"]
            return xlsx_response(f"{name}.xlsx", "Marker list", markers.EXPORT_HEADER, rows, notes)
        return csv_response(f"{name}.csv", markers.EXPORT_HEADER, rows)
    return render(
        request,
        "cases/marker/export.html",
        {"form": form, "force": force, "count": people.count()},
    )
