"""The Project Terminus page under Operations: the headline panel for a financial year or
quarter, the year quarter by quarter, and the split by region or force, with CSV/XLSX.

Thin: the org unit goes through :mod:`msoic.accounts.access` (403 when not the user's,
404 when unknown), figures come from :mod:`msoic.terminus.figures` (the metric engine),
downloads go through :mod:`msoic.web.exports`.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from msoic.accounts import access
from msoic.accounts.models import User
from msoic.catalogue.loader import get_catalogue
from msoic.disclosure.control import NOTE, controlled
from msoic.metrics.periods import Period, add_months
from msoic.orgunits.models import OrgUnit, OrgUnitKind
from msoic.terminus import access as terminus_access
from msoic.terminus import figures
from msoic.terminus.forms import TerminusFilterForm
from msoic.web.exports import csv_response, xlsx_response


class AuthenticatedRequest(HttpRequest):
    user: User


def _orgunit_choices(user: User) -> list[tuple[str, str]]:
    national = OrgUnit.objects.filter(kind=OrgUnitKind.NATIONAL).order_by("name")
    own = access.detail_orgunits(user).exclude(kind=OrgUnitKind.NATIONAL)
    regions = [(o.code, o.name) for o in own if o.kind == OrgUnitKind.REGION]
    forces = [(o.code, o.name) for o in own if o.kind == OrgUnitKind.FORCE]
    return (
        [(o.code, f"{o.name} (all forces)") for o in national]
        + sorted(regions, key=lambda c: c[1])
        + sorted(forces, key=lambda c: c[1])
    )


def _default_orgunit(user: User, choices: list[tuple[str, str]]) -> str:
    if user.orgunit_id and user.role in ("force", "regional"):
        return str(user.orgunit.code)  # type: ignore[union-attr]
    return choices[0][0]


@login_required
@require_GET
def terminus(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    if not terminus_access.can_see_terminus(user):
        raise PermissionDenied("Terminus figures are for signed-in users with a role")
    choices = _orgunit_choices(user)
    newest = figures.newest_quarter(timezone.localdate())
    default = figures.year_of(newest)
    form = TerminusFilterForm(
        request.GET or None,
        orgunits=choices,
        periods=figures.offered_periods(newest),
        default=default,
    )
    chosen: dict[str, Any] = form.cleaned_data if form.is_bound and form.is_valid() else {}
    period: Period = chosen.get("period") or default
    code = chosen.get("orgunit") or request.GET.get("orgunit") or _default_orgunit(user, choices)
    orgunit = access.get_orgunit_for_user(user, code)
    if orgunit.kind == OrgUnitKind.PARTNER:
        raise PermissionDenied("Partner agencies do not make Terminus returns")
    catalogue = get_catalogue()
    by = None
    if access.can_break_down_by_orgunit(user, orgunit):
        by = "region" if orgunit.kind == OrgUnitKind.NATIONAL else "force"
    partner = controlled(user)
    shown = figures.picture(orgunit, period, by=by, catalogue=catalogue, controlled=partner)
    panel, quarters, split = shown.panel, shown.quarters, shown.split

    fmt = request.GET.get("format", "")
    if fmt in {"csv", "xlsx"} and form.errors:
        message = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
    if fmt in {"csv", "xlsx"}:
        items = [(period.code, orgunit.code, orgunit.name, panel)]
        items += [(q.key, orgunit.code, orgunit.name, q) for q in quarters]
        items += [(period.code, line.key, line.label, line) for line in split]
        rows = figures.export_rows(items)
        stem = f"terminus_{orgunit.code}_{period.code}"
        if fmt == "csv":
            return csv_response(f"{stem}.csv", figures.EXPORT_HEADER, rows)
        return xlsx_response(
            f"{stem}.xlsx",
            "Terminus",
            figures.EXPORT_HEADER,
            rows,
            notes=[
                f"Project Terminus activity: {orgunit.name}, {period.label}",
                "Money is in pounds (GBP) with pence; counts are whole numbers. "
                "complete = every force's quarterly return was received.",
            ],
        )
    query = request.GET.copy()
    query.pop("format", None)
    query["period"] = period.code
    query["orgunit"] = orgunit.code
    year = figures.year_of(period)
    offered = {p.code for p in form.fields["period"].periods}  # type: ignore[attr-defined]
    return render(
        request,
        "terminus/terminus.html",
        {
            "form": form,
            "period": period,
            "year": year,
            "previous_year": year.previous_year(),
            "sends_returns": access.writable_forces(user).exists(),
            "next_year": Period(add_months(year.start, 12), add_months(year.end, 12), "fy"),
            "has_previous_year": year.previous_year().code in offered,
            "has_next_year": Period(add_months(year.start, 12), add_months(year.end, 12), "fy").code
            in offered,
            "orgunit": orgunit,
            "orgunit_code": orgunit.code,
            "panel": panel,
            "quarters": quarters,
            "split": split,
            "by": by,
            "metrics": figures.metrics(catalogue),
            "query": query.urlencode(),
            "disclosure_note": NOTE if partner else "",
        },
    )
