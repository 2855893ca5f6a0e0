"""Access cases for CCA tasking URLs (msoic.tasking), for every persona.

The tasking and its measures are national reference data every force, coordinator and the
unit may read; each org unit's progress (status, evidence, commentary) is scoped like its
returns: a force its own, a coordinator their ROCU's and their forces', the unit all. A
force or ROCU records its own progress; only the unit revises a threshold."""

from __future__ import annotations

from collections.abc import Callable

from msoic.tasking.models import Tasking
from tests.security.test_url_access import PERSONAS, Case, World
from tests.tasking.conftest import load_tasking, progress_of

READERS = {"kent", "essex", "cleveland", "eastern", "national"}
# Whose progress rows each persona sees (org unit codes), and may update.
SEES = {
    "kent": {"kent"},
    "essex": {"essex"},
    "cleveland": {"cleveland"},
    "eastern": {"eastern", "kent", "essex"},
    "national": {"kent", "essex", "cleveland", "eastern", "north-east"},
    "partner": set(),
    "admin": set(),
}
UPDATES = {
    "kent": {"kent"},
    "essex": {"essex"},
    "cleveland": {"cleveland"},
    "eastern": {"eastern"},
    "national": SEES["national"],
    "partner": set(),
    "admin": set(),
}
# M2 applies to forces, M1 to ROCUs (the region org units).
ROWS = {"kent": "M2", "essex": "M2", "cleveland": "M2", "eastern": "M1", "north-east": "M1"}


def _tasking(w: World) -> Tasking:
    cached = getattr(w, "tasking", None)
    if cached is None:
        cached = load_tasking()
        w.tasking = cached  # type: ignore[attr-defined]
    return cached  # type: ignore[no-any-return]


def _reader(p: str) -> set[int]:
    return {200} if p in READERS else {403}


def tracker(w: World) -> list[Case]:
    t = _tasking(w)
    cases = [Case(p, f"/cca-tasking/{t.pk}/?as_of=2023-03-31", _reader(p)) for p in PERSONAS]
    cases += [
        Case(p, f"/cca-tasking/{t.pk + 999}/", {404} if p in READERS else {403}) for p in PERSONAS
    ]
    return cases


def tracker_download(w: World) -> list[Case]:
    t = _tasking(w)
    return [
        Case(p, f"/cca-tasking/{t.pk}/tracker.{fmt}?as_of=2023-03-31", _reader(p))
        for p in PERSONAS
        for fmt in ("csv", "xlsx")
    ]


def measure(w: World) -> list[Case]:
    t = _tasking(w)
    return [
        Case(p, f"/cca-tasking/measures/{m.pk}/", _reader(p))
        for p in PERSONAS
        for m in t.measures.filter(code__in=["M1", "M4"])
    ]


def threshold(w: World) -> list[Case]:
    t = _tasking(w)
    m4 = t.measures.get(code="M4")
    cases = [
        Case(p, f"/cca-tasking/measures/{m4.pk}/threshold/", {200} if p == "national" else {403})
        for p in PERSONAS
    ]
    data = {"new_value": "20", "effective_from": "2023-01-05", "reason": "Access case"}
    cases += [
        Case(
            p,
            f"/cca-tasking/measures/{m4.pk}/threshold/",
            {302} if p == "national" else {403},
            method="post",
            data=data,
        )
        for p in [q for q in PERSONAS if q != "national"] + ["national"]
    ]
    return cases


def progress(w: World) -> list[Case]:
    t = _tasking(w)
    rows = {unit: progress_of(t, code, unit) for unit, code in ROWS.items()}
    data = {"status": "in_progress", "on": "2023-01-10", "commentary": "Access case"}
    cases = []
    for p in PERSONAS:
        for unit, row in rows.items():
            url = f"/cca-tasking/progress/{row.pk}/"
            cases.append(Case(p, url, {200} if unit in SEES[p] else {404}))
            if unit in UPDATES[p]:
                post = {302}
            else:
                post = {403} if unit in SEES[p] else {404}
            cases.append(Case(p, url, post, method="post", data=data))
    return cases


CASES: dict[str, Callable[[World], list[Case]]] = {
    "tasking-tracker": tracker,
    "tasking-tracker-download": tracker_download,
    "tasking-measure": measure,
    "tasking-threshold": threshold,
    "tasking-progress": progress,
}
