"""Who may browse the audit log (on the shared rules in :mod:`msoic.accounts.access`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from msoic.accounts.access import is_national

if TYPE_CHECKING:
    from msoic.accounts.models import User


def can_browse_audit(user: User) -> bool:
    """The unit's national users read the log; nobody else does."""
    return is_national(user)
