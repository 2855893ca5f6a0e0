"""Names of referrals and SPOCs in the audit log (msoic.audit.names): a referral by its
reference, linked for those who may open it; a SPOC by theme and force (never the name,
which the log's reader may not be entitled to)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse

from msoic.audit.names import Named, namer
from msoic.referrals import access
from msoic.referrals.models import Referral, Spoc

if TYPE_CHECKING:
    from msoic.accounts.models import User


def _ints(ids: list[str]) -> list[int]:
    return [int(i) for i in ids if i.isdigit()]


@namer("referrals.referral")
def name_referrals(viewer: User, ids: list[str]) -> dict[str, Named]:
    visible = set(
        access.referrals_visible_to(viewer).filter(pk__in=_ints(ids)).values_list("pk", flat=True)
    )
    return {
        str(pk): Named(
            f"Referral {reference}",
            reverse("referral-detail", args=[pk]) if pk in visible else None,
        )
        for pk, reference in Referral.objects.filter(pk__in=_ints(ids)).values_list(
            "pk", "reference"
        )
    }


@namer("referrals.spoc")
def name_spocs(viewer: User, ids: list[str]) -> dict[str, Named]:
    return {
        str(s.pk): Named(f"{s.get_theme_display()} SPOC of {s.force.name}")
        for s in Spoc.objects.filter(pk__in=_ints(ids)).select_related("force")
    }
