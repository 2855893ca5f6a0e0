"""Pages of the referral pathway and the SPOC network. Thin views: access through
:mod:`msoic.referrals.access`, changes through :mod:`msoic.referrals.actions`, a
consultation row for every page that shows a person's details."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from msoic.accounts.models import Role, User
from msoic.referrals import access, actions
from msoic.referrals.consultation import record_referral_consultation, record_spoc_consultation
from msoic.referrals.forms import (
    AssignForm,
    OutcomeForm,
    ReferralForm,
    RerouteForm,
    SpocChangeForm,
    SpocForm,
    put_errors,
)
from msoic.referrals.models import Referral, Spoc, Status, Theme
from msoic.referrals.pathway import pathway
from msoic.referrals.routing import coverage


class AuthenticatedRequest(HttpRequest):
    user: User


# Filters of the referral list: (code, label, filter).
REFERRAL_FILTERS = {
    "open": ("Open", ~Q(status=Status.CLOSED)),
    "escalated": (
        "Escalated, awaiting acknowledgement",
        Q(status=Status.SUBMITTED, escalated_at__isnull=False),
    ),
    "closed": ("Outcome recorded", Q(status=Status.CLOSED)),
    "all": ("All", Q()),
}


def _require_referrals(user: User) -> None:
    if not access.can_see_referrals(user):
        raise PermissionDenied(
            "Referrals are for the Human Tissue Authority, forces, coordinators and the unit"
        )


@login_required
@require_GET
def referral_list(request: AuthenticatedRequest) -> HttpResponse:
    _require_referrals(request.user)
    police = access.sees_force_internals(request.user)
    # escalation is about the force's timeliness: the referrer is not shown it
    filters = {k: v for k, v in REFERRAL_FILTERS.items() if police or k != "escalated"}
    shown = request.GET.get("show", "open")
    if shown not in filters:
        shown = "open"
    referrals = (
        access.referrals_visible_to(request.user)
        .filter(REFERRAL_FILTERS[shown][1])
        .select_related("force", "local_authority")
        .order_by("-submitted_at", "-pk")
    )
    page = Paginator(referrals, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "referrals/list.html",
        {
            "page": page,
            "filters": [(code, label) for code, (label, _) in filters.items()],
            "shown": shown,
            "police": police,
            "can_submit": access.is_referrer(request.user),
            "now": timezone.now(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def referral_new(request: AuthenticatedRequest) -> HttpResponse:
    if not access.is_referrer(request.user):
        raise PermissionDenied("Only the Human Tissue Authority submits referrals")
    form = ReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = actions.do_submit_referral(actor=request.user, **data)
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(
                request, f"Referral {referral.reference} sent to {referral.force.name}"
            )
            return redirect("referral-detail", referral.pk)
    return render(
        request,
        "referrals/new.html",
        {"form": form, "indicators": form["indicators"]},
    )


def _force_users(referral: Referral) -> object:
    return User.objects.filter(
        is_active=True, role=Role.FORCE, orgunit_id=referral.force_id
    ).order_by("username")


@login_required
@require_GET
def referral_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    referral = access.get_referral_for_user(request.user, pk)
    record_referral_consultation(request.user, referral)
    user = request.user
    return render(
        request,
        "referrals/detail.html",
        {
            "referral": referral,
            "police": access.sees_force_internals(user),
            "guidance": pathway().guidance if access.sees_force_internals(user) else (),
            "can_acknowledge": access.can_acknowledge(user, referral),
            "assign_form": AssignForm(users=_force_users(referral))
            if access.can_assign(user, referral)
            else None,
            "can_record_outcome": access.can_record_outcome(user, referral),
            "reroute_form": RerouteForm() if access.can_reroute(user, referral) else None,
            "overdue": referral.is_overdue(),
        },
    )


def _require_worker(user: User, referral: Referral) -> None:
    if not access.can_work_referral(user, referral):
        raise PermissionDenied("Only the force the referral was routed to works it")


@login_required
@require_POST
def referral_acknowledge(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    referral = access.get_referral_for_user(request.user, pk)
    _require_worker(request.user, referral)
    try:
        actions.do_acknowledge_referral(referral, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Referral {referral.reference} acknowledged")
    return redirect("referral-detail", referral.pk)


@login_required
@require_POST
def referral_assign(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    referral = access.get_referral_for_user(request.user, pk)
    _require_worker(request.user, referral)
    form = AssignForm(request.POST, users=_force_users(referral))
    if not form.is_valid():
        messages.error(request, "Choose an investigator of the force")
        return redirect("referral-detail", referral.pk)
    try:
        actions.do_assign_referral(referral, form.cleaned_data["assignee"], actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, f"Referral {referral.reference} assigned to {form.cleaned_data['assignee']}"
        )
    return redirect("referral-detail", referral.pk)


@login_required
@require_http_methods(["GET", "POST"])
def referral_outcome(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    referral = access.get_referral_for_user(request.user, pk)
    _require_worker(request.user, referral)
    if not access.can_record_outcome(request.user, referral):
        messages.error(request, "Acknowledge the referral first; a closed one stays closed")
        return redirect("referral-detail", referral.pk)
    form = OutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_record_referral_outcome(
                referral,
                actor=request.user,
                outcome=data["outcome"],
                reference=data["reference"],
                note=data["note"],
            )
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, f"Outcome of {referral.reference} recorded")
            return redirect("referral-detail", referral.pk)
    return render(request, "referrals/outcome.html", {"form": form, "referral": referral})


@login_required
@require_POST
def referral_reroute(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    referral = access.get_referral_for_user(request.user, pk)
    if not access.can_reroute(request.user, referral):
        raise PermissionDenied("Only the unit re-routes a referral, before it is acknowledged")
    form = RerouteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose the force and say why")
        return redirect("referral-detail", referral.pk)
    try:
        referral = actions.do_reroute_referral(
            referral,
            form.cleaned_data["force"],
            actor=request.user,
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Referral {referral.reference} sent to {referral.force.name}")
    return redirect("referral-detail", referral.pk)


# --- SPOCs ------------------------------------------------------------------------------------


def _require_spocs(user: User) -> None:
    if not access.can_see_spocs(user):
        raise PermissionDenied("The SPOC network is for forces, coordinators and the unit")


@login_required
@require_GET
def spoc_list(request: AuthenticatedRequest) -> HttpResponse:
    _require_spocs(request.user)
    spocs = access.spocs_visible_to(request.user).select_related("force")
    theme = request.GET.get("theme", "")
    if theme in Theme.values:
        spocs = spocs.filter(theme=theme)
    else:
        theme = ""
    show_ended = request.GET.get("ended") == "1"
    if not show_ended:
        spocs = spocs.current()
    page = Paginator(spocs.order_by("force__name", "theme", "starts_on", "pk"), 100).get_page(
        request.GET.get("page")
    )
    record_spoc_consultation(request.user, page.object_list, "referrals.view_spocs")
    writable = set(access.spoc_forces_writable(request.user).values_list("pk", flat=True))
    return render(
        request,
        "referrals/spocs.html",
        {
            "page": page,
            "themes": Theme.choices,
            "theme": theme,
            "show_ended": show_ended,
            "writable": writable,
            "can_add": bool(writable),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_GET
def spoc_coverage(request: AuthenticatedRequest) -> HttpResponse:
    _require_spocs(request.user)
    forces = list(access.spoc_forces_readable(request.user).order_by("name"))
    rows = coverage(forces)
    gaps = {t: sum(1 for r in rows if t in r.gaps) for t in Theme.values}
    return render(
        request,
        "referrals/coverage.html",
        {
            "rows": rows,
            "themes": Theme.choices,
            "gaps": [gaps[t] for t in Theme.values],
            "gap_total": sum(gaps.values()),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def spoc_new(request: AuthenticatedRequest) -> HttpResponse:
    forces = access.spoc_forces_writable(request.user)
    if not forces.exists():
        raise PermissionDenied("Forces and coordinators keep their SPOCs; the unit reads them")
    form = SpocForm(request.POST or None, forces=forces)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        force = data.pop("force")
        try:
            spoc = actions.do_add_spoc(force, actor=request.user, **data)
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(
                request, f"{spoc.name} recorded as {spoc.get_theme_display()} SPOC of {force.name}"
            )
            return redirect("spoc-list")
    return render(request, "referrals/spoc_form.html", {"form": form, "spoc": None})


@login_required
@require_http_methods(["GET", "POST"])
def spoc_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    spoc: Spoc = access.get_spoc_for_user(request.user, pk)
    if not access.can_keep_spoc(request.user, spoc):
        raise PermissionDenied("Forces and coordinators keep their SPOCs; the unit reads them")
    initial = {f: getattr(spoc, f) for f in SpocChangeForm.base_fields}
    form = SpocChangeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_change_spoc(spoc, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, f"{spoc.name}'s details saved")
            return redirect("spoc-list")
    else:
        record_spoc_consultation(request.user, [spoc], "referrals.view_spoc")
    return render(request, "referrals/spoc_form.html", {"form": form, "spoc": spoc})
