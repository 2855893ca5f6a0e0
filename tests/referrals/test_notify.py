"""Messages about referrals: the force's organ-harvesting SPOC is told when a referral is
routed (or re-routed) to them, the unit's address when referrals are escalated; only once
the change is committed, never with the referral's content, and a refusing mail server
does not undo the referral."""

from __future__ import annotations

from datetime import timedelta

import pytest

from msoic.orgunits.models import OrgUnit
from msoic.referrals.actions import do_escalate_overdue_referrals, do_reroute_referral
from msoic.referrals.models import Referral
from tests.referrals.conftest import SENT, add_spoc, submit

pytestmark = pytest.mark.django_db


def test_the_spoc_is_told_of_a_referral_routed_to_them(
    hta_user, kent_user, mailoutbox, django_capture_on_commit_callbacks
):
    add_spoc(kent_user, "kent", email="organ.spoc@kent.example")
    with django_capture_on_commit_callbacks(execute=True):
        referral = submit(hta_user)
    [message] = mailoutbox
    assert message.to == ["organ.spoc@kent.example"]
    assert referral.reference in message.subject and "Kent Police" in message.subject
    assert "acknowledge it in MSOIC Insight" in message.body
    for private in (
        referral.donor_ref,
        referral.recipient_ref,
        referral.narrative,
        referral.hospital,
    ):
        assert private not in message.body and private not in message.subject


def test_no_message_before_the_referral_is_committed_nor_without_a_spoc(
    hta_user, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submit(hta_user)
    assert callbacks == [] and mailoutbox == []  # Kent has no SPOC in post: nobody to tell


def test_the_new_forces_spoc_is_told_of_a_reroute(
    hta_user, essex_user, national_analyst, mailoutbox, django_capture_on_commit_callbacks
):
    add_spoc(essex_user, "essex", email="organ.spoc@essex.example")
    referral = submit(hta_user)
    with django_capture_on_commit_callbacks(execute=True):
        do_reroute_referral(
            referral, OrgUnit.objects.get(code="essex"), actor=national_analyst, reason="Essex"
        )
    assert [m.to for m in mailoutbox] == [["organ.spoc@essex.example"]]


def test_the_unit_is_told_of_escalations_in_one_message(
    hta_user, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.MSOIC_REFERRALS_UNIT_EMAIL = "msoic.unit@example.org"
    first = submit(hta_user)
    second = submit(hta_user, at=SENT + timedelta(hours=1), local_authority="E07000071")
    with django_capture_on_commit_callbacks(execute=True):
        do_escalate_overdue_referrals(now=SENT + timedelta(hours=60))
    [message] = mailoutbox
    assert message.to == ["msoic.unit@example.org"]
    assert message.subject.startswith("2 organ-harvesting referrals")
    assert first.reference in message.body and "Essex Police" in message.body
    assert second.reference in message.body


def test_a_refusing_mail_server_does_not_undo_the_referral(
    hta_user, kent_user, settings, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    add_spoc(kent_user, "kent", email="organ.spoc@kent.example")
    with django_capture_on_commit_callbacks(execute=True):
        referral = submit(hta_user)
    assert Referral.objects.filter(pk=referral.pk).exists()
    assert "referral message not sent" in caplog.text
