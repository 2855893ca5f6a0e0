"""Names of catalogue revisions in the audit log (msoic.audit.names): "Catalogue of
datasets and metrics, revision 3, loaded 5 Dec 2026". One query."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone

from msoic.audit.names import Named, namer
from msoic.catalogue.models import CatalogueRevision

if TYPE_CHECKING:
    from msoic.accounts.models import User


@namer("catalogue.cataloguerevision")
def name_revisions(viewer: User, ids: list[str]) -> dict[str, Named]:
    revisions = CatalogueRevision.objects.filter(pk__in=[int(i) for i in ids if i.isdigit()])
    return {
        str(r.pk): Named(
            f"Catalogue of datasets and metrics, revision {r.pk}, loaded "
            f"{timezone.localtime(r.loaded_at):%-d %B %Y}"
        )
        for r in revisions
    }
