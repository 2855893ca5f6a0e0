"""Web pages of the investigation register: the Investigations hub, a force's register
(filters, pages, CSV/XLSX export), an investigation with its people, and the forms that
change them. Views are thin: records through :mod:`msoic.accounts.access` (another force's
case is a 404 and a ``denied`` audit row), changes through :mod:`msoic.cases.register.actions`,
and every record holding personal data is opened only with a justification
(:mod:`msoic.cases.consultation`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from msoic.accounts.models import User
from msoic.cases import access, consultation
from msoic.cases.common import AuthenticatedRequest
from msoic.cases.common import own_force as _own_force
from msoic.cases.common import require_register as _require_register
from msoic.cases.consultation import Subjects
from msoic.cases.models import Category, Investigation, Person, Status
from msoic.cases.register import actions
from msoic.cases.register.forms import (
    EVENT_ALIASES,
    EVENTS,
    MAX_FILES,
    CloseForm,
    EventForm,
    ExportForm,
    InvestigationForm,
    PersonForm,
    RegisterFilterForm,
    RegisterImportForm,
    ReviewForm,
    add_problems,
)
from msoic.cases.register.importer import import_files, template_bytes
from msoic.cases.rules import RegisterRuleError, catalogue_options, nationality_name
from msoic.orgunits.models import OrgUnit
from msoic.web.exports import csv_response, xlsx_response

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000
RECORDED = "Recorded it (entered by this user)"


def _require_edit(user: User, investigation: Investigation) -> None:
    if not access.can_edit_investigation(user, investigation):
        raise PermissionDenied("Only the force's own users change its register")


def _attempt(form: Any, change: Callable[[], Any], aliases: dict[str, str] | None = None) -> Any:
    """Run an action; rule problems go back onto the form (None is returned)."""
    try:
        return change()
    except RegisterRuleError as exc:
        add_problems(form, exc.problems, aliases)
    except ValidationError as exc:
        for message in exc.messages:
            form.add_error(None, message)
    return None


# --- hub ---------------------------------------------------------------------------------


@login_required
@require_GET
def hub(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    if not access.can_see_investigations_hub(user):
        raise PermissionDenied("Investigations are for forces, coordinators, the unit and partners")
    return render(
        request,
        "cases/register/hub.html",
        {
            "register": access.can_see_register(user),
            "can_enter": access.register_forces_writable(user).exists(),
            "is_national": user.role == "national",
            "is_partner": user.role == "partner",
        },
    )


# --- the register list -------------------------------------------------------------------


def _filtered_register(
    request: AuthenticatedRequest, params: Any = None
) -> tuple[RegisterFilterForm, QuerySet[Investigation], list[OrgUnit], dict[str, Any]]:
    """The register filtered by ``params`` (the query string by default; the export's
    posted form carries the same filters)."""
    user = request.user
    forces = list(access.register_forces_readable(user).order_by("name"))
    given = {
        key: value
        for key, value in (request.GET if params is None else params).items()
        if key in RegisterFilterForm.base_fields or key == "page"
    }
    form = RegisterFilterForm(given or None, forces=[(f.code, f.name) for f in forces])
    qs = access.investigations_visible_to(user)
    applied: dict[str, Any] = {}
    if not form.is_bound:
        if len(forces) == 1:
            qs = qs.filter(force=forces[0])
        return form, qs, forces, applied
    form.is_valid()
    if "force" in form.errors:
        raise PermissionDenied("You cannot see that force's register")
    data = {k: v for k, v in form.cleaned_data.items() if k not in form.errors}
    by_code = {f.code: f for f in forces}
    if data.get("force"):
        qs = qs.filter(force=by_code[data["force"]])
        applied["force"] = data["force"]
    elif len(forces) == 1:
        qs = qs.filter(force=forces[0])
    if data.get("status"):
        qs = qs.filter(status=data["status"])
        applied["status"] = data["status"]
    if data.get("exploitation"):
        qs = qs.filter(primary_exploitation=data["exploitation"])
        applied["exploitation"] = data["exploitation"]
    days = data.get("not_reviewed_days")
    if days:
        cutoff = timezone.localdate() - timedelta(days=days)
        qs = qs.filter(
            Q(last_reviewed_on__lt=cutoff) | Q(last_reviewed_on__isnull=True, opened_on__lt=cutoff)
        )
        applied["not_reviewed_days"] = days
    return form, qs, forces, applied


@login_required
@require_GET
def register(request: AuthenticatedRequest) -> HttpResponse:
    _require_register(request.user)
    form, qs, forces, applied = _filtered_register(request)
    page = Paginator(
        qs.select_related("force").order_by("force_id", "crime_reference"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    counts: dict[int, dict[str, Any]] = {
        row["investigation_id"]: dict(row)
        for row in Person.objects.filter(investigation__in=[r.pk for r in rows])
        .values("investigation_id")
        .annotate(
            people=Count("pk"),
            victims=Count("pk", filter=Q(category=Category.VICTIM)),
            suspects=Count("pk", filter=Q(category=Category.SUSPECT)),
        )
    }
    for row in rows:
        found = counts.get(row.pk, {})
        row.n_people = found.get("people", 0)  # type: ignore[attr-defined]
        row.n_victims = found.get("victims", 0)  # type: ignore[attr-defined]
        row.n_suspects = found.get("suspects", 0)  # type: ignore[attr-defined]
    consultation.do_record_consultation(
        actor=request.user,
        step="cases.view_register",
        subjects=Subjects.of(investigations=rows),
        object_type="cases.investigation",
    )
    return render(
        request,
        "cases/register/register.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "many_forces": len(forces) > 1,
            "query": urlencode(applied),
            "applied": applied,
            "can_enter": access.register_forces_writable(request.user).exists(),
            "labels": catalogue_options("exploitation_type"),
            "reasons": consultation.REASONS,
            "other": consultation.OTHER,
        },
    )


EXPORT_HEADER = (
    "Force",
    "Crime reference",
    "Opened",
    "Closed",
    "Status",
    "Outcome",
    "Primary exploitation type",
    "Exploitation types",
    "Linked to an OCG",
    "OIC related",
    "Last reviewed",
    "People",
    "Person references (pseudonymous)",
)


@login_required
@require_POST
def register_export(request: AuthenticatedRequest) -> HttpResponse:
    """The filtered register as CSV or XLSX: pseudonymous person references only. A posted
    form (with its CSRF token), never a link; the download is a ``disclosure`` row naming
    the owning forces, the recipient, the purpose and the references disclosed."""
    _require_register(request.user)
    export = ExportForm(request.POST)
    _form, qs, _forces, applied = _filtered_register(request, request.POST)
    back = f"{reverse('cases-register')}?{urlencode(applied)}"
    if not export.is_valid():
        for errors in export.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(back)
    total = qs.count()
    if total > EXPORT_LIMIT:
        messages.error(
            request,
            f"{total:,} investigations match: choose a force or filters that give "
            f"{EXPORT_LIMIT:,} or fewer to download",
        )
        return redirect(back)
    investigations = list(qs.select_related("force").order_by("force_id", "crime_reference"))
    references: dict[int, list[str]] = {}
    owners: dict[str, str] = {}
    for inv_id, ref, owner in (
        Person.objects.filter(investigation__in=qs)
        .order_by("reference")
        .values_list("investigation_id", "reference", "force__code")
    ):
        references.setdefault(inv_id, []).append(ref)
        owners[ref] = owner
    rows = [
        (
            inv.force.name,
            inv.crime_reference,
            inv.opened_on,
            inv.closed_on,
            inv.get_status_display(),
            inv.get_outcome_display() if inv.outcome else "",
            inv.primary_exploitation,
            "; ".join(inv.exploitation_types),
            inv.ocg_linked,
            inv.oic_related,
            inv.last_reviewed_on,
            len(references.get(inv.pk, [])),
            "; ".join(references.get(inv.pk, [])),
        )
        for inv in investigations
    ]
    fmt = export.cleaned_data["format"]
    consultation.do_record_disclosure(
        actor=request.user,
        step="cases.export_register",
        subjects=Subjects.from_refs(
            owners.items(), ((inv.force.code, inv.crime_reference) for inv in investigations)
        ),
        recipient=export.cleaned_data["recipient"],
        purpose=export.cleaned_data["purpose"],
        object_type="cases.investigation",
        format=fmt,
        rows=len(rows),
        filters=applied,
    )
    stamp = timezone.localdate().isoformat()
    if fmt == "xlsx":
        return xlsx_response(
            f"register-{stamp}.xlsx",
            "Register",
            EXPORT_HEADER,
            rows,
            notes=["OFFICIAL-SENSITIVE: personal data (pseudonymous references)"],
        )
    return csv_response(f"register-{stamp}.csv", EXPORT_HEADER, rows)


# --- consultation --------------------------------------------------------------------------


def _justify(
    request: AuthenticatedRequest, obj: Investigation | Person, default: str
) -> HttpResponse:
    next_url = consultation.safe_next(
        request, request.POST.get("next") or request.GET.get("next", ""), default
    )
    if consultation.has_consulted(request, obj):
        return HttpResponseRedirect(next_url)
    # No reason is chosen beforehand (not even the last one given): the user says why.
    form = consultation.JustificationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        consultation.note_justification(request, obj, form.justification())
        return HttpResponseRedirect(next_url)
    investigation = obj if isinstance(obj, Investigation) else obj.investigation
    return render(
        request,
        "cases/justify.html",
        {
            "form": form,
            "obj": obj,
            "investigation": investigation,
            "is_person": isinstance(obj, Person),
            "next": next_url,
            "other": consultation.OTHER,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def investigation_justify(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    investigation = access.get_investigation_for_user(request.user, pk)
    return _justify(request, investigation, reverse("cases-investigation", args=[pk]))


@login_required
@require_http_methods(["GET", "POST"])
def person_justify(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = access.get_person_for_user(request.user, pk)
    return _justify(request, person, reverse("cases-person", args=[pk]))


# --- investigations ------------------------------------------------------------------------


def _form_values(form: Any) -> dict[str, Any]:
    return dict(form.cleaned_data)


@login_required
@require_http_methods(["GET", "POST"])
def investigation_new(request: AuthenticatedRequest) -> HttpResponse:
    force = access.register_forces_writable(request.user).first()
    if force is None:
        raise PermissionDenied("Only a force's own users record its investigations")
    form = InvestigationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = _attempt(
            form,
            lambda: actions.do_create_investigation(
                force, actor=request.user, **_form_values(form)
            ),
        )
        if created is not None:
            consultation.note_justification(request, created, RECORDED)
            messages.success(request, f"Investigation {created.crime_reference} recorded")
            return redirect("cases-investigation", created.pk)
    return render(
        request,
        "cases/register/form.html",
        {"form": form, "title": f"Record an investigation for {force.name}", "button": "Save"},
    )


@login_required
@require_GET
def investigation_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    investigation = access.get_investigation_for_user(request.user, pk)
    if (ask := consultation.require_consultation(request, investigation)) is not None:
        return ask
    labels = catalogue_options("exploitation_type")
    people = _log_investigation(request, investigation, "cases.view_investigation")
    return render(
        request,
        "cases/register/investigation.html",
        {
            "inv": investigation,
            "people": people,
            "reviews": list(investigation.reviews.select_related("reviewed_by")[:10]),
            "types": [labels.get(t, t) for t in investigation.exploitation_types],
            "primary": labels.get(investigation.primary_exploitation, ""),
            "ages": catalogue_options("age_group"),
            "can_edit": access.can_edit_investigation(request.user, investigation),
        },
    )


def _log_investigation(
    request: AuthenticatedRequest, investigation: Investigation, step: str
) -> list[Person]:
    """A page about one investigation opens the case record: its row names the
    investigation and everyone on it. Returns the people, for the page."""
    people = list(investigation.people.all())
    for person in people:
        person.force = investigation.force  # the same force, already loaded
    consultation.do_record_consultation(
        actor=request.user,
        step=step,
        subjects=Subjects.of(people, [investigation]),
        obj=investigation,
        justification=consultation.justification_for(request, investigation),
    )
    return people


def _editable_investigation(
    request: AuthenticatedRequest, pk: int
) -> tuple[Investigation, HttpResponse | None]:
    investigation = access.get_investigation_for_user(request.user, pk)
    _require_edit(request.user, investigation)
    return investigation, consultation.require_consultation(request, investigation)


@login_required
@require_http_methods(["GET", "POST"])
def investigation_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    investigation, ask = _editable_investigation(request, pk)
    if ask is not None:
        return ask
    initial = {name: getattr(investigation, name) for name in InvestigationForm.base_fields}
    form = InvestigationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = _attempt(
            form,
            lambda: actions.do_update_investigation(
                investigation, actor=request.user, **_form_values(form)
            ),
        )
        if done is not None:
            messages.success(request, "Investigation updated")
            return redirect("cases-investigation", pk)
    _log_investigation(request, investigation, "cases.edit_investigation")
    return render(
        request,
        "cases/register/form.html",
        {
            "form": form,
            "title": f"Update investigation {investigation.crime_reference}",
            "button": "Save changes",
            "back": reverse("cases-investigation", args=[pk]),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def investigation_close(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    investigation, ask = _editable_investigation(request, pk)
    if ask is not None:
        return ask
    if investigation.status == Status.CLOSED:
        messages.error(request, "This investigation is already closed")
        return redirect("cases-investigation", pk)
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _attempt(
            form,
            lambda: actions.do_close_investigation(
                investigation, actor=request.user, **_form_values(form)
            ),
        )
        if done is not None:
            messages.success(request, "Investigation closed")
            return redirect("cases-investigation", pk)
    return render(
        request,
        "cases/register/form.html",
        {
            "form": form,
            "title": f"Close investigation {investigation.crime_reference}",
            "button": "Close the investigation",
            "back": reverse("cases-investigation", args=[pk]),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def investigation_review(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    investigation, ask = _editable_investigation(request, pk)
    if ask is not None:
        return ask
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _attempt(
            form,
            lambda: actions.do_review_investigation(
                investigation, actor=request.user, note=form.cleaned_data["note"]
            ),
        )
        if done is not None:
            messages.success(request, "Recorded that the investigation is still live")
            return redirect("cases-investigation", pk)
    return render(
        request,
        "cases/register/form.html",
        {
            "form": form,
            "title": f"Confirm investigation {investigation.crime_reference} is still live",
            "button": "Confirm still live",
            "back": reverse("cases-investigation", args=[pk]),
        },
    )


# --- people --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def person_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    investigation, ask = _editable_investigation(request, pk)
    if ask is not None:
        return ask
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = _attempt(
            form,
            lambda: actions.do_add_person(investigation, actor=request.user, **_form_values(form)),
        )
        if person is not None:
            consultation.note_justification(request, person, RECORDED)
            messages.success(request, f"{person.reference} added to the investigation")
            return redirect("cases-person", person.pk)
    return render(
        request,
        "cases/register/form.html",
        {
            "form": form,
            "title": f"Add a person to investigation {investigation.crime_reference}",
            "caption": "No names: the register gives the person a pseudonymous reference",
            "button": "Add the person",
            "back": reverse("cases-investigation", args=[pk]),
        },
    )


@login_required
@require_GET
def person_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = access.get_person_for_user(request.user, pk)
    if (ask := consultation.require_consultation(request, person)) is not None:
        return ask
    _log_person(request, person, "cases.view_person")
    return render(
        request,
        "cases/register/person.html",
        {
            "person": person,
            "inv": person.investigation,
            "age": catalogue_options("age_group").get(person.age_group, person.age_group),
            "nationality": nationality_name(person.nationality),
            "can_edit": access.can_edit_investigation(request.user, person.investigation),
            "can_record": person.category in EVENTS,
        },
    )


def _log_person(request: AuthenticatedRequest, person: Person, step: str) -> None:
    consultation.do_record_consultation(
        actor=request.user,
        step=step,
        subjects=Subjects.of_people([person]),
        obj=person,
        justification=consultation.justification_for(request, person),
    )


def _editable_person(request: AuthenticatedRequest, pk: int) -> tuple[Person, HttpResponse | None]:
    person = access.get_person_for_user(request.user, pk)
    _require_edit(request.user, person.investigation)
    return person, consultation.require_consultation(request, person)


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person, ask = _editable_person(request, pk)
    if ask is not None:
        return ask
    initial = {name: getattr(person, name) for name in PersonForm.base_fields}
    form = PersonForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = _attempt(
            form, lambda: actions.do_update_person(person, actor=request.user, **_form_values(form))
        )
        if done is not None:
            messages.success(request, f"{person.reference} updated")
            return redirect("cases-person", pk)
    _log_person(request, person, "cases.edit_person")
    return render(
        request,
        "cases/register/form.html",
        {
            "form": form,
            "title": f"Update {person.reference}",
            "button": "Save changes",
            "back": reverse("cases-person", args=[pk]),
        },
    )


def _record_event(person: Person, user: User, data: dict[str, Any]) -> Person:
    event, on = data["event"], data["date"]
    if event == "nrm":
        return actions.do_record_nrm_referral(
            person, actor=user, referred_on=on, by_police=data["by_police"]
        )
    if event in ("rg", "cg"):
        return actions.do_record_decision(
            person, actor=user, stage=event, decision=data["decision"], decided_on=on
        )
    if event == "dtn":
        return actions.do_record_dtn(person, actor=user, reported_on=on)
    if event == "arrest":
        return actions.do_record_arrest(person, actor=user, arrested_on=on)
    return actions.do_record_charge(person, actor=user, charged_on=on)


@login_required
@require_http_methods(["GET", "POST"])
def person_record(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person, ask = _editable_person(request, pk)
    if ask is not None:
        return ask
    if person.category not in EVENTS:
        messages.error(request, "Nothing is recorded for a witness beyond their details")
        return redirect("cases-person", pk)
    form = EventForm(request.POST or None, category=person.category)
    if request.method == "POST" and form.is_valid():
        done = _attempt(
            form, lambda: _record_event(person, request.user, form.cleaned_data), EVENT_ALIASES
        )
        if done is not None:
            messages.success(request, f"Recorded for {person.reference}")
            return redirect("cases-person", pk)
    _log_person(request, person, "cases.record_person_event")
    return render(
        request,
        "cases/register/form.html",
        {
            "form": form,
            "title": f"Record a decision or event for {person.reference}",
            "button": "Record",
            "back": reverse("cases-person", args=[pk]),
        },
    )


# --- bulk import -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def register_import(request: AuthenticatedRequest) -> HttpResponse:
    force = _own_force(request.user)
    if force is None:
        raise PermissionDenied("Only a force's own users import into its register")
    form = RegisterImportForm(request.POST or None, request.FILES or None)
    results = []
    if request.method == "POST" and form.is_valid():
        files = [(f.name, f.read()) for f in form.cleaned_data["register_files"]]
        results = import_files(
            files, force, actor=request.user, dry_run=form.cleaned_data["dry_run"]
        )
    return render(
        request,
        "cases/register/import.html",
        {
            "form": form,
            "force": force,
            "results": results,
            "max_bytes": settings.MSOIC_MAX_UPLOAD_BYTES,
            "max_files": MAX_FILES,
        },
    )


@login_required
@require_GET
def register_import_template(request: AuthenticatedRequest) -> HttpResponse:
    if _own_force(request.user) is None:
        raise PermissionDenied("Only a force's own users import into its register")
    response = HttpResponse(
        template_bytes(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="register-import-template.xlsx"'
    return response
