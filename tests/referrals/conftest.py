"""Helpers for referral and SPOC tests: the Human Tissue Authority's user, a valid proforma,
and SPOCs."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from msoic.orgunits.models import OrgUnit
from msoic.referrals.actions import do_add_spoc, do_submit_referral
from msoic.referrals.models import Referral, Spoc
from tests.conftest import _make

# 2024-03-04 09:00 UTC: a Monday morning, the time the referral tests submit at.
SENT = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
def hta_user(db: Any) -> Any:
    return _make("hta.referrer", "partner", "hta")


def proforma(**changes: Any) -> dict[str, Any]:
    """A complete referral for a place of concern in Maidstone (Kent Police's area)."""
    data: dict[str, Any] = {
        "clinician": "Dr A. Clinician",
        "hospital": "Maidstone Hospital",
        "concern_on": date(2024, 3, 1),
        "indicators": ["payment", "broker"],
        "narrative": "Recipient said a coordinator arranged a paid donor abroad.",
        "donor_ref": "D-2024-0001",
        "recipient_ref": "R-2024-0001",
        "local_authority": "E07000110",
        "force": "",
    }
    data.update(changes)
    return data


def submit(actor: Any, at: datetime = SENT, **changes: Any) -> Referral:
    return do_submit_referral(actor=actor, at=at, **proforma(**changes))


def add_spoc(actor: Any, force: str, theme: str = "organ_harvesting", **changes: Any) -> Spoc:
    data: dict[str, Any] = {
        "theme": theme,
        "name": f"DI {force.title()} Contact",
        "starts_on": date(2023, 4, 1),
        "email": f"spoc@{force}.example",
    }
    data.update(changes)
    return do_add_spoc(OrgUnit.objects.get(code=force), actor=actor, **data)
