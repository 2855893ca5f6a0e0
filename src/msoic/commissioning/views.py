"""Web pages for commissioning: envelopes and their position, bid windows, bids and their
decisions, spend returns, approved bids by region, and next year's allocations. Views are
thin: access through :mod:`msoic.commissioning.access`, changes through
:mod:`msoic.commissioning.actions`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from msoic.accounts.models import User
from msoic.commissioning import access as commissioning_access
from msoic.commissioning import actions
from msoic.commissioning.forms import (
    AllocationForm,
    BidForm,
    DecisionForm,
    EnvelopeForm,
    SpendForm,
    WindowForm,
)
from msoic.commissioning.models import Bid, BidStatus, BidWindow, FundingAllocation
from msoic.commissioning.summary import (
    REGION_HEADER,
    bids_by_region,
    positions,
    region_chart,
    region_export_rows,
)
from msoic.web.exports import csv_response, xlsx_response


class AuthenticatedRequest(HttpRequest):
    user: User


def _require_see(user: User) -> None:
    if not commissioning_access.can_see_commissioning(user):
        raise PermissionDenied("Commissioning is for forces, coordinators and the unit")


def _require_unit(user: User) -> None:
    if not commissioning_access.can_manage_commissioning(user):
        raise PermissionDenied("Only the unit's commissioning team may do this")


def _attempt(request: AuthenticatedRequest, change: Callable[[], Any], done: str) -> bool:
    """Run an action; a refused change (bad input, an overdraw) becomes a message."""
    try:
        change()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return False
    messages.success(request, done)
    return True


def _form_page(
    request: AuthenticatedRequest, form: Any, title: str, intro: str = "", back: str = ""
) -> HttpResponse:
    return render(
        request,
        "commissioning/form.html",
        {"form": form, "title": title, "intro": intro, "back": back},
    )


@login_required
@require_GET
def hub(request: AuthenticatedRequest) -> HttpResponse:
    """The commissioning position of every envelope, open windows and the allocations."""
    user = request.user
    _require_see(user)
    envelopes = list(
        commissioning_access.envelopes_visible_to(user).order_by("-financial_year", "name")
    )
    found = positions(envelopes)
    today = timezone.localdate()
    windows = list(
        BidWindow.objects.filter(envelope__in=envelopes, closes__gte=today)
        .select_related("envelope")
        .order_by("closes")
    )
    context = {
        "rows": [(e, found[e.pk]) for e in envelopes],
        "windows": windows,
        "today": today,
        "bidder": commissioning_access.bidding_orgunit(user),
        "unit": commissioning_access.can_manage_commissioning(user),
        "allocations": list(FundingAllocation.objects.order_by("-financial_year", "programme")),
        "my_bids": commissioning_access.bids_visible_to(user).count(),
    }
    return render(request, "commissioning/hub.html", context)


@login_required
@require_GET
def envelope_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    envelope = commissioning_access.get_envelope_for_user(user, pk)
    rows = bids_by_region(envelope)
    today = timezone.localdate()
    context = {
        "envelope": envelope,
        "position": positions([envelope])[envelope.pk],
        "windows": list(envelope.windows.all()),
        "regions": rows,
        "totals": {
            "approved": sum(r.approved for r in rows),
            "part_funded": sum(r.part_funded for r in rows),
            "declined": sum(r.declined for r in rows),
            "waiting": sum(r.waiting for r in rows),
            "awarded": sum(r.awarded for r in rows),
        },
        "chart": region_chart(envelope, rows),
        "today": today,
        "bidder": commissioning_access.bidding_orgunit(user),
        "unit": commissioning_access.can_manage_commissioning(user),
    }
    return render(request, "commissioning/envelope.html", context)


@login_required
@require_GET
def envelope_regions_download(request: AuthenticatedRequest, pk: int, fmt: str) -> HttpResponse:
    envelope = commissioning_access.get_envelope_for_user(request.user, pk)
    rows = region_export_rows(bids_by_region(envelope))
    name = f"approved-bids-by-region-{envelope.financial_year}-{envelope.pk}"
    if fmt == "csv":
        return csv_response(f"{name}.csv", REGION_HEADER, rows)
    if fmt == "xlsx":
        notes = [f"{envelope.name}, {envelope.source}, {envelope.financial_year}"]
        return xlsx_response(f"{name}.xlsx", "Bids by region", REGION_HEADER, rows, notes)
    raise Http404("No such format")


@login_required
@require_http_methods(["GET", "POST"])
def envelope_new(request: AuthenticatedRequest) -> HttpResponse:
    _require_unit(request.user)
    form = EnvelopeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        made: list[Any] = []
        if _attempt(
            request,
            lambda: made.append(
                actions.do_create_funding_envelope(actor=request.user, **form.cleaned_data)
            ),
            "Funding envelope created",
        ):
            return redirect("commissioning-envelope", pk=made[0].pk)
    return _form_page(request, form, "New funding envelope", back="commissioning")


@login_required
@require_http_methods(["GET", "POST"])
def window_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    envelope = commissioning_access.get_envelope_for_user(request.user, pk)
    _require_unit(request.user)
    form = WindowForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _attempt(
            request,
            lambda: actions.do_open_bid_window(envelope, actor=request.user, **form.cleaned_data),
            "Bid window opened",
        ):
            return redirect("commissioning-envelope", pk=envelope.pk)
    return _form_page(request, form, f"New bid window: {envelope.name}")


@login_required
@require_http_methods(["GET", "POST"])
def allocation_new(request: AuthenticatedRequest) -> HttpResponse:
    _require_unit(request.user)
    form = AllocationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _attempt(
            request,
            lambda: actions.do_set_funding_allocation(actor=request.user, **form.cleaned_data),
            "Allocation saved",
        ):
            return redirect("commissioning")
    return _form_page(
        request,
        form,
        "Funding allocation",
        intro="A programme has one allocation a year: saving another replaces it (the "
        "audit log keeps the old figure).",
    )


@login_required
@require_http_methods(["GET", "POST"])
def bid_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    window = commissioning_access.get_bid_window_for_user(user, pk)
    orgunit = commissioning_access.bidding_orgunit(user)
    if orgunit is None:
        raise PermissionDenied("Forces and ROCUs bid; the unit decides")
    form = BidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        made: list[Bid] = []
        if _attempt(
            request,
            lambda: made.append(actions.do_submit_bid(window, actor=user, orgunit=orgunit, **data)),
            "Bid submitted",
        ):
            return redirect("commissioning-bid", pk=made[0].pk)
    return _form_page(
        request,
        form,
        f"Bid for {orgunit.name}: {window.title}",
        intro=f"{window.envelope.name} ({window.envelope.financial_year}). The window is open "
        f"from {window.opens:%d %B %Y} to {window.closes:%d %B %Y}.",
    )


@login_required
@require_GET
def bid_list(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    _require_see(user)
    bids = (
        commissioning_access.bids_visible_to(user)
        .select_related("window__envelope", "orgunit", "region")
        .order_by("-submitted_at", "-pk")
    )
    status = request.GET.get("status", "")
    if status in BidStatus.values:
        bids = bids.filter(status=status)
    else:
        status = ""
    page = Paginator(bids, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "commissioning/bid_list.html",
        {"page": page, "status": status, "statuses": BidStatus.choices},
    )


@login_required
@require_GET
def bid_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    bid = commissioning_access.get_bid_for_user(user, pk)
    return _bid_page(request, bid, DecisionForm(), SpendForm())


def _bid_page(
    request: AuthenticatedRequest,
    bid: Bid,
    decision: DecisionForm,
    spend: SpendForm,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    spends = list(bid.spend_returns.select_related("recorded_by"))
    spent = sum(s.amount_pence for s in spends)
    context = {
        "bid": bid,
        "spends": spends,
        "spent": spent,
        "unspent": (
            bid.amount_awarded_pence - spent if bid.amount_awarded_pence is not None else None
        ),
        "can_decide": commissioning_access.can_manage_commissioning(user) and not bid.is_decided,
        "can_spend": bid.is_awarded and commissioning_access.can_record_spend(user, bid),
        "decision_form": decision,
        "spend_form": spend,
    }
    return render(request, "commissioning/bid.html", context, status=status)


@login_required
@require_POST
def bid_decide(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    bid = commissioning_access.get_bid_for_user(user, pk)
    _require_unit(user)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _bid_page(request, bid, form, SpendForm(), status=400)
    data = form.cleaned_data
    _attempt(
        request,
        lambda: actions.do_decide_bid(
            bid, actor=user, outcome=data["outcome"], reason=data["reason"], amount=data["amount"]
        ),
        "Decision recorded",
    )
    return redirect("commissioning-bid", pk=bid.pk)


@login_required
@require_POST
def bid_spend(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    bid = commissioning_access.get_bid_for_user(user, pk)
    if not commissioning_access.can_record_spend(user, bid):
        raise PermissionDenied("Only the bidder or the unit reports spend against an award")
    form = SpendForm(request.POST)
    if not form.is_valid():
        return _bid_page(request, bid, DecisionForm(), form, status=400)
    _attempt(
        request,
        lambda: actions.do_record_spend(bid, actor=user, **form.cleaned_data),
        "Spend recorded",
    )
    return redirect("commissioning-bid", pk=bid.pk)
