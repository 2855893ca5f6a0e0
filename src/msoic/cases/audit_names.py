"""Names of investigations in the audit log (msoic.audit.names): the force's crime
reference, linked to the register's record, for those the viewer may read (opening the
record asks for a justification, as ever). People are left as their raw reference: a
person's name is not repeated into the log's pages. One query whatever the number of rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse

from msoic.audit.names import Named, namer
from msoic.cases import access as cases_access

if TYPE_CHECKING:
    from msoic.accounts.models import User


@namer("cases.investigation")
def name_investigations(viewer: User, ids: list[str]) -> dict[str, Named]:
    investigations = (
        cases_access.investigations_visible_to(viewer)
        .filter(pk__in=[int(i) for i in ids if i.isdigit()])
        .select_related("force")
    )
    return {
        str(i.pk): Named(
            f"Investigation {i.crime_reference}, {i.force.name}",
            reverse("cases-investigation", args=[i.pk]),
        )
        for i in investigations
    }
