"""Pages of reports: the list, a template's editor with its history, an edition's page
(builds with progress, approval, publication), a published report for every reader, and
what has changed since publication. Thin views: access through
:mod:`msoic.reports.access`, changes through :mod:`msoic.reports.actions`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from msoic.accounts.models import User
from msoic.metrics.periods import Period
from msoic.reports import access, actions, library
from msoic.reports import render as output
from msoic.reports.forms import BuildForm, EditionForm, StatusForm, TemplateForm
from msoic.reports.models import Edition, ReportTemplate
from msoic.reports.tags import TemplateError


class AuthenticatedRequest(HttpRequest):
    user: User


def _require_manager(user: User) -> None:
    if not access.can_manage_reports(user):
        raise PermissionDenied("Report templates and drafts are for the unit")


def _require_reader(user: User) -> None:
    if not access.can_read_reports(user):
        raise PermissionDenied("Reports are for signed-in users")


@login_required
@require_http_methods(["GET", "POST"])
def report_list(request: AuthenticatedRequest) -> HttpResponse:
    _require_reader(request.user)
    manager = access.can_manage_reports(request.user)
    form = EditionForm(request.POST or None)
    if request.method == "POST":
        _require_manager(request.user)
        if form.is_valid():
            name = form.cleaned_data["template"]
            try:
                template = ReportTemplate.objects.filter(name=name).first()
                if template is None:
                    template = actions.do_adopt_shipped_template(name, actor=request.user)
                edition = actions.do_create_edition(
                    template, form.cleaned_data["period"], actor=request.user
                )
            except actions.ReportError as exc:
                form.add_error("period", str(exc))
            else:
                return redirect("reports-edition", edition.pk)
    stored = {t.name: t for t in ReportTemplate.objects.all()}
    templates = [
        {"name": n, "title": stored[n].title if n in stored else "", "stored": n in stored}
        for n in sorted(set(stored) | set(library.shipped_names()))
    ]
    editions = access.editions_visible_to(request.user).select_related("template")
    return render(
        request,
        "reports/list.html",
        {"manager": manager, "templates": templates, "editions": editions, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request: AuthenticatedRequest, name: str) -> HttpResponse:
    _require_manager(request.user)
    template = ReportTemplate.objects.filter(name=name).first()
    if template is None and library.shipped_text(name) is None:
        raise Http404("No such template")
    text, version = actions.template_text(name)
    form = TemplateForm(request.POST or None, initial={"text": text})
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            if template is None:
                template = actions.do_adopt_shipped_template(name, actor=request.user)
            saved = actions.do_save_template_version(
                template, form.cleaned_data["text"], form.cleaned_data["note"], actor=request.user
            )
        except TemplateError as exc:
            problems = exc.problems
        else:
            messages.success(request, f"Saved as version {saved.number}")
            return redirect("reports-template", name)
    versions = template.versions.select_related("created_by") if template else []
    return render(
        request,
        "reports/template.html",
        {
            "name": name,
            "template": template,
            "version": version,
            "versions": versions,
            "form": form,
            "problems": problems,
        },
    )


@login_required
@require_GET
def edition_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    edition = access.get_edition_for_user(request.user, pk)
    if not access.can_manage_reports(request.user):
        return _published_page(request, edition)
    builds = edition.builds.select_related("created_by")[:10]
    context: dict[str, Any] = {
        "edition": edition,
        "builds": builds,
        "formats": output.FORMATS,
        "current": edition.template.current(),
    }
    if edition.is_published:
        context.update(output.context(actions.published(edition)))
    elif request.GET.get("preview") and context["current"] is not None:
        # The draft as it reads now, built in the request (a second or two for the annual
        # report); problems listed with their template lines.
        version = edition.approved_version or context["current"]
        try:
            draft = actions.build_text(version.text, Period.parse(edition.period), version=version)
        except TemplateError as exc:
            context["preview_errors"] = exc.problems
        else:
            context.update(output.context(draft))
            context.update(preview=True, preview_errors=draft.errors)
    return render(request, "reports/edition.html", context)


def _published_page(request: AuthenticatedRequest, edition: Edition) -> HttpResponse:
    return render(
        request,
        "reports/published.html",
        {
            "edition": edition,
            "formats": output.FORMATS,
            **output.context(actions.published(edition)),
        },
    )


@login_required
@require_POST
def edition_build(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    edition = access.get_edition_for_user(request.user, pk)
    _require_manager(request.user)
    form = BuildForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a format")
        return redirect("reports-edition", edition.pk)
    job = actions.do_start_build(edition, form.cleaned_data["fmt"], actor=request.user)
    return redirect("reports-build-detail", job.pk)


@login_required
@require_POST
def edition_status(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    edition = access.get_edition_for_user(request.user, pk)
    _require_manager(request.user)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose approve, publish or back to draft")
        return redirect("reports-edition", edition.pk)
    step = {
        "approve": actions.do_approve_edition,
        "publish": actions.do_publish_edition,
        "draft": actions.do_return_to_draft,
    }[form.cleaned_data["action"]]
    try:
        edition = step(edition, actor=request.user)
    except actions.ReportError as exc:
        return render(
            request,
            "reports/refused.html",
            {"edition": edition, "message": str(exc), "problems": exc.problems},
            status=409,
        )
    messages.success(request, f"The report is {edition.get_status_display().lower()}")
    return redirect("reports-edition", edition.pk)


@login_required
@require_GET
def edition_changes(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    edition = access.get_edition_for_user(request.user, pk)
    _require_manager(request.user)
    if not edition.is_published:
        raise Http404("This report is not published")
    changes = actions.changes_since_publication(edition)
    return render(request, "reports/changes.html", {"edition": edition, "changes": changes})


@login_required
@require_GET
def published_file(request: AuthenticatedRequest, pk: int, fmt: str) -> HttpResponse:
    edition = access.get_edition_for_user(request.user, pk)
    if not edition.is_published:
        raise Http404("This report is not published")
    data = output.render(actions.published(edition), fmt)
    return _download(data, fmt, f"{edition.template.name}-{edition.period}.{fmt}")


def _download(data: bytes, fmt: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=output.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def build_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Progress, then the result. HTMX polls this page for its progress fragment."""
    job = access.get_build_for_user(request.user, pk)
    template = "reports/_build.html" if request.headers.get("HX-Request") else "reports/build.html"
    response = render(request, template, {"job": job})
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def build_file(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    job = access.get_build_for_user(request.user, pk)
    if job.output is None:
        raise Http404("This build has no file")
    return _download(bytes(job.output), job.fmt, job.filename)
