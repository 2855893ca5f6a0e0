"""Web pages of the operations-supported log: the list, one operation with its financial
outcomes, entry and editing, and the summary by year, region and support type (with CSV and
XLSX). Thin views: access through :mod:`msoic.support.access`, changes through
:mod:`msoic.support.actions`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from msoic.accounts.models import User
from msoic.metrics.periods import Period, PeriodError, describe
from msoic.support import access as support_access
from msoic.support import actions
from msoic.support.forms import FilterForm, OperationForm, OutcomeForm, YearForm
from msoic.support.models import OperationSupportType, SupportedOperation
from msoic.support.summary import SUMMARY_HEADER, build_summary, summary_rows
from msoic.web.exports import csv_response, xlsx_response


class AuthenticatedRequest(HttpRequest):
    user: User


def _require_reader(user: User) -> None:
    if not support_access.can_see_operations_supported(user):
        raise PermissionDenied("Operations supported are for forces, coordinators and the unit")


def _year(text: str | None) -> int | None:
    """``FY2023-24`` -> 2023; empty -> None (the latest year); anything else -> 404."""
    if not text:
        return None
    try:
        period = Period.parse(text)
    except PeriodError as exc:
        raise Http404("No such financial year") from exc
    if period.kind != "fy":
        raise Http404("Give a financial year, e.g. FY2023-24")
    return period.start.year


def _offer_years(form: Any, ops: Any) -> None:
    """The financial years with operations, and the current one (which the home page links
    to, even before its first operation) and the one before, newest first, as the form's year choices."""
    years = set(ops.order_by().values_list("fy_start", flat=True).distinct())
    current = Period.financial_year_of(timezone.localdate()).start.year
    years |= {current, current - 1}  # the home page's year at a glance and the year before
    form.fields["year"].set_periods(
        Period.financial_year_starting(y) for y in sorted(years, reverse=True)
    )


def _form_errors(form: Any) -> str:
    parts = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = (field.label or name.replace("_", " ").capitalize()) if field else ""
        parts += [f"{label}: {e}" if label else str(e) for e in errors]
    return "; ".join(parts)


@login_required
@require_GET
def operation_list(request: AuthenticatedRequest) -> HttpResponse:
    _require_reader(request.user)
    ops = support_access.supported_operations_visible_to(request.user)
    form = FilterForm(request.GET or None)
    _offer_years(form, ops)
    if form.is_valid():
        data = form.cleaned_data
        if data.get("year") is not None:
            ops = ops.filter(fy_start=data["year"].start.year)
        if data.get("support_type"):
            ops = ops.filter(support_types__support_type=data["support_type"])
        if data.get("crime_type"):
            ops = ops.filter(crime_type=data["crime_type"])
        if data.get("q"):
            ops = ops.filter(operation_name__icontains=data["q"])
    ops = (
        ops.select_related("force__parent")
        .prefetch_related(
            Prefetch(
                "support_types", queryset=OperationSupportType.objects.order_by("support_type")
            )
        )
        .annotate(amount=Sum("financial_outcomes__amount_pence"))
        .order_by("-start_date", "operation_name", "pk")
    )
    page = Paginator(ops, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "support/list.html",
        {
            "page": page,
            "form": form,
            "query": query.urlencode(),
            "can_log": support_access.support_log_forces(request.user).exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def operation_new(request: AuthenticatedRequest) -> HttpResponse:
    forces = support_access.support_log_forces(request.user)
    if not forces.exists():
        raise PermissionDenied("Only the unit and regional coordinators log support")
    form = OperationForm(request.POST or None, forces=forces)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        force, types = data.pop("force"), data.pop("support_types")
        try:
            op = actions.do_log_supported_operation(
                force, actor=request.user, support_types=types, **data
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{op.operation_name} logged")
            return redirect("support-detail", op.pk)
    elif request.method == "POST":
        messages.error(request, _form_errors(form))
    return render(request, "support/form.html", {"form": form, "op": None})


@login_required
@require_GET
def operation_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    op = support_access.get_supported_operation_for_user(request.user, pk)
    can_edit = support_access.can_log_support_for(request.user, op.force)
    return render(
        request,
        "support/detail.html",
        {
            "op": op,
            "outcomes": list(op.financial_outcomes.all()),
            "types": op.support_type_labels(),
            "can_edit": can_edit,
            "outcome_form": OutcomeForm() if can_edit else None,
        },
    )


def _require_editor(user: User, op: SupportedOperation) -> None:
    if not support_access.can_log_support_for(user, op.force):
        raise PermissionDenied("Only the unit and the force's regional coordinator edit this")


@login_required
@require_http_methods(["GET", "POST"])
def operation_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    op = support_access.get_supported_operation_for_user(request.user, pk)
    _require_editor(request.user, op)
    initial = {f: getattr(op, f) for f in actions.FIELDS}
    initial["force"] = op.force.code
    initial["support_types"] = list(op.support_types.values_list("support_type", flat=True))
    forces = support_access.support_log_forces(request.user)
    form = OperationForm(request.POST or None, initial=initial, forces=forces)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        force, types = data.pop("force"), data.pop("support_types")
        try:
            actions.do_update_supported_operation(
                op, actor=request.user, support_types=types, force=force, **data
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Operation updated")
            return redirect("support-detail", op.pk)
    elif request.method == "POST":
        messages.error(request, _form_errors(form))
    return render(request, "support/form.html", {"form": form, "op": op})


@login_required
@require_POST
def outcome_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    op = support_access.get_supported_operation_for_user(request.user, pk)
    _require_editor(request.user, op)
    form = OutcomeForm(request.POST)
    if form.is_valid():
        try:
            actions.do_add_financial_outcome(op, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Financial outcome added")
    else:
        messages.error(request, _form_errors(form))
    return redirect("support-detail", op.pk)


@login_required
@require_POST
def outcome_remove(request: AuthenticatedRequest, pk: int, outcome_pk: int) -> HttpResponse:
    op = support_access.get_supported_operation_for_user(request.user, pk)
    _require_editor(request.user, op)
    outcome = op.financial_outcomes.filter(pk=outcome_pk).first()
    if outcome is None:
        raise Http404("No such financial outcome")
    actions.do_remove_financial_outcome(outcome, actor=request.user)
    messages.success(request, "Financial outcome removed")
    return redirect("support-detail", op.pk)


@login_required
@require_GET
def summary(request: AuthenticatedRequest) -> HttpResponse:
    _require_reader(request.user)
    ops = support_access.supported_operations_visible_to(request.user)
    form = YearForm(request.GET or None)
    _offer_years(form, ops)
    chosen = form.cleaned_data.get("year") if form.is_valid() else None
    result = build_summary(ops, chosen.start.year if chosen is not None else None)
    if result.year is not None:
        form.fields["year"].initial = Period.financial_year_starting(result.year).code
    return render(
        request,
        "support/summary.html",
        {
            "summary": result,
            "form": form,
            "year_label": describe(Period.financial_year_starting(result.year))
            if result.year is not None
            else "",
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def summary_download(request: AuthenticatedRequest, fmt: str) -> HttpResponse:
    _require_reader(request.user)
    if fmt not in ("csv", "xlsx"):
        raise Http404("Download as summary.csv or summary.xlsx")
    ops = support_access.supported_operations_visible_to(request.user)
    result = build_summary(ops, _year(request.GET.get("year")))
    rows = summary_rows(result)
    name = f"operations-supported-{result.year_code or 'none'}.{fmt}"
    if fmt == "csv":
        return csv_response(name, SUMMARY_HEADER, rows)
    notes = [
        f"Operations supported, {result.year_code or 'no year'} (financial year rows: all years)",
        f"Scope: {request.user.orgunit.name if request.user.orgunit else 'national'}",
    ]
    return xlsx_response(name, "Operations supported", SUMMARY_HEADER, rows, notes)
