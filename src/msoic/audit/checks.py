"""System checks for the audit log: its sealing key, and its append-only triggers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.db import DatabaseError

from msoic.audit.triggers import missing_triggers, triggers_expected


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


@register(Tags.database)
def audit_triggers_in_place(
    app_configs: Any = None, databases: Any = None, **kwargs: Any
) -> list[Error]:
    """The append-only triggers of audit_auditevent exist (once their migration has run).

    A database check, run like Django's own only when databases are named (``msoic check
    --database default``, ``msoic migrate``): every other command and the server's start-up
    pay no queries for it, and ``msoic audit verify`` looks at the triggers itself."""
    if not databases:
        return []
    errors = []
    for alias in databases:
        try:
            if not triggers_expected(alias):
                continue
            missing = missing_triggers(alias)
        except DatabaseError:
            continue  # no database to look at (yet): other checks and commands say so
        if missing:
            errors.append(
                Error(
                    f"database {alias!r}: the append-only trigger(s) {', '.join(missing)} on "
                    "audit_auditevent are missing or disabled, so audit rows can be changed "
                    "or removed without an error",
                    hint="someone with write access to the database removed them: run "
                    "`msoic audit verify` (it checks the rows against the anchors), then "
                    "recreate the triggers as migrations 0006 and 0007 of msoic.audit do",
                    id="msoic.E202",
                )
            )
    return errors
