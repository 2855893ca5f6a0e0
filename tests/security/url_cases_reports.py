"""Access cases for reports (msoic.reports), for every persona.

The world holds a stored template ``small`` with a draft edition (FY2023-24) and a
published one (FY2022-23), and a finished build of the draft. The unit (national) edits
templates, reads drafts and builds; everyone signed in reads the published report and its
files; a draft, a build and anything of the unit's is a 404 for anyone else (a published
edition they can see but not manage: 403)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from msoic.reports import actions
from msoic.reports.models import Build, ReportTemplate
from tests.security.test_url_access import PERSONAS, Case, World

TEXT = "title: Small\n# Figures\nDisruptions in January: [[oic_disruptions period=2024-01]].\n"


def _objects(w: World) -> dict[str, Any]:
    cached = getattr(w, "reports", None)
    if cached is None:
        unit = w.users["national"]
        template = ReportTemplate.objects.create(name="small", title="Small")
        actions.do_save_template_version(template, TEXT, actor=unit)
        draft = actions.do_create_edition(template, "FY2023-24", actor=unit)
        published = actions.do_create_edition(template, "FY2022-23", actor=unit)
        actions.do_approve_edition(published, actor=unit)
        published = actions.do_publish_edition(published, actor=unit)
        job = actions.do_start_build(draft, "json", actor=unit)
        actions.run_build(job.pk)
        cached = {"draft": draft, "published": published, "build": Build.objects.get(pk=job.pk)}
        w.reports = cached  # type: ignore[attr-defined]
    return cached  # type: ignore[no-any-return]


def _unit(p: str, ok: set[int], other: set[int]) -> set[int]:
    return ok if p == "national" else other


def template(w: World) -> list[Case]:
    _objects(w)
    cases = []
    for p in PERSONAS:
        cases.append(Case(p, "/reports/templates/small/", _unit(p, {200}, {403})))
        cases.append(Case(p, "/reports/templates/annual/", _unit(p, {200}, {403})))
        cases.append(Case(p, "/reports/templates/nothing/", _unit(p, {404}, {403})))
        data = {"text": TEXT, "note": "again"}
        cases.append(
            Case(p, "/reports/templates/small/", _unit(p, {302}, {403}), method="post", data=data)
        )
    return cases


def edition(w: World) -> list[Case]:
    o = _objects(w)
    cases = []
    for p in PERSONAS:
        cases.append(Case(p, f"/reports/{o['draft'].pk}/", _unit(p, {200}, {404})))
        cases.append(Case(p, f"/reports/{o['published'].pk}/", {200}))
    return cases


def build(w: World) -> list[Case]:
    o = _objects(w)
    data = {"fmt": "html"}
    cases = []
    for p in PERSONAS:
        url = f"/reports/{o['draft'].pk}/build/"
        cases.append(Case(p, url, _unit(p, {302}, {404}), method="post", data=data))
        url = f"/reports/{o['published'].pk}/build/"
        cases.append(Case(p, url, _unit(p, {302}, {403}), method="post", data=data))
    return cases


def status(w: World) -> list[Case]:
    o = _objects(w)
    cases = []
    for p in PERSONAS:
        url = f"/reports/{o['draft'].pk}/status/"
        cases.append(
            Case(p, url, _unit(p, {302}, {404}), method="post", data={"action": "approve"})
        )
        url = f"/reports/{o['published'].pk}/status/"
        # The unit is told a published report is never published again (409).
        cases.append(
            Case(p, url, _unit(p, {409}, {403}), method="post", data={"action": "publish"})
        )
    return cases


def changes(w: World) -> list[Case]:
    o = _objects(w)
    cases = []
    for p in PERSONAS:
        cases.append(Case(p, f"/reports/{o['published'].pk}/changes/", _unit(p, {200}, {403})))
        cases.append(Case(p, f"/reports/{o['draft'].pk}/changes/", {404}))
    return cases


def published_file(w: World) -> list[Case]:
    o = _objects(w)
    cases = []
    for p in PERSONAS:
        for fmt in ("json", "xlsx"):
            cases.append(Case(p, f"/reports/{o['published'].pk}/published.{fmt}", {200}))
        cases.append(Case(p, f"/reports/{o['draft'].pk}/published.json", {404}))
    return cases


def build_detail(w: World) -> list[Case]:
    o = _objects(w)
    return [Case(p, f"/reports/builds/{o['build'].pk}/", _unit(p, {200}, {404})) for p in PERSONAS]


def build_file(w: World) -> list[Case]:
    o = _objects(w)
    return [
        Case(p, f"/reports/builds/{o['build'].pk}/file/", _unit(p, {200}, {404})) for p in PERSONAS
    ]


CASES: dict[str, Callable[[World], list[Case]]] = {
    "reports-template": template,
    "reports-edition": edition,
    "reports-build": build,
    "reports-status": status,
    "reports-changes": changes,
    "reports-published-file": published_file,
    "reports-build-detail": build_detail,
    "reports-build-file": build_file,
}
