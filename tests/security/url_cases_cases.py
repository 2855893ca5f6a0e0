"""Access cases for the investigation register (msoic.cases), for every persona.

Kent, Essex and Cleveland each have an investigation with a potential victim on it. Pages
holding personal data first ask why (302 to the justification page) for those who may
see them; another force's record is a 404 (and a ``denied`` audit row, tested in
tests/cases/test_web.py); those who may read but not change get 403 on the forms."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from msoic.cases import actions
from msoic.orgunits.models import OrgUnit
from tests.security.test_url_access import FORCES, PERSONAS, SEES, WRITES, Case, World

OPEN = {200, 302}  # the page, or first the question why it is being opened


def _setup(w: World) -> dict[str, Any]:
    cached = getattr(w, "cases", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    found: dict[str, Any] = {}
    for code in FORCES:
        investigation = actions.do_create_investigation(
            OrgUnit.objects.get(code=code),
            actor=w.users[code],
            crime_reference=f"{code.upper()}/1/24",
            opened_on=date(2024, 1, 10),
        )
        person = actions.do_add_person(
            investigation, actor=w.users[code], category="victim", age_group="adult"
        )
        found[code] = {"investigation": investigation, "person": person}
    w.cases = found  # type: ignore[attr-defined]
    return found


def _read(p: str, f: str) -> set[int]:
    return OPEN if f in SEES[p] else {404}


def _write(p: str, f: str) -> set[int]:
    if f not in SEES[p]:
        return {404}
    return OPEN if p == f else {403}


def _per(kind: str, suffix: str, expect: Callable[[str, str], set[int]]):
    prefix = "/investigations/" if kind == "investigation" else "/investigations/people/"

    def build(w: World) -> list[Case]:
        records = _setup(w)
        return [
            Case(p, f"{prefix}{records[f][kind].pk}/{suffix}", expect(p, f))
            for p in PERSONAS
            for f in FORCES
        ]

    return build


def register_by_force(w: World) -> list[Case]:
    _setup(w)
    return [
        Case(p, f"/investigations/register/?force={f}", {200} if f in SEES[p] else {403})
        for p in PERSONAS
        for f in FORCES
    ]


def register_new(w: World) -> list[Case]:
    return [
        Case(p, "/investigations/new/", {200} if p in FORCES and p in WRITES[p] else {403})
        for p in PERSONAS
    ]


def _disclosure(url: str, data: dict[str, str]) -> Callable[[World], list[Case]]:
    """A download of records: a POST (with CSRF, tested in tests/cases) for a force the
    persona may read; a GET, which a link could trigger, is refused to everyone."""

    def build(w: World) -> list[Case]:
        _setup(w)
        cases = [Case(p, url, {405}, note="a disclosure is never a GET") for p in PERSONAS]
        cases += [
            Case(
                p,
                url,
                {200} if f in SEES[p] else {403},
                method="post",
                data={**data, "force": f, "recipient": "Security test", "purpose": "test"},
            )
            for p in PERSONAS
            for f in FORCES
        ]
        return cases

    return build


CASES: dict[str, Callable[[World], list[Case]]] = {
    "cases-register-export": _disclosure("/investigations/register/export/", {"format": "csv"}),
    "cases-htcds-export": _disclosure("/investigations/htcds/export/", {"format": "csv"}),
    "cases-register": register_by_force,
    "cases-new": register_new,
    "cases-investigation": _per("investigation", "", _read),
    "cases-investigation-justify": _per("investigation", "justify/", _read),
    "cases-investigation-edit": _per("investigation", "edit/", _write),
    "cases-investigation-close": _per("investigation", "close/", _write),
    "cases-investigation-review": _per("investigation", "review/", _write),
    "cases-person-add": _per("investigation", "people/new/", _write),
    "cases-person": _per("person", "", _read),
    "cases-person-justify": _per("person", "justify/", _read),
    "cases-person-edit": _per("person", "edit/", _write),
    "cases-person-record": _per("person", "record/", _write),
}
