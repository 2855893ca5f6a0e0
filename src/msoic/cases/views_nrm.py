"""The NRM picture page and its downloads. Scope: a force its own figures, a coordinator
their region and its forces, the unit anything, partners the nation with small counts
suppressed (tables, charts and downloads alike)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from msoic.accounts import access
from msoic.accounts.models import User
from msoic.cases import nrm
from msoic.metrics.periods import Period, PeriodError, last_complete_month
from msoic.orgunits.models import OrgUnit
from msoic.web.exports import csv_response, xlsx_response


class AuthenticatedRequest(HttpRequest):
    user: User


def _scope(request: AuthenticatedRequest) -> tuple[OrgUnit, list[OrgUnit]]:
    choices = list(access.nrm_picture_orgunits(request.user).order_by("kind", "name"))
    if not choices:
        raise PermissionDenied("The NRM picture is not available to this account")
    code = request.GET.get("orgunit", "")
    if not code:
        return choices[0], choices
    for unit in choices:
        if unit.code == code:
            return unit, choices
    raise PermissionDenied("That area's figures are not yours to see")


def _period(request: HttpRequest) -> tuple[Period, str]:
    text = request.GET.get("period", "")
    if text:
        try:
            return Period.parse(text), ""
        except PeriodError as exc:
            default = Period.parse(f"R12-{last_complete_month(timezone.localdate()):%Y-%m}")
            return default, str(exc)
    return Period.parse(f"R12-{last_complete_month(timezone.localdate()):%Y-%m}"), ""


def _picture(
    request: AuthenticatedRequest,
) -> tuple[OrgUnit, list[OrgUnit], Period, str, nrm.Picture]:
    unit, choices = _scope(request)
    period, error = _period(request)
    secret = access.nrm_suppressed_for(request.user)
    return unit, choices, period, error, nrm.Picture(nrm.forces_of(unit), period, secret=secret)


@login_required
@require_GET
def nrm_picture(request: AuthenticatedRequest) -> HttpResponse:
    unit, choices, period, error, picture = _picture(request)
    return render(
        request,
        "cases/nrm.html",
        {
            "unit": unit,
            "choices": choices,
            "period": period,
            "period_error": error,
            "panels": picture.panels(),
            "secret": picture.secret,
            "query": f"orgunit={unit.code}&period={period.code}",
        },
    )


@login_required
@require_GET
def nrm_download(request: AuthenticatedRequest, panel: str, fmt: str) -> HttpResponse:
    unit, _, period, _, picture = _picture(request)
    found = next((p for p in picture.panels() if p.id == panel), None)
    if found is None:
        raise Http404("No such panel")
    name = f"nrm-{panel}-{unit.code}-{period.code}"
    rows = found.export_rows()
    if fmt == "xlsx":
        notes = [f"{found.title}: {unit.name}, {period.label}", *found.notes]
        sheet = "".join(ch for ch in found.title if ch not in "[]:*?/\\")
        return xlsx_response(f"{name}.xlsx", sheet, found.columns, rows, notes)
    return csv_response(f"{name}.csv", found.columns, rows)
