"""Access cases for the approval worklist (msoic.collection.approval_views), for every
persona: only those who approve (the unit) open it or approve from it; a selection holding
a return that is already approved is refused whole."""

from __future__ import annotations

from collections.abc import Callable

from tests.security.test_url_access import PERSONAS, Case, World


def _choice(w: World, force: str) -> str:
    sub = w.subs[force]
    sub.refresh_from_db()
    version = sub.current_version.number if sub.current_version else 0
    return f"{sub.pk}:{version}"


def _approvals(w: World) -> list[Case]:
    # everyone else first: the national analyst's approval changes Kent's return
    order = [p for p in PERSONAS if p != "national"] + ["national"]
    cases = []
    for p in order:
        allowed = p == "national"
        cases.append(Case(p, "/returns/approvals/", {200} if allowed else {403}))
        cases.append(
            Case(
                p, "/returns/approvals/?region=eastern&period=2024-01", {200} if allowed else {403}
            )
        )
        # Essex's return is approved already: the whole selection is refused
        cases.append(
            Case(
                p,
                "/returns/approvals/",
                {400} if allowed else {403},
                method="post",
                data={"approve": [_choice(w, "kent"), _choice(w, "essex")]},
                note="a selection with an approved return",
            )
        )
        cases.append(
            Case(
                p,
                "/returns/approvals/?region=eastern",
                {302} if allowed else {403},
                method="post",
                data={"approve": [_choice(w, "kent")]},
            )
        )
    return cases


CASES: dict[str, Callable[[World], list[Case]]] = {
    "returns-approvals": _approvals,
}
