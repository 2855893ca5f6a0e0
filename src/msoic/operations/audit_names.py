"""Names of intensifications in the audit log (msoic.audit.names): "Intensification AIDANT
33: Labour exploitation in the construction sector", linked to its page, for the unit's
national users, who alone read the log (others keep the raw reference). One query."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse

from msoic.accounts.access import is_national
from msoic.audit.names import Named, namer
from msoic.operations.models import Operation

if TYPE_CHECKING:
    from msoic.accounts.models import User


@namer("operations.operation")
def name_operations(viewer: User, ids: list[str]) -> dict[str, Named]:
    if not is_national(viewer):
        return {}
    return {
        str(o.pk): Named(
            f"Intensification {o.name}: {o.theme}", reverse("operations-detail", args=[o.pk])
        )
        for o in Operation.objects.filter(pk__in=[int(i) for i in ids if i.isdigit()])
    }
