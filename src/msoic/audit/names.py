"""People, org units and objects of audit rows by name, with links where the viewer may
follow them, looked up in batches: one query for the people, one for the org units and one
per kind of object on a page, whatever the number of rows.

The audit app knows no feature app. Each app that writes rows about its objects may name
them: a module ``<app>/audit_names.py`` registers a namer per object type with
:func:`namer`; the modules are found the first time names are asked for (as Django's admin
finds ``admin.py``). A namer takes the viewer and the object ids of one type and returns a
:class:`Named` for the ids it knows and the viewer may see; the others keep their raw
reference (``collection.submission 3845``), which the page shows beside every name anyway.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import autodiscover_modules

from msoic.accounts import access
from msoic.orgunits.models import OrgUnit

if TYPE_CHECKING:
    from msoic.accounts.models import User
    from msoic.audit.models import AuditEvent


@dataclass(frozen=True)
class Named:
    label: str
    url: str | None = None


Namer = Callable[["User", list[str]], dict[str, Named]]
_NAMERS: dict[str, Namer] = {}
USER_TYPE = "accounts.user"


def namer(object_type: str) -> Callable[[Namer], Namer]:
    """Register ``func`` as the namer of ``object_type`` (``app_label.model``)."""

    def register(func: Namer) -> Namer:
        _NAMERS[object_type] = func
        return func

    return register


@cache
def _discover() -> None:
    autodiscover_modules("audit_names")


def namers() -> dict[str, Namer]:
    _discover()
    return dict(_NAMERS)


def _orgunit_names(viewer: User, codes: Iterable[str]) -> dict[str, Named]:
    wanted = {c for c in codes if c}
    if not wanted:
        return {}
    named = {}
    for unit in OrgUnit.objects.filter(code__in=wanted):
        url = None
        if access.can_read_orgunit(viewer, unit):
            try:
                url = f"{reverse('dashboard-ms')}?{urlencode({'orgunit': unit.code})}"
            except NoReverseMatch:  # the dashboards are not installed
                url = None
        named[unit.code] = Named(unit.name, url)
    return named


@dataclass
class NamedRow:
    """An audit row with its names (None where there is none: the raw reference stands)."""

    event: AuditEvent
    actor: Named | None
    obj: Named | None
    orgunit: Named | None


def name_events(viewer: User, events: list[AuditEvent]) -> list[NamedRow]:
    """``events`` with their people, org units and objects named, in one batch per kind."""
    known = namers()
    ids: dict[str, set[str]] = defaultdict(set)
    for e in events:
        if e.actor_id is not None:
            ids[USER_TYPE].add(str(e.actor_id))
        if e.object_id and e.object_type in known:
            ids[e.object_type].add(e.object_id)
    names: dict[str, dict[str, Named]] = {}
    for object_type, wanted in ids.items():
        func: Any = known.get(object_type)
        names[object_type] = func(viewer, sorted(wanted)) if func else {}
    units = _orgunit_names(viewer, (e.orgunit_code for e in events))
    users = names.get(USER_TYPE, {})
    return [
        NamedRow(
            event=e,
            actor=users.get(str(e.actor_id)) if e.actor_id is not None else None,
            obj=names.get(e.object_type, {}).get(e.object_id),
            orgunit=units.get(e.orgunit_code),
        )
        for e in events
    ]
