"""What the home page shows of referrals and SPOCs, per role: counts, each with the page
where the user acts on it (the web's home page turns them into its panel lines).

- the unit: referrals escalated and still unacknowledged, open referrals, and the SPOC
  coverage gaps (forces × themes without a SPOC in post);
- a force: its referrals awaiting acknowledgement and open, its own SPOC gaps;
- a coordinator: the region's open referrals and SPOC gaps;
- the Human Tissue Authority: its referrals with the police, and those with an outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from msoic.accounts.access import role_of
from msoic.accounts.models import Role
from msoic.referrals import access
from msoic.referrals.models import Status, overdue_filter
from msoic.referrals.routing import gap_count

if TYPE_CHECKING:
    from msoic.accounts.models import User


@dataclass(frozen=True)
class HomeLine:
    label: str
    count: int
    url: str
    noun: tuple[str, str]
    hint: str = ""
    attention: bool = False


REFERRAL = ("referral", "referrals")
GAP = ("gap", "gaps")


def spoc_gaps(user: User) -> int:
    """Forces × themes without a SPOC in post, among the forces the user reads."""
    return gap_count(list(access.spoc_forces_readable(user)))


def home_lines(user: User) -> list[HomeLine]:
    if not access.can_see_referrals(user):
        return []
    now = timezone.now()
    counts = access.referrals_visible_to(user).aggregate(
        open=Count("pk", filter=~Q(status=Status.CLOSED)),
        waiting=Count("pk", filter=Q(status=Status.SUBMITTED)),
        overdue=Count("pk", filter=overdue_filter(now)),
        escalated=Count("pk", filter=Q(status=Status.SUBMITTED, escalated_at__isnull=False)),
        closed=Count("pk", filter=Q(status=Status.CLOSED)),
    )
    listing = reverse("referral-list")
    if access.is_referrer(user):
        return [
            HomeLine("Your referrals with the police", counts["open"], listing, REFERRAL),
            HomeLine(
                "Your referrals with an outcome",
                counts["closed"],
                f"{listing}?show=closed",
                REFERRAL,
            ),
        ]
    role = role_of(user)
    coverage = reverse("spoc-coverage")
    gaps = spoc_gaps(user)
    lines = []
    if role == Role.NATIONAL:
        lines.append(
            HomeLine(
                "Referrals escalated: not acknowledged within 48 hours",
                counts["escalated"],
                f"{listing}?show=escalated",
                REFERRAL,
                attention=counts["escalated"] > 0,
            )
        )
    elif role == Role.FORCE:
        lines.append(
            HomeLine(
                "Referrals awaiting your acknowledgement",
                counts["waiting"],
                listing,
                REFERRAL,
                hint="acknowledge within 48 hours",
                attention=counts["overdue"] > 0,
            )
        )
    lines.append(HomeLine("Open organ-harvesting referrals", counts["open"], listing, REFERRAL))
    lines.append(
        HomeLine(
            "SPOC gaps: a force and theme without a single point of contact",
            gaps,
            coverage,
            GAP,
            attention=gaps > 0,
        )
    )
    return lines
