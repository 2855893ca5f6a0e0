"""Names of operations supported in the audit log (msoic.audit.names): the operation's
name and force, linked to its page, for the unit's national users, who alone read the log
(others keep the raw reference). One query whatever the number of rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse

from msoic.accounts.access import is_national
from msoic.audit.names import Named, namer
from msoic.support.models import SupportedOperation

if TYPE_CHECKING:
    from msoic.accounts.models import User


@namer("support.supportedoperation")
def name_supported_operations(viewer: User, ids: list[str]) -> dict[str, Named]:
    if not is_national(viewer):
        return {}
    operations = SupportedOperation.objects.filter(
        pk__in=[int(i) for i in ids if i.isdigit()]
    ).select_related("force")
    return {
        str(o.pk): Named(
            f"Operation supported “{o.operation_name}”, {o.force.name}",
            reverse("support-detail", args=[o.pk]),
        )
        for o in operations
    }
