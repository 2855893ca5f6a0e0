"""Pages for the data cleanse.

Thin views: scope through :mod:`msoic.accounts.access`, changes through the actions in
:mod:`msoic.cases.cleanse.actions`. Lists show crime references and
pseudonymous person references only.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from msoic.cases import access, consultation
from msoic.cases.cleanse import actions as cleansing
from msoic.cases.cleanse.forms import CloseForm, ConfirmForm, OpenCleanseForm, UpdateForm
from msoic.cases.common import AuthenticatedRequest
from msoic.cases.common import attempt as _attempt
from msoic.cases.common import pick_force as _pick_force
from msoic.cases.common import require_register as _require_register
from msoic.cases.consultation import Subjects
from msoic.cases.models import Person, Resolution
from msoic.web.exports import csv_response, xlsx_response

PAGE_SIZE = 50


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
        "cases/cleanse/list.html",
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
    return render(request, "cases/cleanse/form.html", {"form": form})


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
        "cases/cleanse/detail.html",
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
        "cases/cleanse/worklist.html",
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
        "cases/cleanse/item.html",
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
