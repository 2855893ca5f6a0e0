"""Who may open Terminus figures (on the shared rules in :mod:`msoic.accounts.access`);
which org units' figures follows the shared rules themselves."""

from __future__ import annotations

from typing import TYPE_CHECKING

from msoic.accounts.access import has_role

if TYPE_CHECKING:
    from msoic.accounts.models import User


def can_see_terminus(user: User) -> bool:
    """Every signed-in user with a role (national aggregates are for all roles)."""
    return has_role(user)
