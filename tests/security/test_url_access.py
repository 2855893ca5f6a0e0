"""Scoped access for every role against every URL that takes an org unit or an object id.

The URLconf is enumerated: every route with a parameter (a path converter or a regex
group) must have an entry in ``CASES``, mapping its URL name to a case builder. A builder
returns, for *every* persona, requests with the status each must get (allowed or denied).
So a new parameterised URL without an entry here fails ``test_every_parameterised_url_has_cases``.

Entries may also cover URLs that take an org unit in the query string (``?orgunit=``).

A second test sends every non-public URL an anonymous request: it must redirect to the
login page or answer 401, never serve the page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

from msoic.collection.actions import (
    do_approve_submission,
    do_create_import_job,
    do_submit_return,
    run_import_job,
)
from msoic.collection.models import ImportJob, Submission
from tests.conftest import PERSONA_ACCOUNTS, _make, csv_bytes, module_data
from tests.security.urlconf import all_patterns, sample_url

PERSONAS = ("kent", "essex", "cleveland", "eastern", "national", "partner", "admin")
FORCES = ("kent", "essex", "cleveland")
# Whose force-level records each persona may see (from the access rules, written out by hand).
SEES = {
    "kent": {"kent"},
    "essex": {"essex"},
    "cleveland": {"cleveland"},
    "eastern": {"kent", "essex"},
    "national": set(FORCES),
    "partner": set(),
    "admin": set(),
}
# Whose returns each persona may submit.
WRITES = {
    "kent": {"kent"},
    "essex": {"essex"},
    "cleveland": {"cleveland"},
    "national": set(FORCES),
    "eastern": set(),
    "partner": set(),
    "admin": set(),
}
# Which org units' figures each persona may read (national aggregates: everyone).
READS = {
    "kent": {"national", "kent"},
    "essex": {"national", "essex"},
    "cleveland": {"national", "cleveland"},
    "eastern": {"national", "eastern", "kent", "essex"},
    "national": {"national", "eastern", "north-east", "kent", "essex", "cleveland"},
    "partner": {"national"},
    "admin": {"national"},
}
ORGUNITS = ("national", "eastern", "north-east", "kent", "essex", "cleveland", "nca")
# Static files are served outside the URLconf; a set-password link and a survey link are
# their own credentials.
PUBLIC = {"login", "healthz", "set-password", "capability-survey-respond"}
DENIED = {403, 404}


@dataclass
class Case:
    persona: str
    url: str
    expect: set[int]
    method: str = "get"
    data: dict[str, Any] | None = None
    note: str = ""


@dataclass
class World:
    """Personas, logged-in clients, each force's return for 2024-01 (Kent's corrected by the
    Kent user, so version 2 is a Kent-only file; Essex's approved), and two upload jobs, one
    by the Kent user and one by the national analyst."""

    users: dict[str, Any]
    clients: dict[str, Client] = field(default_factory=dict)
    subs: dict[str, Submission] = field(default_factory=dict)
    jobs: dict[str, ImportJob] = field(default_factory=dict)

    def client(self, persona: str) -> Client:
        if persona not in self.clients:
            client = Client()
            client.force_login(self.users[persona])
            self.clients[persona] = client
        return self.clients[persona]


def build_base(users: dict[str, Any]) -> tuple[dict[str, int], dict[str, int]]:
    """Each force's return for 2024-01 (Kent's corrected by the Kent user, Essex's approved)
    and the two upload jobs: the keys of the returns by force and of the jobs by creator."""
    rows = [[force, "2024-01", "ms_arrests", "", 2, ""] for force in FORCES]
    rows += [[force, "2024-01", "oic_disruptions", "", 1, ""] for force in FORCES]
    national = users["national"]
    assert do_submit_return("jan.csv", csv_bytes(rows), actor=national).status == "accepted"
    fix = csv_bytes([["kent", "2024-01", "ms_arrests", "", 3, "recount"]])
    assert do_submit_return("jan-fix.csv", fix, actor=users["kent"]).status == "accepted"
    subs = {
        force: Submission.objects.get(
            orgunit__code=force, dataset="ms-monthly", period="2024-01-01"
        ).pk
        for force in FORCES
    }
    do_approve_submission(Submission.objects.get(pk=subs["essex"]), actor=national)
    jobs = {}
    for creator in ("kent", "national"):
        job = do_create_import_job(
            [("job.csv", csv_bytes([["kent", "2024-01", "ms_charges", "", 1, ""]]))],
            actor=users[creator],
            dry_run=True,
        )
        jobs[creator] = run_import_job(job.pk).pk
    return subs, jobs


def world_of(users: dict[str, Any], subs: dict[str, int], jobs: dict[str, int]) -> World:
    """A World with clients of its own over those rows, read again, so that no test sees
    another's changes to an object."""
    w = World(users=users)
    w.subs = {force: Submission.objects.get(pk=pk) for force, pk in subs.items()}
    w.jobs = {creator: ImportJob.objects.get(pk=pk) for creator, pk in jobs.items()}
    return w


@pytest.fixture(scope="module")
def base_world(django_db_setup: Any, django_db_blocker: Any) -> Any:
    """The rows every case starts from, made once for this module (each of its 169 tests
    made them again: 17 s on SQLite, 34 s on PostgreSQL) and rolled back after it. Each test
    still runs in its own savepoint, so what a case builder or a request adds is gone
    before the next test."""
    with module_data(django_db_blocker):
        yield build_base({key: _make(*persona) for key, persona in PERSONA_ACCOUNTS.items()})


@pytest.fixture
def world(base_world: Any, personas: dict[str, Any]) -> World:
    return world_of(personas, *base_world)


@pytest.fixture
def own_world(personas: dict[str, Any]) -> World:
    """The same World made in the test's own transaction, for a module whose other tests
    need the database without its rows (a module-scoped one stays until the module ends)."""
    return world_of(personas, *build_base(personas))


# --- case builders: API ----------------------------------------------------------------


def api_submission(w: World) -> list[Case]:
    return [
        Case(p, f"/api/v1/submissions/{w.subs[f].pk}", {200} if f in SEES[p] else {404})
        for p in PERSONAS
        for f in FORCES
    ]


def api_values(w: World) -> list[Case]:
    cases = []
    for p in PERSONAS:
        for unit in ORGUNITS:
            allowed = unit in READS[p]
            cases.append(
                Case(
                    p,
                    f"/api/v1/values?metric=ms_recorded_crimes&period=2024-01&orgunit={unit}",
                    {200} if allowed else {403},
                )
            )
    return cases


def api_series(w: World) -> list[Case]:
    return [
        Case(
            p,
            f"/api/v1/series?metric=ms_recorded_crimes&start=2024-01&end=2024-01&orgunit={unit}",
            {200} if unit in READS[p] else {403},
        )
        for p in PERSONAS
        for unit in ORGUNITS
    ]


def api_submissions(w: World) -> list[Case]:
    cases = []
    for p in PERSONAS:
        for unit in ("kent", "essex", "cleveland", "eastern"):
            cases.append(
                Case(p, f"/api/v1/submissions?orgunit={unit}", {200} if unit in READS[p] else {403})
            )
    return cases


# --- case builders: returns (collection) --------------------------------------------------


def submission_detail(w: World) -> list[Case]:
    return [
        Case(p, f"/returns/{w.subs[f].pk}/", {200} if f in SEES[p] else {404})
        for p in PERSONAS
        for f in FORCES
    ]


def submission_version(w: World) -> list[Case]:
    cases = []
    for p in PERSONAS:
        for f in FORCES:
            cases.append(
                Case(p, f"/returns/{w.subs[f].pk}/versions/1/", {200} if f in SEES[p] else {404})
            )
        cases.append(
            Case(
                p,
                f"/returns/{w.subs['kent'].pk}/versions/2/",
                {200} if "kent" in SEES[p] else {404},
            )
        )
        cases.append(Case(p, f"/returns/{w.subs['kent'].pk}/versions/9/", {404}))
    return cases


def submission_file(w: World) -> list[Case]:
    """Version 1 of each return came in one file holding all three forces' rows (sent by the
    national analyst): national users only. Kent's version 2 is a Kent-only file sent by the
    Kent user: whoever sees Kent's return."""
    cases = []
    for p in PERSONAS:
        for f in FORCES:
            cases.append(
                Case(
                    p,
                    f"/returns/{w.subs[f].pk}/versions/1/file/",
                    {200} if p == "national" else {404},
                    note="a multi-force file",
                )
            )
        cases.append(
            Case(
                p,
                f"/returns/{w.subs['kent'].pk}/versions/2/file/",
                {200} if "kent" in SEES[p] else {404},
            )
        )
    return cases


def submission_approve(w: World) -> list[Case]:
    return [
        Case(
            p,
            f"/returns/{w.subs[f].pk}/approve/",
            {302} if p == "national" else ({403} if f in SEES[p] else {404}),
            method="post",
        )
        for p in PERSONAS
        for f in ("kent", "cleveland")
    ]


def submission_unlock(w: World) -> list[Case]:
    # everyone else first: the national analyst's unlock changes the return
    order = [p for p in PERSONAS if p != "national"] + ["national"]
    return [
        Case(
            p,
            f"/returns/{w.subs['essex'].pk}/unlock/",
            {302} if p == "national" else ({403} if "essex" in SEES[p] else {404}),
            method="post",
            data={"reason": "figures to correct"},
        )
        for p in order
    ]


def returns_template(w: World) -> list[Case]:
    return [
        Case(
            p, f"/returns/template/ms-monthly/{f}/2024-01.xlsx", {200} if f in WRITES[p] else {403}
        )
        for p in PERSONAS
        for f in FORCES
    ]


def returns_enter(w: World) -> list[Case]:
    cases = []
    for p in PERSONAS:
        for f in FORCES:
            cases.append(
                Case(
                    p,
                    f"/returns/enter/oic-monthly/{f}/2024-01/",
                    {200} if f in WRITES[p] else {403},
                )
            )
        # a write attempt for a force that is not theirs
        if "cleveland" not in WRITES[p]:
            cases.append(
                Case(
                    p,
                    "/returns/enter/oic-monthly/cleveland/2024-01/",
                    {403},
                    method="post",
                    data={"oic_disruptions": "9"},
                )
            )
    return cases


def returns_job(w: World) -> list[Case]:
    return [
        Case(
            p,
            f"/returns/jobs/{w.jobs[creator].pk}/",
            {200} if p in {creator, "national"} else {404},
        )
        for p in PERSONAS
        for creator in w.jobs
    ]


def returns_job_status(w: World) -> list[Case]:
    return [
        Case(
            p,
            f"/returns/jobs/{w.jobs[creator].pk}/status.json",
            {200} if p in {creator, "national"} else {404},
        )
        for p in PERSONAS
        for creator in w.jobs
    ]


def returns_job_acknowledge(w: World) -> list[Case]:
    """Only the uploader comments on their file's warnings; national users may look, not comment."""
    cases = []
    for p in PERSONAS:
        for creator in w.jobs:
            if p == creator:
                expect = {200, 302}
            elif p == "national":
                expect = {403}
            else:
                expect = {404}
            cases.append(
                Case(
                    p,
                    f"/returns/jobs/{w.jobs[creator].pk}/files/0/comments/",
                    expect,
                    method="post",
                )
            )
    return cases


def returns_hub(w: World) -> list[Case]:
    """?force= picks a force for users who see several; a single-force user's page ignores it."""
    cases = []
    for p in PERSONAS:
        for f in FORCES:
            if p in {"partner", "admin"}:
                expect = {403}
            elif p in {"kent", "essex", "cleveland"}:
                expect = {200}
            else:
                expect = {200} if f in SEES[p] else {403}
            cases.append(Case(p, f"/returns/?force={f}", expect))
    return cases


# --- case builders: dashboards and audit -------------------------------------------------


def dashboard_page(kind: str) -> Callable[[World], list[Case]]:
    def build(w: World) -> list[Case]:
        return [
            Case(p, f"/dashboards/{kind}/?orgunit={unit}", {200} if unit in READS[p] else {403})
            for p in PERSONAS
            for unit in ORGUNITS
        ]

    return build


def dashboard_download(w: World) -> list[Case]:
    cases = []
    for p in PERSONAS:
        for unit in ORGUNITS:
            allowed = unit in READS[p]
            for dashboard in ("ms", "oic"):
                cases.append(
                    Case(
                        p,
                        f"/dashboards/{dashboard}/data/headline.csv?orgunit={unit}&period=2024-01",
                        {200} if allowed else {403},
                    )
                )
        # the nation split by region or force: national analysts only
        for block in ("regions", "forces"):
            cases.append(
                Case(
                    p,
                    f"/dashboards/ms/data/{block}.xlsx?orgunit=national&period=2024-01",
                    {200} if p == "national" else {403},
                )
            )
        # a region split by force: its coordinator and national analysts
        cases.append(
            Case(
                p,
                "/dashboards/ms/data/forces.csv?orgunit=eastern&period=2024-01",
                {200} if p in {"eastern", "national"} else {403},
            )
        )
    return cases


def audit_log(w: World) -> list[Case]:
    return [
        Case(p, f"/audit/?orgunit={unit}", {200} if p == "national" else {403})
        for p in PERSONAS
        for unit in ("kent", "eastern")
    ]


CASES: dict[str, Callable[[World], list[Case]]] = {
    "api-submission": api_submission,
    "api-values": api_values,
    "api-series": api_series,
    "api-submissions": api_submissions,
    "submission-detail": submission_detail,
    "submission-version": submission_version,
    "submission-file": submission_file,
    "submission-approve": submission_approve,
    "submission-unlock": submission_unlock,
    "returns-template": returns_template,
    "returns-enter": returns_enter,
    "returns-job": returns_job,
    "returns-job-status": returns_job_status,
    "returns-job-acknowledge": returns_job_acknowledge,
    "returns": returns_hub,
    "dashboard-ms": dashboard_page("ms"),
    "dashboard-oic": dashboard_page("oic"),
    "dashboard-download": dashboard_download,
    "audit-log": audit_log,
}


def _load_extension_cases() -> None:
    """Each capability keeps its URLs' cases in ``tests/security/url_cases_<app>.py`` with a
    ``CASES`` dict of the same shape (builders take the World and may add their own objects)."""
    import importlib
    import pathlib

    for path in sorted(pathlib.Path(__file__).parent.glob("url_cases_*.py")):
        module = importlib.import_module(f"tests.security.{path.stem}")
        clash = set(module.CASES) & set(CASES)
        assert not clash, f"{path.name} redefines cases for {sorted(clash)}"
        CASES.update(module.CASES)


_load_extension_cases()

# Checks beyond the status code: what an allowed answer may contain.


def check_api_submissions_content(w: World) -> None:
    for p in PERSONAS:
        body = w.client(p).get("/api/v1/submissions").json()
        assert {s["orgunit"] for s in body["submissions"]} == SEES[p], p


# --- the tests ---------------------------------------------------------------------------


def test_every_parameterised_url_has_cases():
    parameterised = {p.name for p in all_patterns() if p.parameterised}
    missing = sorted(n or "(unnamed)" for n in parameterised - set(CASES))
    assert not missing, (
        f"URLs that take an org unit or object id but have no access cases in {__name__}.CASES: "
        f"{missing}. Add a case builder that tries every persona."
    )


def test_cases_name_real_urls():
    names = {p.name for p in all_patterns()}
    assert not sorted(set(CASES) - names)


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_persona_gets_the_right_answer(world, name):
    cases = CASES[name](world)
    assert {c.persona for c in cases} == set(PERSONAS), f"{name}: every persona must be tried"
    assert any(c.expect <= DENIED for c in cases), f"{name}: no denial is tested"
    assert any(not (c.expect <= DENIED) for c in cases), f"{name}: no success is tested"
    failures = []
    for case in cases:
        client = world.client(case.persona)
        response = getattr(client, case.method)(case.url, case.data or {})
        if response.status_code not in case.expect:
            failures.append(
                f"{case.persona} {case.method.upper()} {case.url} -> {response.status_code}, "
                f"expected {sorted(case.expect)} {case.note}"
            )
    assert not failures, "\n".join(failures)


def test_submission_list_holds_only_visible_returns(world):
    check_api_submissions_content(world)


# Force names, and which personas may see each force's own figures and records.
NAMED = {
    "Kent Police": {"kent", "eastern", "national"},
    "Essex Police": {"essex", "eastern", "national"},
    "Cleveland Police": {"cleveland", "national"},
    "Bedfordshire Police": {"eastern", "national"},
    "Durham Constabulary": {"national"},
}
PAGES = [
    "/dashboards/ms/",
    "/dashboards/oic/",
    "/dashboards/ms/?orgunit=national",
    "/dashboards/ms/data/headline.csv?orgunit=national&period=2024-01",
    "/returns/",
    "/returns/completeness/",
    "/api/v1/submissions",
    "/api/v1/values?metric=ms_arrests&period=2024-01&compare=previous-year",
]


def test_pages_name_only_forces_the_persona_may_see(world):
    """Beyond status codes: an allowed page must not carry another force's name (and so its rows)."""
    failures = []
    for p in PERSONAS:
        for url in PAGES:
            response = world.client(p).get(url)
            if response.status_code != 200:
                continue
            text = response.content.decode("utf-8", "replace")
            for name, allowed in NAMED.items():
                code = name.split()[0].lower()
                shown = name in text or f'"{code}"' in text
                if shown and p not in allowed:
                    failures.append(f"{p} sees {name} on {url}")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_every_non_public_url_turns_anonymous_callers_away():
    client = Client()
    for pattern in all_patterns():
        if pattern.name in PUBLIC:
            continue
        url = sample_url(pattern)
        response = client.get(url)
        if response.status_code == 405:
            response = client.post(url)
        if response.status_code == 401:
            continue
        assert response.status_code == 302, (pattern.name, url, response.status_code)
        assert response["Location"].startswith("/login/"), (pattern.name, url, response["Location"])


@pytest.mark.django_db
def test_public_urls_really_are_public():
    client = Client()
    assert client.get("/login/").status_code == 200
    assert client.get("/healthz").status_code == 200
