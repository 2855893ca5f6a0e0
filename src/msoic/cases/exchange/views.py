"""Pages of the HTCDS exchange: export as a disclosure with its recipient; import of a
partner's file onto one of the force's investigations.

Thin views: forces come from :mod:`msoic.accounts.access` (a force user imports into their
own force only; an export covers only a force the user may read), changes are the
``do_`` functions of :mod:`msoic.cases.exchange.actions`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from msoic.cases import access
from msoic.cases.common import AuthenticatedRequest
from msoic.cases.common import own_force as _own_force
from msoic.cases.common import require_register as _require_register
from msoic.cases.common import too_big as _too_big
from msoic.cases.exchange import actions as htcds
from msoic.cases.models import Investigation
from msoic.orgunits.models import OrgUnit

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class HtcdsExportForm(forms.Form):
    force = forms.ChoiceField(label="Force", widget=forms.Select(attrs={"class": "govuk-select"}))
    format = forms.ChoiceField(
        label="Format",
        choices=[("xlsx", "Excel, laid out like the HTCDS spreadsheet"), ("csv", "CSV")],
        widget=forms.RadioSelect,
        initial="xlsx",
    )
    recipient = forms.CharField(
        label="Who is the file for?",
        max_length=200,
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-30"}),
        help_text="An export of potential victims is a disclosure: the recipient is recorded "
        "in the audit log (e.g. the organisation and the person).",
    )
    purpose = forms.CharField(
        label="What is it for?",
        max_length=500,
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-30"}),
        help_text="Recorded in the audit log with the disclosure.",
        error_messages={"required": "Say what the file is for"},
    )

    def __init__(self, *args: Any, forces: list[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["force"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(f.code, f.name) for f in forces]
        if len(forces) == 1:
            self.fields["force"].initial = forces[0].code


class HtcdsImportForm(forms.Form):
    crime_reference = forms.CharField(
        label="Crime reference of the investigation",
        max_length=64,
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-20"}),
        help_text="The people in the file are added to it as potential victims.",
    )
    received_from = forms.CharField(
        label="Received from",
        max_length=200,
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-30"}),
        help_text="The organisation that sent the file (recorded in the audit log).",
    )
    file = forms.FileField(
        label="HTCDS file",
        help_text="CSV or .xlsx in the HTCDS v2.0 layout.",
        widget=forms.ClearableFileInput(
            attrs={"class": "govuk-file-upload", "accept": ".csv,.xlsx"}
        ),
    )
    dry_run = forms.BooleanField(
        required=False, label="Check only (dry run): report problems but store nothing"
    )

    def __init__(self, *args: Any, force: OrgUnit | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.force = force
        self.investigation: Investigation | None = None

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if _too_big(upload):
            raise forms.ValidationError(
                f"The file is over the limit of {settings.MSOIC_MAX_UPLOAD_BYTES:,} bytes"
            )
        return upload

    def clean_crime_reference(self) -> str:
        ref = self.cleaned_data["crime_reference"].strip()
        self.investigation = Investigation.objects.filter(
            force=self.force, crime_reference=ref
        ).first()
        if self.investigation is None:
            raise forms.ValidationError(f"No investigation {ref} on your force's register")
        return ref


# --- HTCDS exchange ----------------------------------------------------------------------


def _htcds_page(
    request: AuthenticatedRequest,
    *,
    export_form: HtcdsExportForm | None = None,
    import_form: HtcdsImportForm | None = None,
    result: Any = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    forces = list(access.register_forces_readable(user).order_by("name"))
    own = _own_force(user)
    return render(
        request,
        "cases/exchange/htcds.html",
        {
            "export_form": export_form or HtcdsExportForm(forces=forces),
            "import_form": import_form or (HtcdsImportForm(force=own) if own else None),
            "force": own,
            "result": result,
            "spec": htcds.spec(),
        },
        status=status,
    )


@login_required
@require_GET
def htcds_exchange(request: AuthenticatedRequest) -> HttpResponse:
    _require_register(request.user)
    return _htcds_page(request)


@login_required
@require_POST
def htcds_export(request: AuthenticatedRequest) -> HttpResponse:
    _require_register(request.user)
    forces = list(access.register_forces_readable(request.user).order_by("name"))
    form = HtcdsExportForm(request.POST, forces=forces)
    if not form.is_valid():
        if "force" in form.errors and request.POST.get("force"):
            raise PermissionDenied("You cannot export that force's register")
        return _htcds_page(request, export_form=form, status=400)
    force = next(f for f in forces if f.code == form.cleaned_data["force"])
    export = htcds.do_export_htcds(
        force,
        form.cleaned_data["format"],
        actor=request.user,
        recipient=form.cleaned_data["recipient"],
        purpose=form.cleaned_data["purpose"],
    )
    response = HttpResponse(export.data, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


@login_required
@require_POST
def htcds_import(request: AuthenticatedRequest) -> HttpResponse:
    own = _own_force(request.user)
    if own is None:
        raise PermissionDenied("Only a force's own users import into its register")
    form = HtcdsImportForm(request.POST, request.FILES, force=own)
    if not form.is_valid() or form.investigation is None:
        return _htcds_page(request, import_form=form, status=400)
    upload = form.cleaned_data["file"]
    result = htcds.do_import_htcds(
        upload.name,
        upload.read(),
        form.investigation,
        actor=request.user,
        received_from=form.cleaned_data["received_from"],
        dry_run=form.cleaned_data["dry_run"],
    )
    return _htcds_page(request, import_form=form, result=result)
