"""Pages of intelligence logs: the list, one log, sending an extract and its progress, the
unit's review queue and review form, the export, and the dashboard. Thin views: access
through :mod:`msoic.intel.access`, changes through :mod:`msoic.intel.actions`. Every page
that shows logs writes one s.62 consultation row naming them."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from msoic.accounts.access import role_of
from msoic.accounts.models import Role, User
from msoic.catalogue.loader import get_catalogue
from msoic.intel import access, actions, tally
from msoic.intel.forms import ExportForm, ExtractForm, FilterForm, ReviewForm
from msoic.intel.models import (
    REVIEW_TARGET_DAYS,
    Assessment,
    HandlingCode,
    Route,
    SourceEvaluation,
)
from msoic.intel.queue import apply_filters, backlog, unreviewed
from msoic.metrics import engine
from msoic.metrics.periods import Period, PeriodError, month_end
from msoic.orgunits.models import OrgUnit

PAGE_SIZE = 50
MAX_EXPORT = 5000


class AuthenticatedRequest(HttpRequest):
    user: User


def _require_reader(user: User) -> None:
    if not access.can_see_intel(user):
        raise PermissionDenied("Intelligence logs are for forces, coordinators and the unit")


def _require_reviewer(user: User) -> None:
    if not access.can_review(user):
        raise PermissionDenied("The review queue is the unit's")


def _exploitation() -> dict[str, str]:
    return dict(get_catalogue().breakdowns["exploitation_type"].options)


def _filters(request: AuthenticatedRequest) -> tuple[FilterForm, dict[str, str]]:
    forces = list(access.readable_forces(request.user).order_by("name"))
    form = FilterForm(request.GET or None, forces=forces, exploitation=_exploitation())
    return form, form.chosen()


def _page_logs(request: AuthenticatedRequest, logs: Any) -> Any:
    return Paginator(logs.select_related("force"), PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
@require_GET
def log_list(request: AuthenticatedRequest) -> HttpResponse:
    _require_reader(request.user)
    form, chosen = _filters(request)
    today = timezone.localdate()
    logs = apply_filters(access.logs_visible_to(request.user), chosen, today).order_by(
        "-received_on", "-pk"
    )
    page = _page_logs(request, logs)
    actions.do_record_consultation(
        actor=request.user,
        step="intel.view_list",
        logs=page.object_list,
        purpose="Finding intelligence logs",
    )
    return render(
        request,
        "intel/list.html",
        {
            "page": page,
            "form": form,
            "query": urlencode(chosen),
            "can_send": access.sending_forces(request.user).exists(),
            "can_review": access.can_review(request.user),
            "today": today,
        },
    )


@login_required
@require_GET
def review_queue(request: AuthenticatedRequest) -> HttpResponse:
    _require_reviewer(request.user)
    form, chosen = _filters(request)
    today = timezone.localdate()
    scoped = access.logs_visible_to(request.user)
    logs = unreviewed(apply_filters(scoped, chosen, today))
    waiting = backlog(scoped, today)
    page = Paginator(logs.select_related("force"), PAGE_SIZE, allow_empty_first_page=True)
    if not chosen:  # unfiltered, the queue is the backlog: its count is already known
        page.count = waiting.count  # type: ignore[misc]
    current = page.get_page(request.GET.get("page"))
    actions.do_record_consultation(
        actor=request.user,
        step="intel.view_queue",
        logs=current.object_list,
        purpose="Reviewing intelligence logs sent to the unit",
    )
    return render(
        request,
        "intel/queue.html",
        {
            "page": current,
            "form": form,
            "query": urlencode(chosen),
            "backlog": waiting,
            "target": REVIEW_TARGET_DAYS,
            "today": today,
        },
    )


@login_required
@require_GET
def log_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _require_reader(request.user)
    log = access.get_log_for_user(request.user, pk)
    actions.do_record_consultation(
        actor=request.user,
        step="intel.view_log",
        logs=[log],
        purpose="Reading an intelligence log",
    )
    exploitation = _exploitation()
    return render(
        request,
        "intel/log.html",
        {
            "log": log,
            "types": [exploitation.get(t, t) for t in log.exploitation_types],
            "versions": list(log.versions.order_by("-number")),
            "reviews": list(log.reviews.select_related("reviewer").order_by("-reviewed_on", "-pk")),
            "can_review": access.can_review(request.user),
            "labels": {
                "source": SourceEvaluation(log.source_evaluation).label,
                "assessment": Assessment(log.assessment).label,
                "handling": HandlingCode(log.handling_code).label,
                "route": Route(log.route).label if log.route else "",
            },
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_log(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _require_reviewer(request.user)
    log = access.get_log_for_user(request.user, pk)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_review_log(log, actor=request.user, **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Review of {log.reference} recorded")
            return redirect("intel-queue")
    actions.do_record_consultation(
        actor=request.user,
        step="intel.view_review",
        logs=[log],
        purpose="Reviewing an intelligence log",
    )
    return render(request, "intel/review.html", {"log": log, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def send_extract(request: AuthenticatedRequest) -> HttpResponse:
    forces = access.sending_forces(request.user).order_by("name")
    if not forces.exists():
        raise PermissionDenied("Forces (and the unit for them) send extracts")
    form = ExtractForm(request.POST or None, request.FILES or None, forces=forces)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["extract"]
        data = upload.read()
        job = actions.do_queue_extract(
            form.cleaned_data["force"],
            upload.name,
            data,
            actor=request.user,
            dry_run=form.cleaned_data["dry_run"],
        )
        return redirect("intel-extract", pk=job.pk)
    recent = access.imports_visible_to(request.user).select_related("force")[:10]
    return render(request, "intel/send.html", {"form": form, "recent": recent})


@login_required
@require_GET
def extract_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    job = access.get_import_for_user(request.user, pk)
    return render(request, "intel/extract.html", {"job": job})


@login_required
@require_http_methods(["GET", "POST"])
def export_logs(request: AuthenticatedRequest) -> HttpResponse:
    _require_reader(request.user)
    filters, chosen = _filters(request)
    logs = list(
        apply_filters(access.logs_visible_to(request.user), chosen, timezone.localdate())
        .select_related("force")
        .order_by("force__code", "reference")[: MAX_EXPORT + 1]
    )
    too_many = len(logs) > MAX_EXPORT
    restricted = sum(1 for log in logs if log.handling_code == HandlingCode.C)
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and not too_many:
        try:
            data = actions.do_export_logs(logs, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error("handling_authority", exc)
        else:
            response = HttpResponse(data, content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = 'attachment; filename="intelligence-logs.csv"'
            return response
    return render(
        request,
        "intel/export.html",
        {
            "form": form,
            "count": len(logs),
            "too_many": too_many,
            "max": MAX_EXPORT,
            "restricted": restricted,
            "query": urlencode(chosen),
        },
    )


# --- dashboard -------------------------------------------------------------------------------

DASHBOARD_METRICS = [
    "intel_logs_received",
    "intel_logs_reviewed",
    "intel_logs_reviewed_in_time",
    "oic_intel_logs_tagged",
]


def _dashboard_orgunit(user: User) -> OrgUnit:
    role = role_of(user)
    if role == Role.NATIONAL:
        return OrgUnit.objects.get(kind="national")
    if role == Role.REGIONAL and user.orgunit_id:
        return OrgUnit.objects.get(pk=user.orgunit_id)
    raise PermissionDenied("The intelligence dashboard is for the unit and regional coordinators")


def _default_period(force_ids: list[int] | None) -> Period:
    """The financial year of the latest review in scope (today's when there is none)."""
    return Period.financial_year_of(tally.latest_review_day(force_ids) or timezone.localdate())


@login_required
@require_GET
def dashboard(request: AuthenticatedRequest) -> HttpResponse:
    orgunit = _dashboard_orgunit(request.user)
    force_ids = access.force_ids_visible_to(request.user)
    try:
        period = (
            Period.parse(str(request.GET.get("period", ""))) if request.GET.get("period") else None
        )
    except PeriodError:
        period = None
    if period is None:
        period = _default_period(force_ids)
    answers = engine.query_periods(DASHBOARD_METRICS, orgunit, [period])
    figures = {code: results[0] for code, results in answers.items()}
    reviewed = figures["intel_logs_reviewed"].value or 0
    in_time = figures["intel_logs_reviewed_in_time"].value or 0
    today = timezone.localdate()
    as_at = min(month_end(period.end), today)
    # The grading and theme mix of the logs received in the period, and the backlog, from
    # the logs' tallies by force and month or day (msoic.intel.tally), not from the logs.
    mix = tally.received_mix(force_ids, period.start, period.end)
    grading = {g: mix[column] for g, column in tally.GRADED.items() if mix[column]}
    handling = {HandlingCode.C.value: mix["handling_c"]}
    handling[HandlingCode.P.value] = mix["received"] - mix["handling_c"]
    years = [Period.financial_year_starting(y) for y in range(2023, today.year + 1)]
    return render(
        request,
        "intel/dashboard.html",
        {
            "orgunit": orgunit,
            "period": period,
            "years": [p for p in years if p.start <= today],
            "figures": figures,
            "timeliness": round(100 * in_time / reviewed, 1) if reviewed else None,
            "backlog": tally.backlog_at(force_ids, as_at),
            "backlog_now": tally.backlog_at(force_ids, today) if as_at != today else None,
            "grading": sorted(grading.items()),
            "handling": [(HandlingCode(c).label, handling[c]) for c in HandlingCode.values],
            "routes": [(r.label, mix[tally.ROUTED[r.value]]) for r in Route],
            "ms_referred": mix["ms_referred"],
            "target": REVIEW_TARGET_DAYS,
        },
    )
