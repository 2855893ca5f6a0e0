"""System checks for the audit log's sealing key."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def audit_key_set_in_deployment(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """A deployment seals its audit log with its own key, never the development one."""
    if settings.MSOIC_AUDIT_KEYRING.is_development:
        return [
            Error(
                "MSOIC_AUDIT_KEY is not set: the audit log is sealed with a development key "
                "derived from SECRET_KEY, so anyone who can read the settings can forge it",
                hint="set MSOIC_AUDIT_KEY=<id>:<base64> (msoic audit new-key makes one) from a "
                "secret store outside the database; with MSOIC_PRODUCTION=true the application "
                "refuses to start without it",
                id="msoic.E201",
            )
        ]
    return []
