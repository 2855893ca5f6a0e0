"""The approval worklist page: returns awaiting approval, oldest first, filtered by return,
period and region, each with its warnings explained and its comments; several approved at
once after review (all or none, each through the approval action).

Thin, as the other collection views: access from :mod:`msoic.collection.access`, the
queue from :mod:`msoic.collection.queue`, the change from :mod:`msoic.collection.actions`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from msoic.catalogue.loader import get_catalogue
from msoic.collection import access as collection_access
from msoic.collection import actions
from msoic.collection.queue import (
    FILTER_NAMES,
    QUEUE_ORDER,
    QueueFilterForm,
    awaiting_approval,
    describe,
    filter_from_query,
    queue_items,
    queue_period_kinds,
)
from msoic.collection.views import AuthenticatedRequest
from msoic.orgunits.models import OrgUnit

PAGE_SIZE = 50


def _chosen(request: AuthenticatedRequest) -> tuple[list[tuple[int, int]], int]:
    """The returns ticked, as (return, version seen) pairs, and how many values were not
    of that shape."""
    pairs: list[tuple[int, int]] = []
    bad = 0
    for raw in request.POST.getlist("approve"):
        pk, _, version = raw.partition(":")
        if pk.isdigit() and version.isdigit():
            pairs.append((int(pk), int(version)))
        else:
            bad += 1
    return list(dict.fromkeys(pairs)), bad


@login_required
@require_http_methods(["GET", "POST"])
def approval_queue(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    if not collection_access.can_approve(user):
        raise PermissionDenied("Only the national team approves returns")
    catalogue = get_catalogue()
    regions = list(OrgUnit.objects.regions().order_by("name"))
    # The filters are in the URL, for the list and for the approval POST alike. A period
    # asked for stays a choice once nothing in it waits (after approving its last return).
    period_kinds = queue_period_kinds(user, catalogue)
    periods = sorted(period_kinds)
    asked = filter_from_query(request.GET).period
    if asked is not None and asked not in periods:
        periods = sorted([*periods, asked])
    form = QueueFilterForm(
        request.GET if any(request.GET.get(n) for n in FILTER_NAMES) else None,
        catalogue=catalogue,
        periods=periods,
        regions=regions,
        period_kinds=period_kinds,
    )
    flt = form.chosen()
    errors: list[str] = []
    ticked: set[str] = set()
    if request.method == "POST":
        pairs, bad = _chosen(request)
        ticked = set(request.POST.getlist("approve"))
        subs = {
            s.pk: s
            for s in awaiting_approval(user)
            .select_related("orgunit")
            .filter(pk__in=[pk for pk, _ in pairs])
        }
        outside = bad + sum(1 for pk, _ in pairs if pk not in subs)
        if not pairs and not bad:
            errors.append("Choose at least one return to approve")
        elif outside:
            # Not ones this user may approve: already approved, or not theirs to see.
            errors.append(
                f"{outside} of the returns you chose cannot be approved by you (already "
                "approved, or not a return you may approve): nothing was approved"
            )
        else:
            try:
                done = actions.do_approve_submissions(
                    [(subs[pk], version) for pk, version in pairs],
                    actor=user,
                    describe=lambda s: describe(catalogue, s),
                )
            except ValidationError as exc:
                errors += [*exc.messages, "Nothing was approved"]
            else:
                messages.success(
                    request,
                    f"{len(done)} return{'s' if len(done) != 1 else ''} approved and locked",
                )
                target = reverse("returns-approvals")
                return redirect(f"{target}?{flt.query()}" if flt.any else target)
    queue = flt.apply(awaiting_approval(user))
    page = Paginator(
        queue.select_related("orgunit__parent", "current_version__submitted_by").order_by(
            *QUEUE_ORDER
        ),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    items = queue_items(catalogue, list(page.object_list))
    context: dict[str, Any] = {
        "form": form,
        "filter": flt,
        "filter_query": flt.query(),
        "page": page,
        "items": items,
        "errors": errors,
        "ticked": ticked,
        "total": page.paginator.count,
    }
    return render(request, "collection/approvals.html", context, status=400 if errors else 200)
