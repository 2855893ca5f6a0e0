"""Names of investigations in the audit log (msoic.audit.names): the force's crime
reference, linked to the register's record, for those the viewer may read (opening the
record asks for a justification, as ever). People are left as their raw reference: a
person's name is not repeated into the log's pages. One query whatever the number of rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse

from msoic.accounts.access import is_national
from msoic.audit.names import Named, namer
from msoic.cases import access as cases_access
from msoic.catalogue.loader import get_catalogue
from msoic.metrics.periods import month_label

if TYPE_CHECKING:
    from msoic.accounts.models import User


def _ints(ids: list[str]) -> list[int]:
    return [int(i) for i in ids if i.isdigit()]


@namer("cases.investigation")
def name_investigations(viewer: User, ids: list[str]) -> dict[str, Named]:
    investigations = (
        cases_access.investigations_visible_to(viewer)
        .filter(pk__in=[int(i) for i in ids if i.isdigit()])
        .select_related("force")
    )
    return {
        str(i.pk): Named(
            f"Investigation {i.crime_reference}, {i.force.name}",
            reverse("cases-investigation", args=[i.pk]),
        )
        for i in investigations
    }


# Cleanses and direct data entry are the unit's and forces' work on the register: named for
# the unit's national users, who alone read the log; others keep the raw reference.


@namer("cases.cleanse")
def name_cleanses(viewer: User, ids: list[str]) -> dict[str, Named]:
    from msoic.cases.models import Cleanse

    if not is_national(viewer):
        return {}
    return {
        str(c.pk): Named(f"Data cleanse “{c.title}”", reverse("cleanse-detail", args=[c.pk]))
        for c in Cleanse.objects.filter(pk__in=_ints(ids))
    }


@namer("cases.cleanseitem")
def name_cleanse_items(viewer: User, ids: list[str]) -> dict[str, Named]:
    from msoic.cases.models import CleanseItem

    if not is_national(viewer):
        return {}
    items = CleanseItem.objects.filter(pk__in=_ints(ids)).select_related(
        "cleanse", "investigation", "force"
    )
    return {
        str(i.pk): Named(
            f"Investigation {i.investigation.crime_reference}, {i.force.name}, "
            f"in the data cleanse “{i.cleanse.title}”",
            reverse("cleanse-item", args=[i.pk]),
        )
        for i in items
    }


@namer("cases.ddeadoption")
def name_dde_adoptions(viewer: User, ids: list[str]) -> dict[str, Named]:
    from msoic.cases.models import DdeAdoption

    if not is_national(viewer):
        return {}
    metrics = get_catalogue().metrics
    adoptions = DdeAdoption.objects.filter(pk__in=_ints(ids)).select_related("force")
    return {
        str(a.pk): Named(
            f"Direct data entry of {metrics[a.metric].label if a.metric in metrics else a.metric}"
            f" by {a.force.name} from {month_label(a.from_month)}"
        )
        for a in adoptions
    }
