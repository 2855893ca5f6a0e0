"""Access cases for CPS outcomes and the linkage (msoic.cps), for every persona.

A CPS case charged from each of Kent, Essex and Cleveland; Kent's has a candidate pair
awaiting review against a suspect on a Kent investigation. The unit imports, runs, reviews
and sees every case; a force user sees their own force's cases, the Eastern coordinator
Kent's and Essex's; partners and administrators see no case, only the funnel (through
disclosure control)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from msoic.cases.models import Category, Investigation, Person
from msoic.cps.actions import do_import_extract, do_request_linkage
from msoic.cps.models import CpsCase, Link, LinkageRun, LinkStatus, RunStatus
from msoic.orgunits.models import OrgUnit
from tests.cps.conftest import case_row, extract_csv
from tests.security.test_url_access import PERSONAS, SEES, Case, World

ORGUNIT_ROLES = {"kent", "essex", "cleveland", "eastern", "national"}


def _world(w: World) -> dict[str, Any]:
    cached = getattr(w, "cps", None)
    if cached is None:
        rows = [
            case_row(urn=f"01{force[:2].upper()}0000001", force=force)
            for force in ("kent", "essex", "cleveland")
        ]
        outcome = do_import_extract("cps.csv", extract_csv(rows), actor=w.users["national"])
        assert outcome.status == "accepted", [str(p) for p in outcome.problems]
        kent = OrgUnit.objects.get(code="kent")
        inv = Investigation.objects.create(
            force=kent, crime_reference="46/001234/23", opened_on=date(2023, 1, 10)
        )
        suspect = Person.objects.create(
            investigation=inv,
            force=kent,
            reference="URL-CPS-1",
            category=Category.SUSPECT,
            charged_on=date(2023, 5, 2),
        )
        case = CpsCase.objects.get(force=kent)
        link = Link.objects.create(
            case=case,
            suspect_id=suspect.pk,
            suspect_ref=suspect.reference,
            investigation_id=inv.pk,
            force=kent,
            crime_reference=inv.crime_reference,
            probability=0.7,
            status=LinkStatus.CLERICAL,
        )
        cached = {
            "cases": {c.force.code: c for c in CpsCase.objects.select_related("force")},
            "link": link,
        }
        w.cps = cached  # type: ignore[attr-defined]
    return cached  # type: ignore[no-any-return]


def _only_unit(p: str, ok: int) -> set[int]:
    return {ok} if p == "national" else {403}


def listing(w: World) -> list[Case]:
    _world(w)
    return [Case(p, "/cps/", {200} if p in ORGUNIT_ROLES else {403}) for p in PERSONAS]


def detail(w: World) -> list[Case]:
    cases = _world(w)["cases"]
    return [
        Case(p, f"/cps/cases/{c.pk}/", {200} if force in SEES[p] else {404})
        for p in PERSONAS
        for force, c in cases.items()
    ]


def extract_import(w: World) -> list[Case]:
    _world(w)
    out = []
    for p in PERSONAS:
        out.append(Case(p, "/cps/import/", _only_unit(p, 200)))
        upload = SimpleUploadedFile(
            "cps.csv", extract_csv([case_row(urn="01KT0000777")]), content_type="text/csv"
        )
        out.append(
            Case(
                p, "/cps/import/", _only_unit(p, 302), method="post", data={"extract_file": upload}
            )
        )
    return out


def runs(w: World) -> list[Case]:
    _world(w)
    return [Case(p, "/cps/linkage/", _only_unit(p, 200)) for p in PERSONAS]


def run_restart(w: World) -> list[Case]:
    """A run left stuck by a dead worker: the unit restarts it (POST), no one else."""
    _world(w)
    run, _ = do_request_linkage(actor=w.users["national"])
    LinkageRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, task_id="a-lost-task", heartbeat_at=None
    )
    out = []
    for p in PERSONAS:
        out.append(Case(p, f"/cps/linkage/{run.pk}/restart/", _only_unit(p, 302), method="post"))
        out.append(
            Case(
                p,
                f"/cps/linkage/{run.pk + 999}/restart/",
                {404} if p == "national" else {403},
                method="post",
            )
        )
    return out


def review(w: World) -> list[Case]:
    _world(w)
    return [Case(p, "/cps/review/", _only_unit(p, 200)) for p in PERSONAS]


def review_pair(w: World) -> list[Case]:
    link = _world(w)["link"]
    url = f"/cps/review/{link.pk}/"
    out = []
    for p in PERSONAS:
        out.append(Case(p, url, _only_unit(p, 200)))
        out.append(Case(p, f"/cps/review/{link.pk + 999}/", {404} if p == "national" else {403}))
        out.append(Case(p, url, _only_unit(p, 302), method="post", data={"decision": "confirm"}))
    return out


def funnel(w: World) -> list[Case]:
    _world(w)
    out = [Case(p, "/cps/funnel/", {200}) for p in PERSONAS]
    out += [Case(p, "/cps/funnel/?period=2023-05", {404}) for p in PERSONAS]
    return out


CASES: dict[str, Callable[[World], list[Case]]] = {
    "cps-cases": listing,
    "cps-case": detail,
    "cps-import": extract_import,
    "cps-runs": runs,
    "cps-run-restart": run_restart,
    "cps-review": review,
    "cps-review-pair": review_pair,
    "cps-funnel": funnel,
}
