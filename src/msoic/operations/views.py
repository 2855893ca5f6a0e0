"""Pages of the Operations hub and intensifications. Views are thin: access through
:mod:`msoic.operations.access`, changes through :mod:`msoic.operations.actions`, figures
from :mod:`msoic.operations.figures`; returns are made through the collection pages."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from msoic.accounts import access
from msoic.accounts.models import User
from msoic.catalogue.loader import get_catalogue
from msoic.disclosure.control import controlled
from msoic.metrics.periods import Period
from msoic.operations import access as operations_access
from msoic.operations import actions, figures, released
from msoic.operations.forms import OperationForm, YearForm, initial_from
from msoic.operations.models import Operation
from msoic.web.exports import csv_response, xlsx_response
from msoic.web.period_picker import PeriodField


class AuthenticatedRequest(HttpRequest):
    user: User


def _require_reader(user: User) -> None:
    if not operations_access.can_see_operations(user):
        raise PermissionDenied("Operations are for signed-in users")


def _export(
    request: HttpRequest, name: str, title: str, header: list[str], rows: list[list[Any]]
) -> HttpResponse | None:
    fmt = request.GET.get("format", "")
    if fmt == "csv":
        return csv_response(f"{name}.csv", header, rows)
    if fmt == "xlsx":
        return xlsx_response(f"{name}.xlsx", title, header, rows)
    if fmt:
        raise Http404("Exports are csv or xlsx")
    return None


def _released_lines(
    years: list[figures.YearLine],
    lines: list[figures.OperationLine],
    totals: list[int | None],
    period: Period,
    catalogue: Any,
) -> tuple[list[figures.YearLine], list[figures.OperationLine], list[Any]]:
    """The overview's figures as a partner sees them (copies; the cached lines untouched):
    counts of people through disclosure control, one release per financial year."""
    codes = figures.STANDARD_METRICS

    def shown(release: released.YearRelease, cell: str, values: list[int | None]) -> list[Any]:
        return [release.figure(c, cell, v) for c, v in zip(codes, values, strict=True)]

    wanted = [y.period for y in years if y.period.kind == "fy"]
    if period.kind == "fy" and period not in wanted:
        wanted.append(period)
    releases = released.year_releases(wanted, catalogue)
    out_years = [
        replace(y, values=shown(releases[y.period], released.YEAR, y.values)) for y in years
    ]
    chosen = releases.get(period)
    if chosen is None:  # pragma: no cover - the overview's periods are financial years
        raise Http404("Intensifications are shown by financial year")
    out_lines = [
        replace(line, values=shown(chosen, f"op:{line.operation.pk}", line.values))
        for line in lines
    ]
    out_totals = shown(chosen, released.YEAR, totals)
    return out_years, out_lines, out_totals


def _release_operation(result: figures.OperationFigures, catalogue: Any) -> None:
    """One operation's figures as a partner sees them: its totals from its year's release;
    no rows by force or region (partners are never given them)."""
    fy = Period.financial_year_of(result.operation.start_date)
    release = released.year_release(fy, catalogue)
    cell = f"op:{result.operation.pk}"
    result.totals = [
        release.figure(c.code, cell, v)  # type: ignore[misc]  # may be a mark ("<5")
        for c, v in zip(result.columns, result.totals, strict=True)
    ]
    result.by_force = []
    result.by_region = []
    result.highlights = []


@login_required
@require_GET
def hub(request: AuthenticatedRequest) -> HttpResponse:
    _require_reader(request.user)
    return render(request, "operations/hub.html", {})


@login_required
@require_GET
def intensifications(request: AuthenticatedRequest) -> HttpResponse:
    """Each year's totals across operations, and one year's operations."""
    user = request.user
    _require_reader(user)
    catalogue = get_catalogue()
    labels = figures.standard_labels(catalogue)
    years = figures.year_lines()
    default = years[0].period if years else Period.financial_year_of(timezone.localdate())
    form = YearForm(request.GET or None)
    field = form.fields["year"]
    assert isinstance(field, PeriodField)
    field.set_periods([y.period for y in years] or [default])
    field.initial = default.code
    chosen = form.cleaned_data.get("year") if form.is_bound and form.is_valid() else None
    period = chosen or default
    lines = figures.operation_lines(period)
    totals = figures.totals_for(lines)
    partner = controlled(user)
    if partner:
        years, lines, totals = _released_lines(years, lines, totals, period, catalogue)
    table = request.GET.get("table", "operations")
    if table == "years":
        header = ["Financial year", "Operations", "Force returns expected", "Returned", *labels]
        rows = [[y.period.code, y.operations, y.forces, y.returned, *y.values] for y in years]
        title = "Intensifications by year"
        name = "intensifications-by-year"
    else:
        header = ["Operation", "Theme", "Start", "End", "Forces", "Returned", *labels]
        rows = [
            [
                line.operation.name,
                line.operation.theme,
                line.operation.start_date.isoformat(),
                line.operation.end_date.isoformat(),
                line.forces,
                line.returned,
                *line.values,
            ]
            for line in lines
        ]
        title = f"Intensifications {period.code}"
        name = f"intensifications-{period.code}"
    if form.errors and request.GET.get("format"):
        raise Http404(" ".join(str(e) for e in form.errors["year"]))
    exported = _export(request, name, title, header, rows)
    if exported is not None:
        return exported
    return render(
        request,
        "operations/intensifications.html",
        {
            "labels": labels,
            "years": years,
            "period": period,
            "lines": lines,
            "totals": totals,
            "can_manage": operations_access.can_manage_operations(user),
            "disclosure_note": released.NOTE if partner else "",
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def operation_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    _require_reader(user)
    op = operations_access.get_operation_for_user(user, pk)
    catalogue = get_catalogue()
    detail_ids = set(operations_access.operation_forces_detail(user).values_list("pk", flat=True))
    result = figures.operation_figures(
        op, catalogue, detail_force_ids=detail_ids, by_region=access.is_national(user)
    )
    partner = controlled(user)
    if partner:
        _release_operation(result, catalogue)
    labels = [c.label for c in result.columns]
    table = request.GET.get("table", "totals")
    if table == "force":
        header = ["Force", "Return", *labels]
        rows = [[r.label, r.status_label, *r.values] for r in result.by_force]
    elif table == "region" and result.by_region:
        header = ["Region", "Forces returned", "Forces taking part", *labels]
        rows = [[r.label, r.returned, r.expected, *r.values] for r in result.by_region]
    elif table == "totals":
        header = ["Metric", "Total (all participating forces)"]
        rows = [[c.label, v] for c, v in zip(result.columns, result.totals, strict=True)]
    else:
        raise Http404("No such table")
    exported = _export(request, f"{op.slug}-{table}", f"{op.name} {table}", header, rows)
    if exported is not None:
        return exported
    writable = set(access.writable_forces(user).values_list("code", flat=True))
    return render(
        request,
        "operations/detail.html",
        {
            "op": op,
            "figures": result,
            "labels": labels,
            "totals": list(zip(result.columns, result.totals, strict=True)),
            "partners": op.partner_agencies,
            "forces": list(op.forces.order_by("name")),
            "returnable": [r for r in result.by_force if r.code in writable],
            "exploitation_label": (
                catalogue.option_label("exploitation_type", op.exploitation_type)
                if op.exploitation_type
                else ""
            ),
            "activity": [
                catalogue.metrics[m].label for m in op.activity_metrics if m in catalogue.metrics
            ],
            "can_manage": operations_access.can_manage_operations(user),
            "sees_forces": bool(detail_ids),
            "disclosure_note": released.NOTE if partner else "",
        },
    )


def _save(request: AuthenticatedRequest, op: Operation | None) -> HttpResponse:
    user = request.user
    if not operations_access.can_manage_operations(user):
        raise PermissionDenied("Only the unit plans and edits operations")
    catalogue = get_catalogue()
    initial = initial_from(actions.details_of(op)) if op is not None else {"series": "AIDANT"}
    form = OperationForm(
        request.POST if request.method == "POST" else None, initial=initial, catalogue=catalogue
    )
    if request.method == "POST" and form.is_valid():
        try:
            if op is None:
                op = actions.do_create_operation(form.details(), actor=user)
                messages.success(request, f"{op.name} planned; its return is ready for forces")
            else:
                op = actions.do_update_operation(op, form.details(), actor=user)
                messages.success(request, f"{op.name} saved")
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            return redirect("operations-detail", pk=op.pk)
    return render(request, "operations/form.html", {"form": form, "op": op})


@login_required
@require_http_methods(["GET", "POST"])
def operation_new(request: AuthenticatedRequest) -> HttpResponse:
    return _save(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def operation_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    if not operations_access.can_manage_operations(request.user):
        raise PermissionDenied("Only the unit plans and edits operations")
    return _save(request, operations_access.get_operation_for_user(request.user, pk))
