"""Web pages of the CCA tasking tracker: the taskings, the national tracker (measures
discharged, areas of focus, org units off track), a measure with its threshold history and
each org unit's progress, one org unit's progress with its evidence, and threshold revision.
Thin views: access through :mod:`msoic.tasking.access`, changes through
:mod:`msoic.tasking.actions`, figures from :mod:`msoic.tasking.tracker`."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from msoic.accounts.models import User
from msoic.tasking import access as tasking_access
from msoic.tasking import actions
from msoic.tasking.forms import ProgressForm, ThresholdForm
from msoic.tasking.models import Measure, Tasking
from msoic.tasking.tracker import TRACKER_HEADER, build_tracker, tracker_rows
from msoic.web.exports import csv_response, xlsx_response


class AuthenticatedRequest(HttpRequest):
    user: User


def _require_reader(user: User) -> None:
    if not tasking_access.can_see_cca_tasking(user):
        raise PermissionDenied("The CCA tasking tracker is for forces, ROCUs and the unit")


def _as_of(request: HttpRequest, tasking: Tasking) -> date:
    """``?as_of=YYYY-MM-DD``; by default today, or the tasking year's end once it is over."""
    text = request.GET.get("as_of", "")
    if text:
        try:
            return date.fromisoformat(text)
        except ValueError as exc:
            raise Http404("Give as_of as YYYY-MM-DD") from exc
    today = timezone.localdate()
    year_end = tasking.period.end.replace(day=31)  # the end month is March
    return min(today, year_end)


def _messages(form: ProgressForm | ThresholdForm) -> str:
    return "; ".join(
        f"{form.fields[name].label or name}: {e}" if name in form.fields else str(e)
        for name, errors in form.errors.items()
        for e in errors
    )


@login_required
@require_GET
def tasking_list(request: AuthenticatedRequest) -> HttpResponse:
    _require_reader(request.user)
    taskings = Tasking.objects.prefetch_related("versions").order_by("-period_code", "code")
    return render(request, "tasking/list.html", {"taskings": taskings})


def _tasking(user: User, pk: int) -> Tasking:
    _require_reader(user)
    return get_object_or_404(Tasking, pk=pk)


@login_required
@require_GET
def tracker(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    tasking = _tasking(request.user, pk)
    as_of = _as_of(request, tasking)
    visible = tasking_access.measure_progress_visible_to(request.user)
    result = build_tracker(tasking, as_of, progress=visible)
    return render(
        request,
        "tasking/tracker.html",
        {
            "tracker": result,
            "unit": tasking_access.can_manage_cca_tasking(request.user),
            "versions": list(tasking.versions.all()),
        },
    )


@login_required
@require_GET
def tracker_download(request: AuthenticatedRequest, pk: int, fmt: str) -> HttpResponse:
    tasking = _tasking(request.user, pk)
    if fmt not in ("csv", "xlsx"):
        raise Http404("Download as tracker.csv or tracker.xlsx")
    as_of = _as_of(request, tasking)
    result = build_tracker(
        tasking, as_of, progress=tasking_access.measure_progress_visible_to(request.user)
    )
    rows = tracker_rows(result)
    name = f"{tasking.code}-{as_of.isoformat()}.{fmt}"
    if fmt == "csv":
        return csv_response(name, TRACKER_HEADER, rows)
    notes = [
        tasking.title,
        f"As at {as_of.isoformat()}: {len(result.discharged)} of {len(result.measures)} "
        f"measures discharged, {len(result.areas_of_focus)} areas of focus",
    ]
    return xlsx_response(name, "CCA tasking", TRACKER_HEADER, rows, notes)


@login_required
@require_GET
def measure_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _require_reader(request.user)
    measure = get_object_or_404(Measure.objects.select_related("tasking"), pk=pk)
    as_of = _as_of(request, measure.tasking)
    result = build_tracker(
        measure.tasking, as_of, progress=tasking_access.measure_progress_visible_to(request.user)
    )
    line = next(m for m in result.measures if m.measure.pk == measure.pk)
    return render(
        request,
        "tasking/measure.html",
        {
            "line": line,
            "tracker": result,
            "unit": tasking_access.can_manage_cca_tasking(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def threshold_revise(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _require_reader(request.user)
    measure = get_object_or_404(Measure.objects.select_related("tasking"), pk=pk)
    if not tasking_access.can_manage_cca_tasking(request.user):
        raise PermissionDenied("Only the unit revises a tasking threshold")
    if measure.threshold is None:
        raise Http404("This measure has no quantitative threshold")
    form = ThresholdForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.do_revise_threshold(measure, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, f"Threshold of {measure.code} revised")
                return redirect("tasking-measure", measure.pk)
        else:
            messages.error(request, _messages(form))
    return render(request, "tasking/threshold.html", {"measure": measure, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def progress_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    progress = tasking_access.get_measure_progress_for_user(request.user, pk)
    can_update = tasking_access.can_update_measure_progress(request.user, progress)
    unit = tasking_access.can_manage_cca_tasking(request.user)
    form = ProgressForm(
        request.POST or None,
        unit=unit,
        initial={"status": progress.status, "on": timezone.localdate()},
    )
    if request.method == "POST":
        if not can_update:
            raise PermissionDenied("You may not record progress for this org unit")
        if form.is_valid():
            try:
                actions.do_update_measure_progress(
                    progress, actor=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, "Progress recorded")
                return redirect("tasking-progress", progress.pk)
        else:
            messages.error(request, _messages(form))
    return render(
        request,
        "tasking/progress.html",
        {
            "progress": progress,
            "updates": list(progress.updates.select_related("author").order_by("-on", "-pk")),
            "form": form if can_update else None,
        },
    )
