"""The NRM picture page and its downloads. Scope: a force its own figures, a coordinator
their region and its forces, the unit anything, partners the nation through disclosure
control (tables, charts and downloads alike; ended financial years only, ADR 0010)."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Max, Min, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from msoic.accounts.models import User
from msoic.audit.models import AuditAction, AuditEvent
from msoic.cases import access
from msoic.cases.models import Person
from msoic.cases.nrm import picture as nrm
from msoic.disclosure.control import DisclosureError, check_period, controlled
from msoic.disclosure.policy import get_policy
from msoic.metrics.periods import PICKER_KINDS, Period, PeriodError, last_complete_month
from msoic.orgunits.models import OrgUnit, OrgUnitKind
from msoic.web.exports import csv_response, xlsx_response
from msoic.web.period_picker import PeriodField, periods_with_data


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


class PeriodForm(forms.Form):
    period = PeriodField(
        label="Period",
        help_text="Referrals and decisions made in the period, from the register",
    )


def _referral_months(forces: QuerySet[OrgUnit]) -> tuple[date, date] | None:
    """The first and newest months with an NRM referral in the register, if any."""
    found = Person.objects.filter(force__in=forces, nrm_referred_on__isnull=False).aggregate(
        first=Min("nrm_referred_on"), latest=Max("nrm_referred_on")
    )
    if found["latest"] is None:
        return None
    return found["first"].replace(day=1), found["latest"].replace(day=1)


def _default_period(referrals: tuple[date, date] | None, secret: bool) -> Period:
    """The twelve months to the last complete month that has referrals in the register (not
    an empty year when the register stops earlier, as it does in the demo); for a partner,
    the last financial year ended by then."""
    month = last_complete_month(timezone.localdate())
    if referrals is not None and referrals[1] < month:
        month = referrals[1]
    if secret:
        return Period.last_financial_year_to(month)
    return Period.rolling_year_to(month)


def _period_form(
    request: HttpRequest, forces: QuerySet[OrgUnit], secret: bool
) -> tuple[PeriodForm, Period]:
    """The picker (offering the periods holding referrals, over by the last complete month;
    a partner the kinds disclosure control allows) and the default period."""
    referrals = _referral_months(forces)
    default = _default_period(referrals, secret)
    kinds = get_policy().partner_periods if secret else tuple(PICKER_KINDS)
    offered = (
        periods_with_data(kinds, *referrals, until=last_complete_month(timezone.localdate()))
        if referrals is not None
        else [default]
    )
    form = PeriodForm(request.GET)
    field = form.fields["period"]
    assert isinstance(field, PeriodField)
    field.kinds = tuple(kinds)
    field.set_periods(offered if default in offered else [default, *offered])
    field.initial = default.code
    return form, default


def _period(
    request: HttpRequest, forces: QuerySet[OrgUnit], secret: bool
) -> tuple[Period, str, bool, PeriodForm]:
    """The period asked for (or the default), a message if it could not be used, whether
    disclosure control refused it (then nothing is shown), and the picker."""
    form, default = _period_form(request, forces, secret)
    text = request.GET.get("period", "")
    if not text:
        return default, "", False, form
    if secret:
        try:  # disclosure control answers a partner first, in its own words
            check_period(Period.parse(text), "NRM figures")
        except PeriodError:
            pass  # the form says why
        except DisclosureError as exc:
            form.is_valid()
            return Period.parse(text), str(exc), True, form
    if not form.is_valid():
        return default, " ".join(str(e) for e in form.errors["period"]), False, form
    # A value the field reads as empty (blank space) means the default, as no value does.
    return form.cleaned_data["period"] or default, "", False, form


def _picture(
    request: AuthenticatedRequest,
) -> tuple[OrgUnit, list[OrgUnit], Period, str, bool, nrm.Picture, PeriodForm]:
    unit, choices = _scope(request)
    secret = controlled(request.user)
    period, error, refused, form = _period(request, nrm.forces_of(unit), secret)
    picture = nrm.Picture(nrm.forces_of(unit), period, secret=secret)
    return unit, choices, period, error, refused, picture, form


# A partner's picture is the same for every partner until the register changes: it is kept
# for CACHE_SECONDS, keyed on the newest register-changing audit rows (every change to the
# register is an action that writes one); the time bounds any change made without one.
CACHE_SECONDS = 600
CHANGES = (AuditAction.COLLECTION, AuditAction.ALTERATION, AuditAction.ERASURE)


def _register_version() -> str:
    """When the data last changed: the newest collection, alteration and erasure rows (one
    index lookup each on the audit log's (action, time) index), and the register's newest
    id (people added without an audit row, as bulk loads do)."""
    parts = []
    for action in CHANGES:
        at = (
            AuditEvent.objects.filter(action=action)
            .order_by("-at")
            .values_list("at", flat=True)
            .first()
        )
        parts.append(at.isoformat() if at else "-")
    parts.append(str(Person.objects.aggregate(last=Max("pk"))["last"]))
    return "|".join(parts)


def panels_for(unit: OrgUnit, period: Period, picture: nrm.Picture) -> list[nrm.Panel]:
    """The picture's panels; for a partner (disclosure control) from the cache when the
    register has not changed since they were released."""
    if not picture.secret:
        return picture.panels()
    key = f"nrm-released:{unit.pk}:{period.code}:{_register_version()}"
    panels: list[nrm.Panel] | None = cache.get(key)
    if panels is None:
        panels = picture.panels()
        cache.set(key, panels, CACHE_SECONDS)
    return panels


@login_required
@require_GET
def nrm_picture(request: AuthenticatedRequest) -> HttpResponse:
    unit, choices, period, error, refused, picture, form = _picture(request)
    return render(
        request,
        "cases/nrm/picture.html",
        {
            "unit": unit,
            "choices": choices,
            "period": period,
            "period_error": error,
            "form": form,
            "panels": [] if refused else panels_for(unit, period, picture),
            "secret": picture.secret,
            "query": f"orgunit={unit.code}&period={period.code}",
        },
        status=400 if refused else 200,
    )


@login_required
@require_GET
def nrm_download(request: AuthenticatedRequest, panel: str, fmt: str) -> HttpResponse:
    unit, _, period, error, refused, picture, _form = _picture(request)
    if error and not refused:
        # A download answers any well-written period (the picker offers only those holding
        # referrals; another is all noughts), but never a badly written one.
        try:
            period = Period.parse(request.GET.get("period", ""))
        except PeriodError:
            refused = True
        else:
            picture = nrm.Picture(nrm.forces_of(unit), period, secret=picture.secret)
    if refused:  # by disclosure control, or not a period at all
        return HttpResponseBadRequest(error, content_type="text/plain; charset=utf-8")
    found = next((p for p in panels_for(unit, period, picture) if p.id == panel), None)
    if found is None:
        raise Http404("No such panel")
    name = f"nrm-{panel}-{unit.code}-{period.code}"
    rows = found.export_rows()
    if fmt == "xlsx":
        notes = [f"{found.title}: {unit.name}, {period.label}", *found.notes]
        sheet = "".join(ch for ch in found.title if ch not in "[]:*?/\\")
        return xlsx_response(f"{name}.xlsx", sheet, found.columns, rows, notes)
    return csv_response(f"{name}.csv", found.columns, rows)
