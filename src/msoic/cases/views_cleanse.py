"""Pages for the data cleanse and the PNC vulnerability marker worklist.

Thin views: scope through :mod:`msoic.accounts.access`, changes through the actions in
:mod:`msoic.cases.cleanse` and :mod:`msoic.cases.marker`. Lists show crime references and
pseudonymous person references only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from msoic.accounts.models import User
from msoic.cases import access, consultation
from msoic.cases import cleanse as cleansing
from msoic.cases import marker as markers
from msoic.cases.consultation import Subjects
from msoic.cases.forms_cleanse import (
    CloseForm,
    ConfirmForm,
    DisclosureForm,
    MarkerForm,
    OpenCleanseForm,
    UpdateForm,
)
from msoic.cases.models import Person, Resolution
from msoic.orgunits.models import OrgUnit
from msoic.web.exports import csv_response, xlsx_response

PAGE_SIZE = 50


class AuthenticatedRequest(HttpRequest):
    user: User


def _require_register(user: User) -> None:
    if not access.can_see_register(user):
        raise PermissionDenied("The register is for forces, coordinators and the unit")


def _attempt(request: HttpRequest, change: Callable[[], Any], done: str) -> bool:
    try:
        change()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return False
    messages.success(request, done)
    return True


def _pick_force(request: AuthenticatedRequest) -> OrgUnit | None:
    """The force whose list to show: a force user's own; others choose with ?force=
    among the forces they may read (403 for any other)."""
    readable = access.register_forces_readable(request.user)
    if request.user.orgunit_id and readable.filter(pk=request.user.orgunit_id).exists():
        return readable.get(pk=request.user.orgunit_id)
    code = request.GET.get("force", "")
    if not code:
        return None
    force = readable.filter(code=code).first()
    if force is None:
        raise PermissionDenied("That force's list is not yours to see")
    return force


# --- cleanses ---------------------------------------------------------------------------


@login_required
@require_GET
def cleanse_list(request: AuthenticatedRequest) -> HttpResponse:
    _require_register(request.user)
    forces = access.register_forces_readable(request.user)
    today = timezone.localdate()
    rows = []
    for c in access.cleanses_visible_to(request.user):
        rows.append((c, cleansing.progress(c, forces, today).total))
    return render(
        request,
        "cases/cleanse_list.html",
        {"rows": rows, "can_open": access.can_open_cleanse(request.user), "today": today},
    )


@login_required
@require_http_methods(["GET", "POST"])
def cleanse_new(request: AuthenticatedRequest) -> HttpResponse:
    if not access.can_open_cleanse(request.user):
        raise PermissionDenied("Only the unit opens a data cleanse")
    form = OpenCleanseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            opened = cleansing.do_open_cleanse(
                title=data["title"],
                criteria={k: data[k] for k in ("stale_days", "missing_exploitation", "nrm_days")},
                deadline=data["deadline"],
                actor=request.user,
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request, f"Cleanse opened: {opened.items.count()} cases on forces' worklists"
            )
            return redirect("cleanse-detail", pk=opened.pk)
    return render(request, "cases/cleanse_form.html", {"form": form})


@login_required
@require_GET
def cleanse_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _require_register(request.user)
    item = access.get_cleanse_for_user(request.user, pk)
    forces = access.register_forces_readable(request.user)
    result = cleansing.progress(item, forces)
    own = None
    unit = request.user.orgunit
    if unit is not None and forces.filter(pk=unit.pk).exists():
        own = next((r for r in result.forces if r.code == unit.code), None)
    return render(
        request,
        "cases/cleanse_detail.html",
        {
            "cleanse": item,
            "criteria": cleansing.Criteria.from_dict(item.criteria).describe(),
            "result": result,
            "own": own,
            "overdue": item.is_overdue(timezone.localdate()),
            "single_force": forces.count() == 1,
        },
    )


@login_required
@require_GET
def cleanse_progress_download(request: AuthenticatedRequest, pk: int, fmt: str) -> HttpResponse:
    _require_register(request.user)
    item = access.get_cleanse_for_user(request.user, pk)
    result = cleansing.progress(item, access.register_forces_readable(request.user))
    rows = cleansing.progress_rows(result)
    name = f"cleanse-{item.pk}-progress"
    if fmt == "xlsx":
        notes = [item.title, f"Opened {item.opened_on:%d %B %Y}, deadline {item.deadline:%d %B %Y}"]
        return xlsx_response(f"{name}.xlsx", "Progress", cleansing.PROGRESS_HEADER, rows, notes)
    return csv_response(f"{name}.csv", cleansing.PROGRESS_HEADER, rows)


@login_required
@require_GET
def cleanse_worklist(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _require_register(request.user)
    item = access.get_cleanse_for_user(request.user, pk)
    force = _pick_force(request)
    if force is None:
        return redirect("cleanse-detail", pk=item.pk)
    show = request.GET.get("show", "outstanding")
    items = (
        access.cleanse_items_visible_to(request.user)
        .filter(cleanse=item, force=force)
        .select_related("investigation")
        .order_by("investigation__crime_reference")
    )
    if show == "outstanding":
        items = items.filter(resolution="")
    elif show != "all":
        show = "outstanding"
        items = items.filter(resolution="")
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    criteria = cleansing.Criteria.from_dict(item.criteria)
    rows = [(i, [cleansing.reason_label(r, criteria) for r in i.reasons]) for i in page.object_list]
    consultation.do_record_consultation(
        actor=request.user,
        step="cases.view_cleanse_worklist",
        subjects=Subjects.from_refs(
            investigations=[(force.code, i.investigation.crime_reference) for i, _ in rows]
        ),
        object_type="cases.investigation",
    )
    return render(
        request,
        "cases/cleanse_worklist.html",
        {
            "cleanse": item,
            "force": force,
            "page": page,
            "rows": rows,
            "show": show,
            "can_work": access.register_forces_writable(request.user).filter(pk=force.pk).exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def cleanse_item(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _require_register(request.user)
    item = access.get_cleanse_item_for_user(request.user, pk)
    can_work = access.can_work_cleanse_item(request.user, item) and not item.resolution
    inv = item.investigation
    confirm = ConfirmForm(prefix="confirm")
    update = UpdateForm(
        prefix="update",
        initial={
            "primary_exploitation": inv.primary_exploitation,
            "officer_in_charge": inv.officer_in_charge,
        },
    )
    close = CloseForm(prefix="close", initial={"closed_on": timezone.localdate()})
    if request.method == "POST":
        if not can_work:
            raise PermissionDenied("Only the force's own users work its cleanse worklist")
        step = request.POST.get("step")
        done = False
        if step == "confirm":
            confirm = ConfirmForm(request.POST, prefix="confirm")
            if confirm.is_valid():
                done = _attempt(
                    request,
                    lambda: cleansing.do_confirm_cleanse_item(
                        item, actor=request.user, note=confirm.cleaned_data["note"]
                    ),
                    f"{inv.crime_reference} confirmed as still live",
                )
        elif step == "update":
            update = UpdateForm(request.POST, prefix="update")
            if update.is_valid():
                data = update.cleaned_data
                changes = {
                    k: data[k]
                    for k in ("primary_exploitation", "officer_in_charge")
                    if data[k] != getattr(inv, k)
                }
                if changes.get("primary_exploitation"):
                    types = [t for t in inv.exploitation_types if t]
                    if changes["primary_exploitation"] not in types:
                        types.append(changes["primary_exploitation"])
                    changes["exploitation_types"] = types
                done = _attempt(
                    request,
                    lambda: cleansing.do_update_cleanse_item(
                        item, actor=request.user, note=data["note"], **changes
                    ),
                    f"{inv.crime_reference} updated",
                )
        elif step == "close":
            close = CloseForm(request.POST, prefix="close")
            if close.is_valid():
                data = close.cleaned_data
                done = _attempt(
                    request,
                    lambda: cleansing.do_close_cleanse_item(
                        item,
                        actor=request.user,
                        closed_on=data["closed_on"],
                        outcome=data["outcome"],
                        note=data["note"],
                    ),
                    f"{inv.crime_reference} closed",
                )
        if done:
            url = reverse("cleanse-worklist", args=[item.cleanse_id])
            return redirect(f"{url}?force={item.force.code}")
    criteria = cleansing.Criteria.from_dict(item.cleanse.criteria)
    # The page opens the case record; the row names it and the people on it.
    owner = item.force.code
    consultation.do_record_consultation(
        actor=request.user,
        step="cases.view_cleanse_item",
        subjects=Subjects.from_refs(
            [
                (ref, owner)
                for ref in Person.objects.filter(investigation=inv).values_list(
                    "reference", flat=True
                )
            ],
            [(owner, inv.crime_reference)],
        ),
        obj=inv,
    )
    return render(
        request,
        "cases/cleanse_item.html",
        {
            "item": item,
            "inv": inv,
            "reasons": [cleansing.reason_label(r, criteria) for r in item.reasons],
            "can_work": can_work,
            "confirm": confirm,
            "update": update,
            "close": close,
            "resolutions": Resolution,
        },
    )


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
            .select_related("investigation")
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
            subjects=Subjects.from_refs(
                [(p.reference, force.code) for p in shown],
                [(force.code, p.investigation.crime_reference) for p in shown],
            ),
        )
    return render(
        request,
        "cases/marker.html",
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
        "cases/marker_export.html",
        {"form": form, "force": force, "count": people.count()},
    )
