"""Access cases for intelligence logs (msoic.intel), for every persona on every URL.

Kent sends a log (handling code P) and Cleveland's is sent by the unit (handling code C).
Logs are scoped as the register is: a force its own, the Eastern coordinator Kent and Essex,
the unit every force; partners and administrators none. Only the unit reviews; the dashboard
is the unit's and the coordinators'."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from msoic.intel.actions import do_queue_extract
from msoic.intel.models import IntelImport, IntelLog
from msoic.orgunits.models import OrgUnit
from tests.intel.conftest import extract_csv, log_row, send
from tests.security.test_url_access import PERSONAS, SEES, Case, World

READERS = {"kent", "essex", "cleveland", "eastern", "national"}
SENDERS = {"kent", "essex", "cleveland", "national"}


def _logs(w: World) -> dict[str, IntelLog]:
    cached = getattr(w, "intel_logs", None)
    if cached is None:
        send(w.users["kent"], "kent", [log_row("KT-1")])
        send(
            w.users["national"],
            "cleveland",
            [log_row("CL-1", handling_code="C", handling_conditions="Police only")],
        )
        cached = {f: IntelLog.objects.get(force__code=f) for f in ("kent", "cleveland")}
        w.intel_logs = cached  # type: ignore[attr-defined]
    return cached  # type: ignore[no-any-return]


def _jobs(w: World) -> dict[str, IntelImport]:
    cached = getattr(w, "intel_jobs", None)
    if cached is None:
        cached = {
            f: do_queue_extract(
                OrgUnit.objects.get(code=f),
                f"{f}.csv",
                extract_csv([log_row(f"{f}-9")]),
                actor=w.users[who],
                dry_run=True,
            )
            for f, who in (("kent", "kent"), ("cleveland", "national"))
        }
        w.intel_jobs = cached  # type: ignore[attr-defined]
    return cached  # type: ignore[no-any-return]


def _reader_or(p: str, ok: set[int]) -> set[int]:
    return ok if p in READERS else {403}


def listing(w: World) -> list[Case]:
    _logs(w)
    return [Case(p, "/intelligence/", _reader_or(p, {200})) for p in PERSONAS] + [
        Case(p, "/intelligence/?force=cleveland&theme=route:small_boat", _reader_or(p, {200}))
        for p in PERSONAS
    ]


def log_detail(w: World) -> list[Case]:
    logs = _logs(w)
    return [
        Case(
            p,
            f"/intelligence/{log.pk}/",
            _reader_or(p, {200} if force in SEES[p] else {404}),
        )
        for p in PERSONAS
        for force, log in logs.items()
    ]


def review(w: World) -> list[Case]:
    logs = _logs(w)
    cases = []
    for p in PERSONAS:
        for log in logs.values():
            url = f"/intelligence/{log.pk}/review/"
            cases.append(Case(p, url, {200} if p == "national" else {403}))
            data = {"outcome": "nfa", "reason": "No new lines of enquiry"}
            cases.append(
                Case(p, url, {302} if p == "national" else {403}, method="post", data=data)
            )
    return cases


def queue(w: World) -> list[Case]:
    _logs(w)
    return [
        Case(p, "/intelligence/queue/?age=overdue", {200} if p == "national" else {403})
        for p in PERSONAS
    ]


def dashboard(w: World) -> list[Case]:
    _logs(w)
    return [
        Case(
            p,
            "/intelligence/dashboard/?period=FY2023-24",
            {200} if p in ("national", "eastern") else {403},
        )
        for p in PERSONAS
    ]


def send_page(w: World) -> list[Case]:
    return [Case(p, "/intelligence/send/", {200} if p in SENDERS else {403}) for p in PERSONAS]


def extract(w: World) -> list[Case]:
    jobs = _jobs(w)
    sees = {"kent": {"kent", "national"}, "cleveland": {"cleveland", "national"}}
    return [
        Case(p, f"/intelligence/extracts/{job.pk}/", {200} if p in sees[f] else {404})
        for p in PERSONAS
        for f, job in jobs.items()
    ]


def export(w: World) -> list[Case]:
    _logs(w)
    data: dict[str, Any] = {
        "recipient": "NCA",
        "purpose": "Joint tasking",
        "handling_authority": "DI on call",
    }
    return [Case(p, "/intelligence/export/", _reader_or(p, {200})) for p in PERSONAS] + [
        Case(p, "/intelligence/export/", _reader_or(p, {200}), method="post", data=data)
        for p in PERSONAS
    ]


CASES: dict[str, Callable[[World], list[Case]]] = {
    "intel-list": listing,
    "intel-log": log_detail,
    "intel-review": review,
    "intel-queue": queue,
    "intel-dashboard": dashboard,
    "intel-send": send_page,
    "intel-extract": extract,
    "intel-export": export,
}
