"""Names of returns in the audit log (msoic.audit.names): "Modern slavery monthly return,
Kent, October 2024", linked to the return's page, for the returns the viewer may see (the
others keep their raw reference). One query whatever the number of rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse

from msoic.audit.names import Named, namer
from msoic.catalogue.loader import get_catalogue
from msoic.collection import access as collection_access
from msoic.collection.words import return_label

if TYPE_CHECKING:
    from msoic.accounts.models import User


@namer("collection.submission")
def name_submissions(viewer: User, ids: list[str]) -> dict[str, Named]:
    catalogue = get_catalogue()
    visible = (
        collection_access.submissions_visible_to(viewer)
        .filter(pk__in=[int(i) for i in ids if i.isdigit()])
        .select_related("orgunit")
    )
    return {
        str(sub.pk): Named(
            return_label(catalogue, sub.dataset, sub.orgunit.name, sub.period),
            reverse("submission-detail", args=[sub.pk]),
        )
        for sub in visible
    }
