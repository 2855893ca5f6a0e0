"""Consultation rows (Data Protection Act 2018, Part 3, s.62) for pages that show a person's
details: a referral (the clinician, and the donor's and recipient's pseudonymous references)
and the SPOC lists (officers' names and contact details). One row per page shown, naming
whose details it showed; the page's purpose is the justification."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from msoic.audit.log import record
from msoic.audit.models import AuditAction
from msoic.referrals.models import Referral, Spoc

if TYPE_CHECKING:
    from msoic.accounts.models import User


def record_referral_consultation(user: User, referral: Referral) -> None:
    record(
        actor=user,
        action=AuditAction.CONSULTATION,
        obj=referral,
        orgunit=referral.force,
        justification="Working an organ-harvesting referral",
        detail={
            "step": "referrals.view_referral",
            "people": referral.people,
            "people_count": len(referral.people),
            "owners": [referral.force.code],
        },
    )


def record_spoc_consultation(user: User, spocs: Iterable[Spoc], step: str) -> None:
    """A row naming the SPOCs a page listed (none when it listed none)."""
    shown = sorted({(s.pk, s.force.code) for s in spocs})
    if not shown:
        return
    record(
        actor=user,
        action=AuditAction.CONSULTATION,
        object_type="referrals.spoc",
        justification="Finding a force's single point of contact",
        detail={
            "step": step,
            "people": [f"spoc:{pk}" for pk, _ in shown],
            "people_count": len(shown),
            "owners": sorted({code for _, code in shown}),
        },
    )
