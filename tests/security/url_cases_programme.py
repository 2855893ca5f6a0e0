"""Access cases for the programme's pillars (msoic.programme), for every persona: everyone
signed in reads them (/programme/, no parameter); only the unit opens a pillar to change it."""

from __future__ import annotations

from collections.abc import Callable

from tests.security.test_url_access import PERSONAS, Case, World


def _edit(w: World) -> list[Case]:
    return [
        Case(p, f"/programme/pillars/{code}/", {200} if p == "national" else {403})
        for p in PERSONAS
        for code in ("understand", "deliver")
    ]


CASES: dict[str, Callable[[World], list[Case]]] = {"programme-pillar-edit": _edit}
