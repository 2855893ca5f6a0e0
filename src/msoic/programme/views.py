"""The programme's pillars on the web: everyone signed in reads them; the unit edits one.
Views are thin: changes through :mod:`msoic.programme.actions`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from msoic.programme import actions
from msoic.programme.forms import PillarForm
from msoic.programme.models import Objective, Pillar


@login_required
@require_GET
def pillars(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = [
        (p, p.in_use_on(today))
        for p in Pillar.objects.prefetch_related(
            Prefetch("objectives", queryset=Objective.objects.order_by("position"))
        )
    ]
    return render(
        request,
        "programme/pillars.html",
        {"rows": rows, "can_edit": actions.can_edit_pillars(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def pillar_edit(request: HttpRequest, code: str) -> HttpResponse:
    if not actions.can_edit_pillars(request.user):
        raise PermissionDenied("Only the unit may change the programme's pillars")
    pillar = Pillar.objects.filter(code=code).first()
    if pillar is None:
        raise Http404("No such pillar")
    initial = {
        "name": pillar.name,
        "summary": pillar.summary,
        "objectives": "\n".join(
            pillar.objectives.order_by("position").values_list("text", flat=True)
        ),
        "introduced_on": pillar.introduced_on,
        "retired_on": pillar.retired_on,
    }
    form = PillarForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_edit_pillar(pillar, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(request, f"Pillar {pillar.number} saved")
            return redirect("programme-pillars")
    return render(request, "programme/pillar_form.html", {"form": form, "pillar": pillar})
