"""Access cases for operations-supported URLs (msoic.support), for every persona.

Kent, Essex and Cleveland each have one operation logged by the unit. The unit edits any;
the Eastern coordinator edits Kent's and Essex's; force users read their own only."""

from __future__ import annotations

from collections.abc import Callable

from msoic.support.actions import do_add_financial_outcome
from msoic.support.models import SupportedOperation
from tests.security.test_url_access import PERSONAS, SEES, Case, World
from tests.support.conftest import make_operation

FORCES = ("kent", "essex", "cleveland")
EDITS = {"national": set(FORCES), "eastern": {"kent", "essex"}}
READERS = {"kent", "essex", "cleveland", "eastern", "national"}


def _ops(w: World) -> dict[str, SupportedOperation]:
    cached = getattr(w, "support_ops", None)
    if cached is None:
        cached = {f: make_operation(f, w.users["national"]) for f in FORCES}
        w.support_ops = cached  # type: ignore[attr-defined]
    return cached  # type: ignore[no-any-return]


def _edit(p: str, f: str, ok: set[int]) -> set[int]:
    if f in EDITS.get(p, set()):
        return ok
    return {403} if f in SEES[p] else {404}


def detail(w: World) -> list[Case]:
    ops = _ops(w)
    return [
        Case(p, f"/operations-supported/{ops[f].pk}/", {200} if f in SEES[p] else {404})
        for p in PERSONAS
        for f in FORCES
    ]


def edit(w: World) -> list[Case]:
    ops = _ops(w)
    return [
        Case(p, f"/operations-supported/{ops[f].pk}/edit/", _edit(p, f, {200}))
        for p in PERSONAS
        for f in FORCES
    ]


def outcome_add(w: World) -> list[Case]:
    ops = _ops(w)
    data = {"kind": "reparation", "amount": "£1,000.50"}
    return [
        Case(
            p,
            f"/operations-supported/{ops[f].pk}/outcomes/",
            _edit(p, f, {302}),
            method="post",
            data=data,
        )
        for p in PERSONAS
        for f in FORCES
    ]


def outcome_remove(w: World) -> list[Case]:
    """A fresh outcome for every attempt, so an allowed removal leaves the next one to try."""
    ops = _ops(w)
    cases = []
    for p in PERSONAS:
        for f in FORCES:
            outcome = do_add_financial_outcome(
                ops[f], actor=w.users["national"], kind="cash_forfeiture", amount="250"
            )
            cases.append(
                Case(
                    p,
                    f"/operations-supported/{ops[f].pk}/outcomes/{outcome.pk}/remove/",
                    _edit(p, f, {302}),
                    method="post",
                )
            )
    return cases


def summary_download(w: World) -> list[Case]:
    _ops(w)
    cases = []
    for p in PERSONAS:
        for fmt in ("csv", "xlsx"):
            url = f"/operations-supported/summary.{fmt}?year=FY2023-24"
            cases.append(Case(p, url, {200} if p in READERS else {403}))
        cases.append(Case(p, "/operations-supported/summary.pdf", {404} if p in READERS else {403}))
    return cases


CASES: dict[str, Callable[[World], list[Case]]] = {
    "support-detail": detail,
    "support-edit": edit,
    "support-outcome-add": outcome_add,
    "support-outcome-remove": outcome_remove,
    "support-summary-download": summary_download,
}
