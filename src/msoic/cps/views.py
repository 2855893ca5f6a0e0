"""Pages of CPS cases, the linkage, its clerical review and the attrition funnel. Thin views:
access through :mod:`msoic.cps.access`, changes through :mod:`msoic.cps.actions`, figures
through the metric engine (and disclosure control for partners).

Every page showing CPS case records writes an s.62 ``consultation`` row naming the cases
(their URNs), the owning forces and, on the review page, the suspect shown beside them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from msoic.accounts.access import role_of
from msoic.accounts.models import Role, User
from msoic.audit.log import record
from msoic.audit.models import AuditAction
from msoic.catalogue.loader import get_catalogue
from msoic.cps import access, actions, source
from msoic.cps.models import STUCK_AFTER, CpsCase, Link, LinkageRun, LinkStatus
from msoic.cps.offences import offences
from msoic.cps.tasks import enqueue_linkage_run
from msoic.disclosure.control import DisclosureError, controlled
from msoic.disclosure.values import release_result
from msoic.metrics import engine
from msoic.metrics.linkable import provider
from msoic.metrics.periods import Period, last_complete_month, month_end
from msoic.orgunits.models import OrgUnit, OrgUnitKind


class AuthenticatedRequest(HttpRequest):
    user: User


class ExtractForm(forms.Form):
    extract_file = forms.FileField(
        label="CPS case extract (CSV or XLSX)",
        widget=forms.ClearableFileInput(
            attrs={"class": "govuk-file-upload", "accept": ".csv,.xlsx"}
        ),
    )


def _consulted(user: User, cases: list[CpsCase], purpose: str, **extra: Any) -> None:
    if not cases:
        return
    record(
        actor=user,
        action=AuditAction.CONSULTATION,
        object_type="cps.cpscase",
        object_id=cases[0].pk if len(cases) == 1 else "",
        orgunit=getattr(user, "orgunit", None),
        justification=purpose,
        detail={
            "step": "cps.view_cases",
            "cps_cases": [c.urn for c in cases],
            "owners": sorted({c.force.code for c in cases}),
            **extra,
        },
    )


@login_required
@require_GET
def case_list(request: AuthenticatedRequest) -> HttpResponse:
    if not access.can_see_cases(request.user):
        raise PermissionDenied("CPS case records are for forces, coordinators and the unit")
    cases = (
        access.cases_visible_to(request.user).select_related("force").order_by("-charged_on", "urn")
    )
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    _consulted(request.user, shown, "Reviewing CPS outcomes of investigations")
    linked = set(
        Link.objects.filter(
            case__in=shown, status__in=[LinkStatus.AUTOMATIC, LinkStatus.CONFIRMED]
        ).values_list("case_id", flat=True)
    )
    return render(
        request,
        "cps/list.html",
        {
            "page": page,
            "cases": shown,
            "linked": linked,
            "can_manage": access.can_manage(request.user),
        },
    )


@login_required
@require_GET
def case_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = access.get_case_for_user(request.user, pk)
    _consulted(request.user, [case], "Reviewing a CPS outcome")
    links = list(case.links.select_related("force").order_by("-probability"))
    register = provider()
    labels = {o.code: o.label for o in offences().values()}
    return render(
        request,
        "cps/case.html",
        {
            "case": case,
            "versions": list(case.versions.select_related("extract").order_by("-version")),
            "links": [(link, register.url(link.investigation_id)) for link in links],
            "offences": [(c, labels.get(c, c)) for c in case.offences],
            "can_manage": access.can_manage(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def extract_import(request: AuthenticatedRequest) -> HttpResponse:
    if not access.can_manage(request.user):
        raise PermissionDenied("Only the unit imports CPS extracts")
    form = ExtractForm(request.POST or None, request.FILES or None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["extract_file"]
        outcome = actions.do_import_extract(upload.name, upload.read(), actor=request.user)
        if outcome.status == "accepted":
            messages.success(
                request,
                f"{upload.name}: {outcome.rows} cases, {outcome.new} new, {outcome.updated} "
                f"updated, {outcome.unchanged} unchanged"
                + (f"; {outcome.reopened} confirmed links reopened" if outcome.reopened else ""),
            )
            return redirect("cps-cases")
    return render(
        request,
        "cps/import.html",
        {"form": form, "outcome": outcome, "columns": actions.COLUMNS, "offences": offences()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def runs(request: AuthenticatedRequest) -> HttpResponse:
    if not access.can_manage(request.user):
        raise PermissionDenied("Only the unit runs the linkage")
    if request.method == "POST":
        run, created = actions.do_request_linkage(actor=request.user)
        if created:
            enqueue_linkage_run(run.pk)
            messages.success(request, f"Linkage run {run.pk} started on the worker")
        else:
            messages.info(
                request,
                f"Linkage run {run.pk} is already {run.get_status_display().lower()}: no second run started",
            )
        return redirect("cps-runs")
    now = timezone.now()
    shown = list(LinkageRun.objects.select_related("requested_by")[:20])
    return render(
        request,
        "cps/runs.html",
        {
            "runs": [(r, r.is_stuck(now)) for r in shown],
            "waiting": Link.objects.filter(status=LinkStatus.CLERICAL).count(),
            "stuck_after": int(STUCK_AFTER.total_seconds() // 60),
        },
    )


@login_required
@require_POST
def restart_run(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Put a stuck run back on the queue (its worker died) and give the worker its task."""
    if not access.can_manage(request.user):
        raise PermissionDenied("Only the unit runs the linkage")
    run = access.get_run_for_user(request.user, pk)
    try:
        actions.do_restart_linkage(run, actor=request.user)
    except actions.RunNotStuck as exc:
        messages.info(request, str(exc))
    else:
        enqueue_linkage_run(run.pk)
        messages.success(request, f"Linkage run {run.pk} restarted on the worker")
    return redirect("cps-runs")


@login_required
@require_GET
def review_list(request: AuthenticatedRequest) -> HttpResponse:
    if not access.can_manage(request.user):
        raise PermissionDenied("Only the unit reviews candidate pairs")
    queue = (
        access.review_queue(request.user)
        .select_related("case", "force")
        .order_by("-probability", "pk")
    )
    page = Paginator(queue, 50).get_page(request.GET.get("page"))
    return render(request, "cps/review_list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def review_pair(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    if not access.can_manage(request.user):
        raise PermissionDenied("Only the unit reviews candidate pairs")
    link = access.get_link_for_review(request.user, pk)
    if request.method == "POST":
        decision = request.POST.get("decision")
        if decision not in ("confirm", "reject"):
            messages.error(request, "Choose whether the records are the same defendant")
            return redirect("cps-review-pair", link.pk)
        actions.do_decide_link(link, actor=request.user, confirmed=decision == "confirm")
        messages.success(
            request,
            f"{link.case.urn} and {link.crime_reference}: "
            + ("confirmed" if decision == "confirm" else "rejected"),
        )
        following = access.review_queue(request.user).order_by("-probability", "pk").first()
        if following is not None:
            return redirect("cps-review-pair", following.pk)
        return redirect("cps-review")
    suspect = next(iter(provider().suspects(ids=[link.suspect_id])), None)
    if suspect is None:
        raise Http404("The suspect is no longer on the register")
    case = link.case
    _consulted(
        request.user,
        [case],
        "Reviewing a candidate link between a CPS case and an investigation",
        people=[suspect.reference],
        investigations=[f"{link.force.code}:{link.crime_reference}"],
    )
    labels = {o.code: o.label for o in offences().values()}
    return render(
        request,
        "cps/review_pair.html",
        {
            "link": link,
            "case": case,
            "suspect": suspect,
            "investigation_url": provider().url(link.investigation_id),
            "offences": [labels.get(c, c) for c in case.offences],
            "decided": link.status in (LinkStatus.CONFIRMED, LinkStatus.REJECTED),
        },
    )


# --- the funnel ----------------------------------------------------------------------------


def _default_year(partner: bool) -> Period:
    latest = (
        Link.objects.filter(status__in=[LinkStatus.AUTOMATIC, LinkStatus.CONFIRMED])
        .aggregate(last=Max("case__charged_on"))
        .get("last")
    )
    ended = last_complete_month(timezone.localdate())
    year = Period.financial_year_of(latest or ended)
    if partner:
        newest = Period.last_financial_year_to(ended)
        if year.end > newest.end:
            year = newest
    return year


def _scope(user: User) -> OrgUnit:
    national = OrgUnit.objects.get(kind=OrgUnitKind.NATIONAL)
    role = role_of(user)
    if role in (Role.REGIONAL, Role.FORCE) and user.orgunit_id:
        return OrgUnit.objects.get(pk=user.orgunit_id)
    return national


@login_required
@require_GET
def funnel(request: AuthenticatedRequest) -> HttpResponse:
    if not access.can_see_funnel(request.user):
        raise PermissionDenied("The funnel is for signed-in users with a role")
    partner = controlled(request.user)
    try:
        period = (
            Period.parse(request.GET["period"])
            if request.GET.get("period")
            else _default_year(partner)
        )
    except ValueError as exc:
        raise Http404("No such period") from exc
    if period.kind != "fy":
        raise Http404("The funnel is shown by financial year")
    orgunit = OrgUnit.objects.get(kind=OrgUnitKind.NATIONAL) if partner else _scope(request.user)
    cat = get_catalogue()
    stages: list[dict[str, Any]] = []
    refused = ""
    for code in source.STAGES:
        result = engine.query(code, orgunit, period, by=source.BREAKDOWN, catalogue=cat)
        row: dict[str, Any] = {"metric": result.metric, "value": result.value, "text": None}
        row["rows"] = [(r.label, r.value, None) for r in result.rows]
        if partner:
            try:
                released = release_result(result)
            except DisclosureError as exc:
                refused = str(exc)
                break
            shown = released.value
            row["value"] = shown.value if shown else None
            row["text"] = shown.text if shown and shown.withheld else None
            row["rows"] = [
                (
                    r.label,
                    released.rows[r.key].value,
                    released.rows[r.key].text if released.rows[r.key].withheld else None,
                )
                for r in result.rows
            ]
        stages.append(row)
    first = stages[0]["value"] if stages and stages[0]["value"] else None
    for row in stages:
        row["share"] = (
            round(100 * row["value"] / first, 1) if first and row["value"] is not None else None
        )
    days: dict[str, float | None] = {}
    if not partner:
        forces = [f.pk for f in engine.forces_under(orgunit)]
        days = source.stage_days(source.follow(forces, period.start, month_end(period.end)))
    this_year = Period.financial_year_of(timezone.localdate())
    years = [this_year]
    for _ in range(6):
        years.append(years[-1].previous_year())
    return render(
        request,
        "cps/funnel.html",
        {
            "period": period,
            "orgunit": orgunit,
            "stages": stages if not refused else [],
            "refused": refused,
            "days": days,
            "partner": partner,
            "years": years,
            "breakdown_label": cat.breakdowns[source.BREAKDOWN].label,
        },
    )
