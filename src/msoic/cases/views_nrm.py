"""The NRM picture page and its downloads. Scope: a force its own figures, a coordinator
their region and its forces, the unit anything, partners the nation with small counts
suppressed (tables, charts and downloads alike)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Max, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from msoic.accounts import access
from msoic.accounts.models import User
from msoic.cases import nrm
from msoic.cases.models import Person
from msoic.metrics.periods import Period, PeriodError, last_complete_month
from msoic.orgunits.models import OrgUnit, OrgUnitKind
from msoic.web.exports import csv_response, xlsx_response


class AuthenticatedRequest(HttpRequest):
    user: User


def _scope(request: AuthenticatedRequest) -> tuple[OrgUnit, list[OrgUnit]]:
    rank: dict[str, int] = {OrgUnitKind.NATIONAL: 0, OrgUnitKind.REGION: 1, OrgUnitKind.FORCE: 2}
    choices = sorted(
        access.nrm_picture_orgunits(request.user), key=lambda u: (rank.get(u.kind, 3), u.name)
    )
    if not choices:
        raise PermissionDenied("The NRM picture is not available to this account")
    code = request.GET.get("orgunit", "")
    if not code:
        return choices[0], choices
    for unit in choices:
        if unit.code == code:
            return unit, choices
    raise PermissionDenied("That area's figures are not yours to see")


def _default_period(forces: QuerySet[OrgUnit]) -> Period:
    """The twelve months to the last complete month that has referrals in the register (not
    an empty year when the register stops earlier, as it does in the demo)."""
    month = last_complete_month(timezone.localdate())
    latest = Person.objects.filter(force__in=forces, nrm_referred_on__isnull=False).aggregate(
        m=Max("nrm_referred_on")
    )["m"]
    if latest is not None and latest.replace(day=1) < month:
        month = latest.replace(day=1)
    return Period.parse(f"R12-{month:%Y-%m}")


def _period(request: HttpRequest, forces: QuerySet[OrgUnit]) -> tuple[Period, str]:
    text = request.GET.get("period", "")
    if text:
        try:
            return Period.parse(text), ""
        except PeriodError as exc:
            return _default_period(forces), str(exc)
    return _default_period(forces), ""


def _picture(
    request: AuthenticatedRequest,
) -> tuple[OrgUnit, list[OrgUnit], Period, str, nrm.Picture]:
    unit, choices = _scope(request)
    period, error = _period(request, nrm.forces_of(unit))
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
