"""Names of NRM statistics releases in the audit log (msoic.audit.names), for the users who
may see the page. One query."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse

from msoic.audit.names import Named, namer
from msoic.nrmstats import access
from msoic.nrmstats.models import Release

if TYPE_CHECKING:
    from msoic.accounts.models import User


@namer("nrmstats.release")
def name_releases(viewer: User, ids: list[str]) -> dict[str, Named]:
    if not access.can_see_nrm_statistics(viewer):
        return {}
    found = Release.objects.filter(pk__in=[int(i) for i in ids if i.isdigit()])
    return {
        str(r.pk): Named(f"NRM statistics release “{r.publication}”", reverse("nrm-statistics"))
        for r in found
    }
