"""Names of benchmarking self-assessments in the audit log (msoic.audit.names), linked to
the assessment, for those the viewer may see. One query whatever the number of rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse

from msoic.assurance import access as assurance_access
from msoic.audit.names import Named, namer

if TYPE_CHECKING:
    from msoic.accounts.models import User


@namer("assurance.assessment")
def name_assessments(viewer: User, ids: list[str]) -> dict[str, Named]:
    assessments = (
        assurance_access.assessments_visible_to(viewer)
        .filter(pk__in=[int(i) for i in ids if i.isdigit()])
        .select_related("orgunit", "campaign")
    )
    return {
        str(a.pk): Named(
            f"Self-assessment of {a.orgunit.name}, {a.campaign.name}",
            reverse("benchmarking-assessment", args=[a.pk]),
        )
        for a in assessments
    }
