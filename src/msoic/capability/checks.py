"""System checks for training records: the attendee key (see :mod:`msoic.capability.keys`)."""

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
