"""Who may see and load the national NRM statistics (on the shared rules in
:mod:`msoic.accounts.access`). The figures are published official statistics, but loading a
release changes the unit's own dataset, so the page is the national team's."""

from __future__ import annotations

from typing import TYPE_CHECKING

from msoic.accounts.access import is_national

if TYPE_CHECKING:
    from msoic.accounts.models import User


def can_see_nrm_statistics(user: User) -> bool:
    return is_national(user)


def can_load_releases(user: User) -> bool:
    return is_national(user)
