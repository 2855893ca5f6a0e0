"""Names of partnerships in the audit log (msoic.audit.names), linked, for those the viewer
may see. One query."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse

from msoic.audit.names import Named, namer
from msoic.partnerships import access

if TYPE_CHECKING:
    from msoic.accounts.models import User


@namer("partnerships.partnership")
def name_partnerships(viewer: User, ids: list[str]) -> dict[str, Named]:
    found = access.partnerships_visible_to(viewer).filter(
        pk__in=[int(i) for i in ids if i.isdigit()]
    )
    return {
        str(p.pk): Named(p.name, reverse("partnerships-partnership", args=[p.pk])) for p in found
    }
