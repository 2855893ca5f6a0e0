"""Names of documents in the audit log (msoic.audit.names), linked, for those the viewer
may see (an OFFICIAL-SENSITIVE title is not named to a partner). One query."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse

from msoic.audit.names import Named, namer
from msoic.documents import access

if TYPE_CHECKING:
    from msoic.accounts.models import User


@namer("documents.document")
def name_documents(viewer: User, ids: list[str]) -> dict[str, Named]:
    found = access.documents_visible_to(viewer).filter(pk__in=[int(i) for i in ids if i.isdigit()])
    return {
        str(d.pk): Named(f"Document “{d.title}”", reverse("documents-document", args=[d.pk]))
        for d in found
    }
