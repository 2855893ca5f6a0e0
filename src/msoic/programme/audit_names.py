"""Names of the programme's pillars in the audit log (msoic.audit.names)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse

from msoic.audit.names import Named, namer
from msoic.programme.models import Pillar

if TYPE_CHECKING:
    from msoic.accounts.models import User


@namer("programme.pillar")
def name_pillars(viewer: User, ids: list[str]) -> dict[str, Named]:
    return {
        p.code: Named(str(p), reverse("programme-pillars"))
        for p in Pillar.objects.filter(code__in=ids)
    }
