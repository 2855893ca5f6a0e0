"""Pages of the library: the list, one document with its versions, publishing a document,
uploading a new version, and downloading a version. Thin views: access through
:mod:`msoic.documents.access`, changes through :mod:`msoic.documents.actions`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from msoic.accounts.models import User
from msoic.collection.reading import FileRejected
from msoic.documents import access, actions
from msoic.documents.files import KINDS, Checked
from msoic.documents.forms import DocumentForm, VersionForm
from msoic.documents.models import DocumentKind


class AuthenticatedRequest(HttpRequest):
    user: User


@login_required
@require_GET
def document_list(request: AuthenticatedRequest) -> HttpResponse:
    if not access.can_see_library(request.user):
        raise PermissionDenied("The library is for signed-in users with a role")
    documents = access.documents_visible_to(request.user).select_related("owner")
    kind = request.GET.get("type", "")
    if kind in DocumentKind.values:
        documents = documents.filter(kind=kind)
    documents = documents.annotate(
        latest=Max("versions__number"), download_count=Sum("versions__downloads")
    ).order_by("-published_on", "title", "pk")
    page = Paginator(documents, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "documents/list.html",
        {
            "page": page,
            "kinds": DocumentKind.choices,
            "kind": kind if kind in DocumentKind.values else "",
            "can_publish": access.document_owners(request.user).exists(),
            "official_only": not access.may_read_marking(request.user, "official_sensitive"),
        },
    )


@login_required
@require_GET
def document_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    document = access.get_document_for_user(request.user, pk)
    versions = list(document.versions.defer("content").order_by("-number"))
    return render(
        request,
        "documents/detail.html",
        {
            "document": document,
            "versions": versions,
            "downloads": sum(v.downloads for v in versions),
            "can_manage": access.can_manage_document(request.user, document),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def document_new(request: AuthenticatedRequest) -> HttpResponse:
    owners = access.document_owners(request.user)
    if not owners.exists():
        raise PermissionDenied("Only the unit and regional coordinators publish documents")
    form = DocumentForm(request.POST or None, request.FILES or None, owners=owners)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["document_file"]
        try:
            document = actions.do_publish_document(
                data["owner"],
                actor=request.user,
                title=data["title"],
                kind=data["kind"],
                audience=data["audience"],
                marking=data["marking"],
                published_on=data["published_on"],
                file_name=upload.name,
                data=upload.read(),
            )
        except FileRejected as exc:
            form.add_error("document_file", f"{exc.message}. Nothing was stored.")
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(request, f"{document.title} published (version 1)")
            return redirect("documents-document", document.pk)
    return render(request, "documents/document_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def version_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    document = access.get_document_for_user(request.user, pk)
    if not access.can_manage_document(request.user, document):
        raise PermissionDenied("Only the document's publishers add versions")
    form = VersionForm(
        request.POST or None, request.FILES or None, initial={"marking": document.marking}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["document_file"]
        try:
            version = actions.do_add_version(
                document,
                actor=request.user,
                published_on=data["published_on"],
                note=data["note"],
                marking=data["marking"],
                file_name=upload.name,
                data=upload.read(),
            )
        except FileRejected as exc:
            form.add_error("document_file", f"{exc.message}. Nothing was stored.")
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(
                request, f"Version {version.number} uploaded; earlier versions are kept"
            )
            return redirect("documents-document", document.pk)
    return render(request, "documents/version_form.html", {"form": form, "document": document})


@login_required
@require_GET
def version_download(request: AuthenticatedRequest, pk: int, number: int) -> HttpResponse:
    version = access.get_version_for_user(request.user, pk, number)
    content = actions.do_download_version(version, actor=request.user)
    kind = version.file_kind if version.file_kind in KINDS else "pdf"
    response = HttpResponse(content, content_type=Checked(kind).content_type)
    safe = "".join(c for c in version.file_name if c.isalnum() or c in "._- ") or "document"
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    return response
