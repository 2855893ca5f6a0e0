"""Names of returns in the audit log (msoic.audit.names): "Modern slavery monthly return,
Kent, October 2024", linked to the return's page, for the returns the viewer may see (the
others keep their raw reference). One query whatever the number of rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse

from msoic.audit.names import Named, namer
from msoic.catalogue.loader import get_catalogue
from msoic.collection import access as collection_access
from msoic.metrics.periods import period_label

if TYPE_CHECKING:
    from msoic.accounts.models import User


@namer("collection.submission")
def name_submissions(viewer: User, ids: list[str]) -> dict[str, Named]:
    datasets = get_catalogue().datasets
    visible = (
        collection_access.submissions_visible_to(viewer)
        .filter(pk__in=[int(i) for i in ids if i.isdigit()])
        .select_related("orgunit")
    )
    named = {}
    for sub in visible:
        ds = datasets.get(sub.dataset)
        label = ds.label if ds else sub.dataset
        period = period_label(ds.frequency if ds else "monthly", sub.period)
        named[str(sub.pk)] = Named(
            f"{label}, {sub.orgunit.name}, {period}",
            reverse("submission-detail", args=[sub.pk]),
        )
    return named
