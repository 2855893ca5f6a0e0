"""Names of intelligence logs in the audit log (msoic.audit.names): the force's log
reference, linked to the log's page, for those the viewer may see. One query."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse

from msoic.audit.names import Named, namer
from msoic.intel import access

if TYPE_CHECKING:
    from msoic.accounts.models import User


@namer("intel.intellog")
def name_logs(viewer: User, ids: list[str]) -> dict[str, Named]:
    logs = (
        access.logs_visible_to(viewer)
        .filter(pk__in=[int(i) for i in ids if i.isdigit()])
        .select_related("force")
    )
    return {
        str(log.pk): Named(
            f"Intelligence log {log.reference}, {log.force.name}",
            reverse("intel-log", args=[log.pk]),
        )
        for log in logs
    }
