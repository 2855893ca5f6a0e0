"""System checks for training records: the attendee key (see :mod:`msoic.capability.keys`)
and the email that carries survey invitations."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, Tags, register

from msoic.capability.keys import is_development


@register(Tags.security, deploy=True)
def attendee_key_set_in_deployment(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """A deployment keys attendees with its own secret, never the development one."""
    if is_development():
        return [
            Error(
                "MSOIC_ATTENDEE_KEY is not set: attendees of training are keyed with a "
                "development key derived from SECRET_KEY, so anyone who can read the settings "
                "can test an email against the keys, and rotating SECRET_KEY would split "
                "every person in two",
                hint="set MSOIC_ATTENDEE_KEY to a long random secret (at least 32 characters) "
                "kept with the other keys, and never change it once attendance is recorded",
                id="msoic.E401",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def email_configured_in_deployment(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Survey invitations go by SMTP in a deployment: a host, a real from address, and TLS
    (STARTTLS or implicit), since each message carries a single-use link."""
    from django.conf import settings

    problems = []
    if not settings.EMAIL_HOST or not settings.EMAIL_BACKEND.endswith("smtp.EmailBackend"):
        problems.append(
            Error(
                "MSOIC_EMAIL_HOST is not set: survey invitations would be written to files "
                "under var/mail instead of being sent",
                hint="set MSOIC_EMAIL_HOST (and MSOIC_EMAIL_PORT, MSOIC_EMAIL_USER, "
                "MSOIC_EMAIL_PASSWORD) to the organisation's mail relay",
                id="msoic.E402",
            )
        )
    sender = settings.DEFAULT_FROM_EMAIL
    if "@" not in sender or sender.endswith("@localhost"):
        problems.append(
            Error(
                f"MSOIC_EMAIL_FROM is {sender!r}: invitations need a real from address",
                hint="set MSOIC_EMAIL_FROM to the address attendees will see and may reply to",
                id="msoic.E402",
            )
        )
    if settings.EMAIL_HOST and not (settings.EMAIL_USE_TLS or settings.EMAIL_USE_SSL):
        problems.append(
            Error(
                "email is sent without TLS: the single-use survey links would cross the "
                "network in clear",
                hint="set MSOIC_EMAIL_STARTTLS=true (port 587) or MSOIC_EMAIL_SSL=true (465)",
                id="msoic.E403",
            )
        )
    if settings.EMAIL_USE_TLS and settings.EMAIL_USE_SSL:
        problems.append(
            Error(
                "MSOIC_EMAIL_STARTTLS and MSOIC_EMAIL_SSL are both true: choose one",
                id="msoic.E403",
            )
        )
    return problems
