"""Access cases for commissioning URLs (msoic.commissioning), for every persona.

One envelope with an open window; bids from Kent (approved, so spend can be reported),
Essex and Cleveland, and one from the Eastern ROCU (its coordinator's)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from msoic.commissioning import actions
from tests.commissioning.conftest import make_bid, make_envelope, make_window
from tests.security.test_url_access import PERSONAS, SEES, Case, World

BIDDERS = ("kent", "essex", "cleveland", "eastern")
SEES_COMMISSIONING = {"kent", "essex", "cleveland", "eastern", "national"}


def _setup(w: World) -> dict[str, Any]:
    cached = getattr(w, "commissioning", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    unit = w.users["national"]
    envelope = make_envelope(unit, amount="500000.00")
    window = make_window(unit, envelope)
    bids = {b: make_bid(window, w.users[b], amount="1000.00") for b in BIDDERS}
    actions.do_decide_bid(bids["kent"], actor=unit, outcome="approved", reason="ok")
    found = {"envelope": envelope, "window": window, "bids": bids}
    w.commissioning = found  # type: ignore[attr-defined]
    return found


def _sees_bid(p: str, bidder: str) -> bool:
    if p == "national":
        return True
    if bidder == "eastern":
        return p == "eastern"
    return bidder in SEES[p]


def envelope_page(suffix: str) -> Callable[[World], list[Case]]:
    def build(w: World) -> list[Case]:
        pk = _setup(w)["envelope"].pk
        return [
            Case(
                p,
                f"/commissioning/envelopes/{pk}/{suffix}",
                {200} if p in SEES_COMMISSIONING else {404},
            )
            for p in PERSONAS
        ]

    return build


def envelope_downloads(w: World) -> list[Case]:
    return [c for fmt in ("csv", "xlsx") for c in envelope_page(f"approved-by-region.{fmt}")(w)]


def window_new(w: World) -> list[Case]:
    pk = _setup(w)["envelope"].pk
    cases = []
    for p in PERSONAS:
        expect = {200} if p == "national" else {403} if p in SEES_COMMISSIONING else {404}
        cases.append(Case(p, f"/commissioning/envelopes/{pk}/windows/new/", expect))
        if p != "national":
            cases.append(
                Case(
                    p,
                    f"/commissioning/envelopes/{pk}/windows/new/",
                    {403} if p in SEES_COMMISSIONING else {404},
                    method="post",
                    data={"title": "Mine", "opens": "2023-05-01", "closes": "2023-05-31"},
                )
            )
    return cases


def bid_new(w: World) -> list[Case]:
    pk = _setup(w)["window"].pk
    cases = []
    for p in PERSONAS:
        if p in BIDDERS:
            expect = {200}
        elif p == "national":
            expect = {403}  # the unit decides; it records paper bids through the action
        else:
            expect = {404}
        cases.append(Case(p, f"/commissioning/windows/{pk}/bid/", expect))
    return cases


def bid_detail(w: World) -> list[Case]:
    bids = _setup(w)["bids"]
    return [
        Case(p, f"/commissioning/bids/{bids[b].pk}/", {200} if _sees_bid(p, b) else {404})
        for p in PERSONAS
        for b in BIDDERS
    ]


def bid_decide(w: World) -> list[Case]:
    bids = _setup(w)["bids"]
    order = [p for p in PERSONAS if p != "national"] + ["national"]
    cases = []
    for p in order:
        for b in BIDDERS:
            if p == "national":
                expect = {302}
            else:
                expect = {403} if _sees_bid(p, b) else {404}
            cases.append(
                Case(
                    p,
                    f"/commissioning/bids/{bids[b].pk}/decide/",
                    expect,
                    method="post",
                    data={"outcome": "declined", "reason": "access test"},
                )
            )
    return cases


def bid_spend(w: World) -> list[Case]:
    """The bidder and the unit report spend; a coordinator who sees a force's bid may not."""
    bids = _setup(w)["bids"]
    cases = []
    for p in PERSONAS:
        for b in BIDDERS:
            if p == "national" or p == b:
                expect = {302}
            else:
                expect = {403} if _sees_bid(p, b) else {404}
            cases.append(
                Case(
                    p,
                    f"/commissioning/bids/{bids[b].pk}/spend/",
                    expect,
                    method="post",
                    data={"amount": "1.00", "spent_on": "2023-08-01"},
                )
            )
    return cases


CASES: dict[str, Callable[[World], list[Case]]] = {
    "commissioning-envelope": envelope_page(""),
    "commissioning-envelope-regions": envelope_downloads,
    "commissioning-window-new": window_new,
    "commissioning-bid-new": bid_new,
    "commissioning-bid": bid_detail,
    "commissioning-bid-decide": bid_decide,
    "commissioning-bid-spend": bid_spend,
}
