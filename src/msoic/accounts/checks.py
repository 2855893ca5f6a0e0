"""System checks for authentication settings."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def mfa_on_in_deployment(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """``MSOIC_MFA_DEMO_OFF`` exists for the demo only; a deployment must never run with it."""
    if settings.MSOIC_MFA_DEMO_OFF:
        return [
            Error(
                "MSOIC_MFA_DEMO_OFF is true: multi-factor authentication is off, which only the "
                "demo may do",
                hint="unset MSOIC_MFA_DEMO_OFF (or set it to false) in the deployment's environment",
                id="msoic.E101",
            )
        ]
    return []


@register(Tags.security)
def mfa_never_off_in_production(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Even without --deploy: production settings and the demo switch do not go together."""
    if settings.MSOIC_MFA_DEMO_OFF and settings.PRODUCTION:
        return [
            Error(
                "MSOIC_MFA_DEMO_OFF is true with MSOIC_PRODUCTION: multi-factor authentication "
                "cannot be turned off in production",
                hint="unset MSOIC_MFA_DEMO_OFF",
                id="msoic.E102",
            )
        ]
    return []
