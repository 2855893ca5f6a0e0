"""Access cases for the data cleanse, PNC marker and NRM picture URLs (msoic.cases), for
every persona.

Kent, Essex and Cleveland each have a stale live case on the cleanse's worklists and a
potential victim with a positive conclusive grounds decision. Posts carry input that
changes nothing (an empty review note, a bad date), so the order of cases does not matter.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.utils import timezone

from msoic.cases.cleanse.actions import do_open_cleanse
from tests.cases.cleanse_world import make_case, make_person
from tests.security.test_url_access import FORCES, PERSONAS, READS, SEES, Case, World

REGISTER = {"kent", "essex", "cleveland", "eastern", "national"}
NRM_UNITS = ("national", "eastern", "north-east", "kent", "essex", "cleveland", "nca")
# Whose NRM picture each persona may open (partners and admins: the nation, suppressed).
NRM_READS = {p: set(READS[p]) for p in PERSONAS}
for _p in FORCES:
    NRM_READS[_p] = {_p}
NRM_READS["eastern"] = {"eastern", "kent", "essex"}


def _setup(w: World) -> dict[str, Any]:
    cached = getattr(w, "cleanse", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    old = timezone.localdate() - timedelta(days=400)
    found: dict[str, Any] = {"items": {}, "people": {}}
    for force in FORCES:
        inv = make_case(force, f"SEC-{force}", old)
        found["people"][force] = make_person(
            inv,
            nrm_referred_on=old,
            rg_decision="positive",
            rg_decided_on=old,
            cg_decision="positive",
            cg_decided_on=old,
        )
    found["cleanse"] = do_open_cleanse(
        title="Security",
        criteria={"stale_days": 180},
        deadline=timezone.localdate() + timedelta(days=10),
        actor=w.users["national"],
    )
    for item in found["cleanse"].items.select_related("force"):
        found["items"][item.force.code] = item
    w.cleanse = found  # type: ignore[attr-defined]
    return found


def _register_only(p: str) -> set[int]:
    return {200} if p in REGISTER else {403}


def _force_list(p: str, force: str) -> set[int]:
    """A ?force= list: a force user always gets their own; others a force they see."""
    if p not in REGISTER:
        return {403}
    if p in FORCES:
        return {200}
    return {200} if force in SEES[p] else {403}


def cleanse_detail(w: World) -> list[Case]:
    pk = _setup(w)["cleanse"].pk
    cases = [Case(p, f"/investigations/cleanse/{pk}/", _register_only(p)) for p in PERSONAS]
    cases.append(Case("national", "/investigations/cleanse/999999/", {404}))
    return cases


def cleanse_progress_download(w: World) -> list[Case]:
    pk = _setup(w)["cleanse"].pk
    return [
        Case(p, f"/investigations/cleanse/{pk}/progress.{fmt}", _register_only(p))
        for p in PERSONAS
        for fmt in ("csv", "xlsx")
    ]


def cleanse_worklist(w: World) -> list[Case]:
    pk = _setup(w)["cleanse"].pk
    return [
        Case(p, f"/investigations/cleanse/{pk}/worklist/?force={f}", _force_list(p, f))
        for p in PERSONAS
        for f in FORCES
    ]


def cleanse_item(w: World) -> list[Case]:
    items = _setup(w)["items"]
    cases = []
    for p in PERSONAS:
        for f in FORCES:
            url = f"/investigations/cleanse/items/{items[f].pk}/"
            if p not in REGISTER:
                read = post = {403}
            elif f not in SEES[p]:
                read = post = {404}
            else:
                read, post = {200}, ({200} if p == f else {403})
            cases.append(Case(p, url, read))
            cases.append(
                Case(p, url, post, method="post", data={"step": "confirm", "confirm-note": ""})
            )
    return cases


def marker_record(w: World) -> list[Case]:
    people = _setup(w)["people"]
    cases = []
    for p in PERSONAS:
        for f in FORCES:
            if p not in REGISTER:
                expect = {403}
            elif f not in SEES[p]:
                expect = {404}
            else:
                expect = {302} if p == f else {403}
            cases.append(
                Case(
                    p,
                    f"/investigations/marker/people/{people[f].pk}/",
                    expect,
                    method="post",
                    data={"step": "requested", "on": "not a date"},
                )
            )
    return cases


def marker_page(path: str) -> Callable[[World], list[Case]]:
    def build(w: World) -> list[Case]:
        _setup(w)
        return [Case(p, f"{path}?force={f}", _force_list(p, f)) for p in PERSONAS for f in FORCES]

    return build


def marker_coverage_download(w: World) -> list[Case]:
    _setup(w)
    return [
        Case(p, f"/investigations/marker/coverage.{fmt}", _register_only(p))
        for p in PERSONAS
        for fmt in ("csv", "xlsx")
    ]


def nrm_page(w: World) -> list[Case]:
    _setup(w)
    return [
        Case(p, f"/investigations/nrm/?orgunit={u}", {200} if u in NRM_READS[p] else {403})
        for p in PERSONAS
        for u in NRM_UNITS
    ]


def nrm_download(w: World) -> list[Case]:
    _setup(w)
    return [
        Case(
            p,
            f"/investigations/nrm/data/uk.{fmt}?orgunit={u}&period=FY2023-24",
            {200} if u in NRM_READS[p] else {403},
        )
        for p in PERSONAS
        for u in NRM_UNITS
        for fmt in ("csv", "xlsx")
    ]


def cleanse_new(w: World) -> list[Case]:
    return [
        Case(p, "/investigations/cleanse/new/", {200} if p == "national" else {403})
        for p in PERSONAS
    ]


CASES: dict[str, Callable[[World], list[Case]]] = {
    "cleanse-detail": cleanse_detail,
    "cleanse-progress-download": cleanse_progress_download,
    "cleanse-worklist": cleanse_worklist,
    "cleanse-item": cleanse_item,
    "cleanse-new": cleanse_new,
    "marker": marker_page("/investigations/marker/"),
    "marker-export": marker_page("/investigations/marker/export/"),
    "marker-record": marker_record,
    "marker-coverage-download": marker_coverage_download,
    "nrm-picture": nrm_page,
    "nrm-download": nrm_download,
}
