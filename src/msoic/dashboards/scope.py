"""Who sees what on a dashboard: the org unit a page is about, what it is shown beside,
which breakdowns the viewer may have, and the months that can be picked.

Every decision about access is asked of :mod:`msoic.accounts.access`; this module only
puts the answers together for a page (and for the page's downloads, which are scoped the
same way because they are built from the same :class:`DashboardScope`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Max
from django.http import Http404
from django.utils import timezone

from msoic.accounts import access
from msoic.accounts.models import Role
from msoic.collection.models import Value
from msoic.metrics.periods import add_months, last_complete_month, parse_month
from msoic.orgunits.models import OrgUnit, OrgUnitKind
from msoic.orgunits.reference import NATIONAL_CODE

if TYPE_CHECKING:
    from msoic.accounts.models import User
    from msoic.catalogue.loader import Catalogue


@dataclass
class DashboardScope:
    """What one user may see on one dashboard page."""

    orgunit: OrgUnit  # the org unit the page is about
    comparators: list[OrgUnit]  # shown beside it: its region (if readable) and the nation
    choices: list[OrgUnit] = field(default_factory=list)  # org units the user may pick
    by_region: bool = False  # may see the nation split into regions
    by_force: bool = False  # may see ``orgunit`` split into its forces

    @property
    def units(self) -> list[OrgUnit]:
        """The page's org unit first, then what it is shown beside."""
        return [self.orgunit, *self.comparators]


def default_orgunit_code(user: User) -> str:
    """Force users start on their force, regional coordinators on their region, others national."""
    if user.role in (Role.FORCE, Role.REGIONAL) and user.orgunit is not None:
        return user.orgunit.code
    return NATIONAL_CODE


def _choices(user: User, national: OrgUnit) -> list[OrgUnit]:
    """National first, then regions and forces by name, forces after their region."""
    units = list(
        access.detail_orgunits(user).exclude(kind=OrgUnitKind.NATIONAL).select_related("parent")
    )
    regions = sorted((u for u in units if u.kind == OrgUnitKind.REGION), key=lambda u: u.name)
    forces = sorted((u for u in units if u.kind == OrgUnitKind.FORCE), key=lambda u: u.name)
    ordered: list[OrgUnit] = [national]
    placed: set[int] = set()
    for region in regions:
        ordered.append(region)
        for force in forces:
            if force.parent_id == region.pk:
                ordered.append(force)
                placed.add(force.pk)
    ordered.extend(f for f in forces if f.pk not in placed)
    return ordered


def resolve_scope(user: User, code: str | None) -> DashboardScope:
    """The scope for ``code`` (or the user's default); 404 if unknown, 403 if not theirs."""
    code = (code or "").strip()
    if "\x00" in code:  # no org unit code holds a NUL, and PostgreSQL refuses one in a query
        raise Http404("No such org unit")
    orgunit = access.get_orgunit_for_user(user, code or default_orgunit_code(user))
    national = (
        orgunit
        if orgunit.kind == OrgUnitKind.NATIONAL
        else OrgUnit.objects.get(kind=OrgUnitKind.NATIONAL)
    )
    comparators: list[OrgUnit] = []
    if orgunit.kind == OrgUnitKind.FORCE and orgunit.parent is not None:
        if access.can_read_orgunit(user, orgunit.parent):
            comparators.append(orgunit.parent)
    if orgunit.kind != OrgUnitKind.NATIONAL:
        comparators.append(national)
    return DashboardScope(
        orgunit=orgunit,
        comparators=comparators,
        choices=_choices(user, national),
        by_region=orgunit.kind == OrgUnitKind.NATIONAL
        and access.can_break_down_by_orgunit(user, orgunit),
        by_force=orgunit.kind != OrgUnitKind.FORCE
        and access.can_break_down_by_orgunit(user, orgunit),
    )


@dataclass(frozen=True)
class MonthRange:
    """The months a dashboard can show: the dataset's first month to the newest with data."""

    first: date
    latest: date | None  # None until any return has been received

    def choices(self) -> list[date]:
        """Newest first, as the period picker lists them."""
        if self.latest is None:
            return []
        months = []
        month = self.latest
        while month >= self.first:
            months.append(month)
            month = add_months(month, -1)
        return months


def month_range(dataset: str, catalogue: Catalogue, today: date | None = None) -> MonthRange:
    """The newest complete month (over, and with at least one return) for ``dataset``.

    This reads only which months hold figures, never the figures: it is the same for every
    viewer, so it reveals nothing about a force that the national totals do not.
    """
    today = today or timezone.localdate()
    codes = list(catalogue.datasets[dataset].metrics)
    latest = Value.objects.filter(
        metric__in=codes, is_current=True, period__lte=last_complete_month(today)
    ).aggregate(latest=Max("period"))["latest"]
    return MonthRange(parse_month(catalogue.datasets[dataset].first_period), latest)
