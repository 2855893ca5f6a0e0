"""Messages about referrals, sent after the change is committed (never for a change that
rolled back): to the force's organ-harvesting SPOC when a referral is routed (or re-routed)
to them, and to the unit's address (``MSOIC_REFERRALS_UNIT_EMAIL``, when set) when referrals
are escalated. A message names the referral and the force only, never the referral's
content or references, so it discloses no personal data; a mail server that refuses is
logged and the referral stands (the pages and the home page's counts carry the work)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from msoic.referrals.models import Referral

logger = logging.getLogger(__name__)


def _send(message: EmailMessage, what: str) -> None:
    try:
        message.send()
    except Exception:  # the mail server's refusal must not undo the referral
        logger.exception("referral message not sent: %s", what)


def routed_message(referral: Referral) -> EmailMessage | None:
    spoc = referral.spoc
    if spoc is None or not spoc.email:
        return None
    due = timezone.localtime(referral.acknowledge_by)
    body = (
        f"Referral {referral.reference}, a suspected case of organ harvesting from the "
        f"{referral.referrer.name}, has been sent to {referral.force.name}, and to you as its "
        "organ-harvesting single point of contact.\n\n"
        f"Please acknowledge it in MSOIC Insight (Referrals, {referral.reference}) by "
        f"{due:%d %B %Y %H:%M}. A referral not acknowledged within 48 hours is escalated to "
        "the national Modern Slavery and Organised Immigration Crime Unit.\n\n"
        "This message holds no details of the referral: sign in to read them.\n"
    )
    return EmailMessage(
        subject=f"Organ-harvesting referral {referral.reference} for {referral.force.name}",
        body=body,
        to=[spoc.email],
    )


def escalated_message(referrals: Sequence[Referral]) -> EmailMessage | None:
    address = settings.MSOIC_REFERRALS_UNIT_EMAIL
    if not address or not referrals:
        return None
    lines = "\n".join(
        f"- {r.reference}, {r.force.name}, sent {timezone.localtime(r.submitted_at):%d %B %Y %H:%M}"
        for r in referrals
    )
    n = len(referrals)
    return EmailMessage(
        subject=f"{n} organ-harvesting referral{'s' if n != 1 else ''} not acknowledged in 48 hours",
        body=(
            f"These referrals were not acknowledged by their force within 48 hours and are "
            f"escalated to the unit:\n\n{lines}\n\nSee them in MSOIC Insight: Referrals, "
            "Escalated.\n"
        ),
        to=[address],
    )


def on_commit_send(message: EmailMessage | None, what: str) -> None:
    if message is not None:
        transaction.on_commit(lambda: _send(message, what))
