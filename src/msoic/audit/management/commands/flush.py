"""``msoic flush``: Django's flush, which the audit table's append-only triggers would refuse,
with the guard lifted for this command's connection outside production only (pytest-django
flushes the test database after each transactional test). In production the triggers stay:
the audit log is not emptied by a command."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.commands import flush

from msoic.audit.maintenance import audit_maintenance


class Command(flush.Command):
    help = (
        flush.Command.help
        + " Outside production it lifts the audit log's append-only guard for the flush."
    )

    def handle(self, **options: Any) -> None:
        if settings.PRODUCTION:
            super().handle(**options)
            return
        with audit_maintenance(using=options["database"]):
            super().handle(**options)
