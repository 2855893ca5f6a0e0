"""Linkable records: what one feature app offers another's record linkage, without either
importing the other.

The CPS linkage (msoic.cps) links CPS cases to the register's suspects and counts the
attrition funnel from register investigations; the register (msoic.cases) owns those
records. The register implements :class:`LinkableRecords` and calls :func:`register` from
its ``AppConfig.ready()``; the linkage asks :func:`provider`. Like the derived sources
(:mod:`msoic.metrics.sources`, ADR 0011), this module imports no feature app.

Rows are plain frozen dataclasses: a suspect with what the linkage compares and what an
analyst reviewing a candidate pair reads, and an investigation with what the funnel counts.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class LinkableSuspect:
    id: int  # the person's primary key on the register
    reference: str  # pseudonymous person reference
    investigation_id: int
    force_id: int
    force_code: str
    crime_reference: str
    opened_on: date
    exploitation_types: tuple[str, ...]
    gender: str
    birth_year: int | None
    arrested_on: date | None
    charged_on: date | None


@dataclass(frozen=True)
class LinkableInvestigation:
    id: int
    force_id: int
    crime_reference: str
    opened_on: date
    primary_exploitation: str
    #: the first charge date of any suspect on the register, or None
    first_charged_on: date | None


@runtime_checkable
class LinkableRecords(Protocol):
    label: str

    def suspects(
        self, force_ids: Collection[int] | None = None, ids: Collection[int] | None = None
    ) -> Iterator[LinkableSuspect]:
        """Suspects (people of the suspect category) on investigations, of ``force_ids``
        (every force when None) or with the primary keys ``ids``; read in batches."""
        ...

    def investigations(
        self,
        force_ids: Collection[int],
        opened_from: date | None = None,
        opened_to: date | None = None,
    ) -> Iterator[LinkableInvestigation]:
        """Investigations of ``force_ids`` opened between the two days (inclusive)."""
        ...

    def url(self, investigation_id: int) -> str:
        """Where the investigation's own page is."""
        ...


class LinkableError(LookupError):
    """No app offers linkable records (the register is not installed)."""


_PROVIDER: list[LinkableRecords] = []


def register(provider: LinkableRecords) -> None:
    """Offer ``provider`` (from an ``AppConfig.ready()``); registering it again is a no-op,
    a second, different provider is refused."""
    if not isinstance(provider, LinkableRecords):
        raise LinkableError(f"{provider!r} does not implement LinkableRecords")
    if _PROVIDER and _PROVIDER[0] is not provider:
        raise LinkableError(f"linkable records already offered by {_PROVIDER[0].label}")
    _PROVIDER[:] = [provider]


def provider() -> LinkableRecords:
    if not _PROVIDER:
        raise LinkableError("no app offers linkable records: is msoic.cases installed?")
    return _PROVIDER[0]
