"""Names of funding bids in the audit log (msoic.audit.names), linked to the bid, for those
the viewer may see. One query whatever the number of rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse

from msoic.audit.names import Named, namer
from msoic.commissioning import access as commissioning_access

if TYPE_CHECKING:
    from msoic.accounts.models import User


@namer("commissioning.bid")
def name_bids(viewer: User, ids: list[str]) -> dict[str, Named]:
    bids = (
        commissioning_access.bids_visible_to(viewer)
        .filter(pk__in=[int(i) for i in ids if i.isdigit()])
        .select_related("orgunit")
    )
    return {
        str(b.pk): Named(
            f"Bid “{b.title}”, {b.orgunit.name}", reverse("commissioning-bid", args=[b.pk])
        )
        for b in bids
    }
