"""The national NRM statistics page: load a release (the national team), see the series
quarter by quarter (a chart and tables) and the releases loaded. Thin: access through
:mod:`msoic.nrmstats.access`, the load through :func:`msoic.nrmstats.actions.do_load_release`,
figures from the metric engine (:mod:`msoic.nrmstats.figures`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from msoic.accounts.models import User
from msoic.nrmstats import access, actions, figures
from msoic.nrmstats.forms import ReleaseForm
from msoic.nrmstats.models import Release


class AuthenticatedRequest(HttpRequest):
    user: User


@login_required
@require_http_methods(["GET", "POST"])
def nrm_statistics(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    if not access.can_see_nrm_statistics(user):
        raise PermissionDenied("The national NRM statistics page is the national team's")
    form = ReleaseForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST":
        if not access.can_load_releases(user):
            raise PermissionDenied("Only the national team loads NRM statistics")
        if form.is_valid():
            data = form.cleaned_data
            upload = data["release_file"]
            result = actions.do_load_release(
                actor=user,
                filename=upload.name,
                data=upload.read(),
                publication=data["publication"],
                released_on=data["released_on"],
                url=data["url"],
            )
            if result.ok:
                messages.success(
                    request,
                    f"{result.release}: {result.quarters} quarters read, "
                    f"{result.changed} new or revised",
                )
                return redirect("nrm-statistics")
    shown = figures.series()
    return render(
        request,
        "nrmstats/nrm_statistics.html",
        {
            "form": form,
            "result": result,
            "series": shown,
            "chart": figures.chart(shown) if not shown.empty else None,
            "releases": Release.objects.select_related("loaded_by")[:20],
            "can_load": access.can_load_releases(user),
        },
        status=400 if result is not None and not result.ok else 200,
    )
