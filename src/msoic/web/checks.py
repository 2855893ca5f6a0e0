"""System checks for what the machine must provide beyond Python packages (`msoic check`).

A fresh machine can lack a system library that a Python package loads only when first
used; these checks say so at start-up instead of on the first PDF a user asks for."""

from __future__ import annotations

import ctypes.util
from typing import Any

from django.core import checks

# What WeasyPrint loads with cffi when it is first imported (a cheap look-up, so every
# command does not pay for importing WeasyPrint itself).
PDF_LIBRARIES = ("pango-1.0", "pangoft2-1.0")


@checks.register(checks.Tags.compatibility)
def pdf_libraries(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """WeasyPrint (peer review and benchmarking PDFs) needs Pango from the system."""
    missing = [name for name in PDF_LIBRARIES if ctypes.util.find_library(name) is None]
    if missing:
        return [
            checks.Warning(
                f"PDF reports cannot be made: the system library {', '.join(missing)} "
                "that WeasyPrint needs is not installed",
                hint="install Pango (Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0)",
                id="msoic.W001",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def disclosure_key(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Partners' figures are perturbed under a secret (ADR 0010). Derived from SECRET_KEY, it
    would change whenever SECRET_KEY rotates, and a partner holding two releases of the same
    cell under two keys could average the noise away: production names its own key."""
    from django.conf import settings

    if getattr(settings, "PRODUCTION", False) and not settings.MSOIC_DISCLOSURE_KEY:
        return [
            checks.Error(
                "MSOIC_DISCLOSURE_KEY is not set: the noise in partners' figures would be "
                "derived from SECRET_KEY and change when it is rotated",
                hint="set MSOIC_DISCLOSURE_KEY to a long random secret kept with the other "
                "keys, and never change it once figures are released (docs/deploy.md)",
                id="msoic.E301",
            )
        ]
    return []
