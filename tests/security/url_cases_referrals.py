"""Access cases for organ-harvesting referrals and SPOCs (msoic.referrals), for every persona.

A referral from the Human Tissue Authority to Kent (a district in Kent Police's area) and one
to Cleveland (Hartlepool). Kent sees and works Kent's; the Eastern coordinator reads Kent's;
Cleveland sees and works Cleveland's; the unit reads both and works neither; the NCA partner
and the administrator see none. SPOCs: Kent's and Cleveland's; forces keep their own, the
Eastern coordinator their region's, the unit reads all. The HTA's own user is tried on every
URL in tests/referrals/test_pages.py (PERSONAS here is the shared set)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from msoic.referrals.models import Referral, Spoc
from tests.conftest import _make
from tests.referrals.conftest import add_spoc, submit
from tests.security.test_url_access import PERSONAS, SEES, Case, World

FORCE_OF = {"kent": "E07000110", "cleveland": "E06000001"}


def _world(w: World) -> tuple[dict[str, Referral], dict[str, Spoc]]:
    cached = getattr(w, "referrals", None)
    if cached is None:
        hta = _make("hta.cases", "partner", "hta")
        referrals = {f: submit(hta, local_authority=la) for f, la in FORCE_OF.items()}
        spocs = {f: add_spoc(w.users[f], f, starts_on=date(2023, 1, 1)) for f in FORCE_OF}
        cached = (referrals, spocs)
        w.referrals = cached  # type: ignore[attr-defined]
    return cached  # type: ignore[no-any-return]


def _reads(p: str, force: str) -> bool:
    return force in SEES[p]


def _works(p: str, force: str) -> bool:
    return p == force


def _denied(p: str, force: str) -> set[int]:
    """Seen but not theirs to work: 403; not seen: 404."""
    return {403} if _reads(p, force) else {404}


def listing(w: World) -> list[Case]:
    _world(w)
    readers = {"kent", "essex", "cleveland", "eastern", "national"}
    return [Case(p, "/referrals/", {200} if p in readers else {403}) for p in PERSONAS]


def new(w: World) -> list[Case]:
    # only the Human Tissue Authority submits; its user is tried in tests/referrals/test_pages.py
    return (
        [Case(p, "/referrals/new/", {403}) for p in PERSONAS]
        + [
            Case(p, "/referrals/new/", {403}, method="post", data={"clinician": "x"})
            for p in PERSONAS
        ]
        + [Case("national", "/referrals/?show=escalated", {200})]
    )


def detail(w: World) -> list[Case]:
    referrals, _ = _world(w)
    return [
        Case(p, f"/referrals/{r.pk}/", {200} if _reads(p, f) else {404})
        for p in PERSONAS
        for f, r in referrals.items()
    ]


def acknowledge(w: World) -> list[Case]:
    referrals, _ = _world(w)
    # the force's own user last: its acknowledgement changes the referral
    order = sorted(PERSONAS, key=lambda p: p in FORCE_OF)
    return [
        Case(
            p,
            f"/referrals/{r.pk}/acknowledge/",
            {302} if _works(p, f) else _denied(p, f),
            method="post",
        )
        for p in order
        for f, r in referrals.items()
    ]


def assign(w: World) -> list[Case]:
    referrals, _ = _world(w)
    cases = []
    for p in PERSONAS:
        for f, r in referrals.items():
            data = {"assignee": w.users[f].username}
            # the force's user is sent back to the referral (with a message when not yet
            # acknowledged); everyone else is refused
            cases.append(
                Case(
                    p,
                    f"/referrals/{r.pk}/assign/",
                    {302} if _works(p, f) else _denied(p, f),
                    method="post",
                    data=data,
                )
            )
    return cases


def outcome(w: World) -> list[Case]:
    referrals, _ = _world(w)
    return [
        Case(p, f"/referrals/{r.pk}/outcome/", {200, 302} if _works(p, f) else _denied(p, f))
        for p in PERSONAS
        for f, r in referrals.items()
    ]


def reroute(w: World) -> list[Case]:
    referrals, _ = _world(w)
    order = sorted(PERSONAS, key=lambda p: p == "national")  # the unit's re-route last
    data = {"force": "essex", "reason": "the place is in Essex"}
    return [
        Case(
            p,
            f"/referrals/{r.pk}/reroute/",
            {302} if p == "national" else _denied(p, f),
            method="post",
            data=data,
        )
        for p in order
        for f, r in referrals.items()
    ]


def spoc_list(w: World) -> list[Case]:
    _world(w)
    readers = {"kent", "essex", "cleveland", "eastern", "national"}
    return [Case(p, "/spocs/", {200} if p in readers else {403}) for p in PERSONAS] + [
        Case(p, "/spocs/coverage/", {200} if p in readers else {403}) for p in PERSONAS
    ]


def spoc_new(w: World) -> list[Case]:
    _world(w)
    keepers = {"kent", "essex", "cleveland", "eastern"}
    cases = [Case(p, "/spocs/new/", {200} if p in keepers else {403}) for p in PERSONAS]
    for p in PERSONAS:
        # a SPOC for Kent: Kent's user and the Eastern coordinator may; others may not
        # (Essex and Cleveland get their form back: Kent is not among their forces)
        data = {"force": "kent", "theme": "innerste", "name": "DS New", "starts_on": "2024-01-01"}
        if p in {"kent", "eastern"}:
            expect = {302}
        elif p in {"essex", "cleveland"}:
            expect = {200}
        else:
            expect = {403}
        cases.append(Case(p, "/spocs/new/", expect, method="post", data=data))
    return cases


def spoc_edit(w: World) -> list[Case]:
    _, spocs = _world(w)
    cases = []
    for p in PERSONAS:
        for f, s in spocs.items():
            keeps = p == f or (p == "eastern" and f in SEES["eastern"])
            cases.append(Case(p, f"/spocs/{s.pk}/edit/", {200} if keeps else _denied(p, f)))
    return cases


CASES: dict[str, Callable[[World], list[Case]]] = {
    "referral-list": listing,
    "referral-new": new,
    "referral-detail": detail,
    "referral-acknowledge": acknowledge,
    "referral-assign": assign,
    "referral-outcome": outcome,
    "referral-reroute": reroute,
    "spoc-list": spoc_list,
    "spoc-new": spoc_new,
    "spoc-edit": spoc_edit,
}
