"""Access cases for the library of documents (msoic.documents), for every persona.

The unit publishes an OFFICIAL guide and an OFFICIAL-SENSITIVE problem profile for the
nation, and an OFFICIAL-SENSITIVE briefing for the Eastern region. Everyone with a role
sees the OFFICIAL guide; only force, regional and unit users see the sensitive ones
(partners and administrators get 404, as for a document that does not exist). The unit adds
versions to all three, the Eastern coordinator to their region's only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from msoic.documents.models import Document
from tests.documents.conftest import PDF, publish
from tests.security.test_url_access import PERSONAS, Case, World

POLICE = {"kent", "essex", "cleveland", "eastern", "national"}
SEES = {"official": set(PERSONAS), "sensitive": POLICE, "eastern": POLICE}
MANAGES = {"official": {"national"}, "sensitive": {"national"}, "eastern": {"national", "eastern"}}


def _documents(w: World) -> dict[str, Document]:
    cached = getattr(w, "library", None)
    if cached is None:
        unit = w.users["national"]
        cached = {
            "official": publish(unit, title="First responder guidance"),
            "sensitive": publish(
                unit, title="Car wash problem profile", marking="official_sensitive"
            ),
            "eastern": publish(
                unit, title="Eastern briefing", marking="official_sensitive", owner="eastern"
            ),
        }
        w.library = cached  # type: ignore[attr-defined]
    return cached  # type: ignore[no-any-return]


def _seen(p: str, which: str, ok: set[int]) -> set[int]:
    return ok if p in SEES[which] else {404}


def listing(w: World) -> list[Case]:
    """Every role reads the library (its list filtered by marking); publishing is for the
    unit and the coordinators."""
    _documents(w)
    cases = [Case(p, "/documents/", {200}) for p in PERSONAS]
    publishers = {"national", "eastern"}
    cases += [Case(p, "/documents/new/", {200} if p in publishers else {403}) for p in PERSONAS]
    return cases


def detail(w: World) -> list[Case]:
    return [
        Case(p, f"/documents/{d.pk}/", _seen(p, which, {200}))
        for p in PERSONAS
        for which, d in _documents(w).items()
    ]


def download(w: World) -> list[Case]:
    cases = []
    for p in PERSONAS:
        for which, d in _documents(w).items():
            cases.append(Case(p, f"/documents/{d.pk}/versions/1/download/", _seen(p, which, {200})))
            cases.append(Case(p, f"/documents/{d.pk}/versions/9/download/", {404}))
    return cases


def version_new(w: World) -> list[Case]:
    cases = []
    for p in PERSONAS:
        for which, d in _documents(w).items():
            url = f"/documents/{d.pk}/versions/new/"
            if p in MANAGES[which]:
                get, post = {200}, {302}
            else:
                get = post = _seen(p, which, {403})
            upload: dict[str, Any] = {
                "published_on": "2023-07-01",
                "marking": d.marking,
                "document_file": SimpleUploadedFile("next.pdf", PDF),
            }
            cases.append(Case(p, url, get))
            cases.append(Case(p, url, post, method="post", data=upload))
    return cases


CASES: dict[str, Callable[[World], list[Case]]] = {
    "documents-list": listing,
    "documents-document": detail,
    "documents-download": download,
    "documents-version-new": version_new,
}
