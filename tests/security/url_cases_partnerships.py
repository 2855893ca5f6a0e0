"""Access cases for anti-slavery partnerships (msoic.partnerships), for every persona.

The Eastern partnership (Kent and Essex, coordinated by the Eastern coordinator) and a
Cleveland local partnership. The unit sees and manages both; the Eastern coordinator theirs;
Kent and Essex see Eastern's, Cleveland its own, none of them records meetings or changes
members; partners and administrators see no partnership page. Those who change members are
those who may set one up for its area: here the same as those who record meetings."""

from __future__ import annotations

from collections.abc import Callable

from msoic.partnerships.models import Partnership
from tests.partnerships.conftest import make_partnership
from tests.security.test_url_access import PERSONAS, Case, World

SEES = {
    "eastern": {"kent", "essex", "eastern", "national"},
    "cleveland": {"cleveland", "national"},
}
MANAGES = {"eastern": {"eastern", "national"}, "cleveland": {"national"}}
READERS = {"kent", "essex", "cleveland", "eastern", "national"}


def _partnerships(w: World) -> dict[str, Partnership]:
    cached = getattr(w, "partnerships", None)
    if cached is None:
        unit = w.users["national"]
        cached = {
            "eastern": make_partnership(unit, coordinator=w.users["eastern"]),
            "cleveland": make_partnership(
                unit, name="Tees Valley Network", area="cleveland", forces=("cleveland",)
            ),
        }
        w.partnerships = cached  # type: ignore[attr-defined]
    return cached  # type: ignore[no-any-return]


def listing(w: World) -> list[Case]:
    _partnerships(w)
    return [Case(p, "/partnerships/", {200} if p in READERS else {403}) for p in PERSONAS]


def detail(w: World) -> list[Case]:
    return [
        Case(p, f"/partnerships/{x.pk}/", {200} if p in SEES[which] else {404})
        for p in PERSONAS
        for which, x in _partnerships(w).items()
    ]


def meeting_new(w: World) -> list[Case]:
    cases = []
    for p in PERSONAS:
        for which, x in _partnerships(w).items():
            url = f"/partnerships/{x.pk}/meetings/new/"
            forces = list(x.forces.values_list("code", flat=True))
            data = {"on": "2023-06-01", "venue": "Online", "partner_attendees": "2"}
            data.update({f"force_{code}": "1" for code in forces})
            if p in MANAGES[which]:
                get, post = {200}, {302}
            elif p in SEES[which]:
                get = post = {403}
            else:
                get = post = {404}
            cases.append(Case(p, url, get))
            cases.append(Case(p, url, post, method="post", data=data))
    return cases


def members(w: World) -> list[Case]:
    cases = []
    for p in PERSONAS:
        for which, x in _partnerships(w).items():
            url = f"/partnerships/{x.pk}/members/"
            # the members as they are (a POST that changes nothing, so every case leaves the
            # partnership as the other cases expect it)
            data = {
                "forces": list(x.forces.values_list("code", flat=True)),
                "organisations": "\n".join(x.organisations.values_list("name", flat=True)),
                "on": "2023-06-01",
            }
            if p in MANAGES[which]:
                get, post = {200}, {302}
            elif p in SEES[which]:
                get = post = {403}
            else:
                get = post = {404}
            cases.append(Case(p, url, get))
            cases.append(Case(p, url, post, method="post", data=data))
    return cases


def details(w: World) -> list[Case]:
    cases = []
    for p in PERSONAS:
        for which, x in _partnerships(w).items():
            url = f"/partnerships/{x.pk}/details/"
            # the details as they are (a POST that changes nothing)
            data = {
                "cadence": x.cadence,
                "coordinator": x.coordinator.username if x.coordinator else "",
                "ended_on": "",
            }
            if p in MANAGES[which]:
                get, post = {200}, {302}
            elif p in SEES[which]:
                get = post = {403}
            else:
                get = post = {404}
            cases.append(Case(p, url, get))
            cases.append(Case(p, url, post, method="post", data=data))
    return cases


CASES: dict[str, Callable[[World], list[Case]]] = {
    "partnerships-list": listing,
    "partnerships-partnership": detail,
    "partnerships-meeting-new": meeting_new,
    "partnerships-members": members,
    "partnerships-details": details,
}
