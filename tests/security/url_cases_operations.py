"""Access cases for operations URLs (msoic.operations), for every persona.

Operation records are the unit's and every signed-in role reads them (figures inside are
scoped on the page, tested in tests/operations/test_pages.py); only the unit edits."""

from __future__ import annotations

from collections.abc import Callable

from msoic.operations.models import Operation
from tests.operations.conftest import make_operation
from tests.security.test_url_access import PERSONAS, Case, World


def _operation(w: World) -> Operation:
    cached = getattr(w, "operation", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    op = make_operation(w.users["national"], forces=("kent", "essex", "cleveland"))
    w.operation = op  # type: ignore[attr-defined]
    return op


def _detail(w: World) -> list[Case]:
    op = _operation(w)
    cases = [Case(p, f"/operations/intensifications/{op.pk}/", {200}) for p in PERSONAS]
    cases += [Case(p, "/operations/intensifications/999999/", {404}) for p in PERSONAS]
    cases += [
        Case(
            p,
            f"/operations/intensifications/{op.pk}/?table=region&format=csv",
            {200} if p == "national" else {404},
        )
        for p in PERSONAS
    ]
    return cases


def _edit(w: World) -> list[Case]:
    op = _operation(w)
    return [
        Case(p, f"/operations/intensifications/{op.pk}/edit/", {200} if p == "national" else {403})
        for p in PERSONAS
    ] + [
        Case(
            p,
            f"/operations/intensifications/{op.pk}/edit/",
            {200} if p == "national" else {403},
            method="post",
            data={"series": ""},
        )
        for p in PERSONAS
    ]


CASES: dict[str, Callable[[World], list[Case]]] = {
    "operations-detail": _detail,
    "operations-edit": _edit,
}
