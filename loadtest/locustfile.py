"""The month-end load on MSOIC Insight (issue 10): what `make load` runs against gunicorn.

Four kinds of user share the server at once, as they do in the days after a month end:

- **force users** (``MSOIC_LOAD_UPLOADERS``, default 10 at once) open their returns page,
  download the XLSX template for a month, fill in figures that pass validation and upload
  it, then follow the upload job until the worker has checked and stored it;
- **analysts** (national, regional and partner accounts) read the MS and OIC dashboards,
  the NRM picture and the completeness grid;
- **API clients** read ``/api/v1/values`` with a bearer token;
- **one approver** (the national team approves returns) works through returns waiting for
  approval: the return's page, then *Approve and lock*.

Every upload is written to ``MSOIC_LOAD_UPLOADS_LOG`` (one JSON object a line: the job id,
the unique file name and, once the job ends, what the pipeline said), so that
``loadtest/check.py`` can prove afterwards that each upload was stored exactly once.

Configuration (environment; ``scripts/load.sh`` sets it):

- ``MSOIC_LOAD_PASSWORD``: the accounts' password (the demo's);
- ``MSOIC_LOAD_FORCE_ACCOUNTS``: ``username:force,...`` the force users log in as;
- ``MSOIC_LOAD_ANALYST_ACCOUNTS``: ``username,...`` for analysts;
- ``MSOIC_LOAD_APPROVER``: the approver's username;
- ``MSOIC_LOAD_API_TOKENS``: ``username=token,...`` for API clients (a partner's, whose
  name starts ``nca``, asks for ended financial years only);
- ``MSOIC_LOAD_UPLOAD_MONTHS``: ``YYYY-MM,...`` the months force users send returns for
  (months the approver never approves, so an upload is never refused as locked).
"""

from __future__ import annotations

import io
import itertools
import json
import os
import random
import re
import threading
import time
import uuid
from collections import defaultdict
from typing import Any

from locust import HttpUser, between, events, task
from openpyxl import load_workbook

PASSWORD = os.environ.get("MSOIC_LOAD_PASSWORD", "Insight-demo-2024")
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
JOB_URL = re.compile(r"/returns/jobs/(\d+)/")
RETURN_DATASETS = ("ms-monthly", "oic-monthly")
JOB_TIMEOUT_SECONDS = float(os.environ.get("MSOIC_LOAD_JOB_TIMEOUT", "120"))


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def force_accounts() -> list[tuple[str, str]]:
    pairs = _env_list("MSOIC_LOAD_FORCE_ACCOUNTS", "kent.demo:kent,essex.demo:essex")
    return [(p.split(":", 1)[0], p.split(":", 1)[1]) for p in pairs]


def upload_months() -> list[str]:
    return _env_list("MSOIC_LOAD_UPLOAD_MONTHS", "2024-10,2024-11,2024-12,2025-01,2025-02,2025-03")


# Accounts are handed out round robin, so ten force users spread over the forces.
_next_force = itertools.count()
_next_analyst = itertools.count()
_next_token = itertools.count()

# Returns the approver may approve, found by the first approver to start.
_to_approve: list[int] = []
_to_approve_lock = threading.Lock()

_log_lock = threading.Lock()


def log_upload(record: dict[str, Any]) -> None:
    path = os.environ.get("MSOIC_LOAD_UPLOADS_LOG")
    if not path:
        return
    with _log_lock, open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(record) + "\n")


# --- what the run measured: every request's time, written at the end ------------------------

# Request names that are web pages a person waits for once logged in (the "page p95 under
# 500 ms" aim). Logging in is reported on its own lines: the password hash is slow on purpose.
PAGES = frozenset(
    {
        "returns page",
        "upload page",
        "job page",
        "dashboard MS",
        "dashboard OIC",
        "NRM picture",
        "completeness",
        "home",
        "return page",
    }
)
_times: dict[str, list[float]] = defaultdict(list)
_errors: dict[str, int] = defaultdict(int)
_clock: dict[str, float] = {}


@events.test_start.add_listener
def _started(**_: Any) -> None:
    _clock["start"] = time.monotonic()


@events.request.add_listener
def _measured(name: str, response_time: float, exception: Any = None, **_: Any) -> None:
    _times[name].append(response_time)
    if exception is not None:
        _errors[name] += 1


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (``share`` from 0 to 1) of ``values``."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = max(1, min(len(ordered), int(-(-share * len(ordered) // 1))))
    return ordered[rank - 1]


def summarise(times: dict[str, list[float]], errors: dict[str, int], seconds: float) -> dict:
    """Requests, errors, requests per second and median/p95/p99 (ms) per request name, for
    all pages together and for everything."""
    groups = dict(times)
    groups["(all pages)"] = [t for name in PAGES for t in times.get(name, [])]
    groups["(all requests)"] = [t for values in times.values() for t in values]
    error_groups = dict(errors)
    error_groups["(all pages)"] = sum(errors.get(name, 0) for name in PAGES)
    error_groups["(all requests)"] = sum(errors.values())
    return {
        "seconds": round(seconds, 1),
        "requests": {
            name: {
                "count": len(values),
                "errors": error_groups.get(name, 0),
                "rps": round(len(values) / seconds, 2) if seconds else 0.0,
                "median": round(percentile(values, 0.5)),
                "p95": round(percentile(values, 0.95)),
                "p99": round(percentile(values, 0.99)),
            }
            for name, values in groups.items()
        },
    }


@events.test_stop.add_listener
def _stopped(**_: Any) -> None:
    path = os.environ.get("MSOIC_LOAD_RESULTS")
    if not path:
        return
    seconds = time.monotonic() - _clock.get("start", time.monotonic())
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(summarise(_times, _errors, seconds), fh, indent=1)


# --- the users ------------------------------------------------------------------------------


def fill_template(data: bytes, rng: random.Random) -> bytes:
    """The template with every value cell filled: a small total per metric (at most 9, so
    the 'much higher than usual' warning never fires), split at random over each
    breakdown's options so that each breakdown adds up to it."""
    wb = load_workbook(io.BytesIO(data))
    ws = wb["Return"]
    header_row = None
    columns: dict[str, int] = {}
    for row in ws.iter_rows():
        names = [str(c.value).strip() if c.value is not None else "" for c in row]
        if {"metric", "breakdown", "value"} <= set(names):
            header_row = row[0].row
            columns = {name: i + 1 for i, name in enumerate(names) if name}
            break
    if header_row is None:
        raise ValueError("no header row in the template")
    lines: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for r in range(header_row + 1, ws.max_row + 1):
        metric = ws.cell(r, columns["metric"]).value
        if not metric:
            continue
        breakdown = ws.cell(r, columns["breakdown"]).value or ""
        name = str(breakdown).split("=", 1)[0] if breakdown else ""
        lines[str(metric)][name].append(r)
    for groups in lines.values():
        total = rng.randint(0, 9)
        for name, rows in groups.items():
            if not name:
                for r in rows:
                    ws.cell(r, columns["value"]).value = total
                continue
            parts = [0] * len(rows)
            for _ in range(total):
                parts[rng.randrange(len(rows))] += 1
            for r, part in zip(rows, parts, strict=True):
                ws.cell(r, columns["value"]).value = part
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


class LoggedInUser(HttpUser):
    """A browser user: logs in through the login form (password only: the load test runs
    with ``MSOIC_MFA_DEMO_OFF=true``, as the demo does) and sends the CSRF token on POSTs."""

    abstract = True
    username = ""

    def csrf_from(self, html: str) -> str:
        match = CSRF_INPUT.search(html)
        if not match:
            raise RuntimeError("no CSRF token in the page")
        return match.group(1)

    def log_in(self) -> None:
        page = self.client.get("/login/", name="login page")
        with self.client.post(
            "/login/",
            data={
                "username": self.username,
                "password": PASSWORD,
                "next": "",
                "csrfmiddlewaretoken": self.csrf_from(page.text),
            },
            name="login",
            catch_response=True,
        ) as response:
            if "/login/" in response.url:
                response.failure(f"{self.username} could not log in")


class ForceUser(LoggedInUser):
    """Sends returns: the returns page, a template, an upload, then the job to its end."""

    fixed_count = int(os.environ.get("MSOIC_LOAD_UPLOADERS", "10"))
    wait_time = between(5, 15)

    def on_start(self) -> None:
        accounts = force_accounts()
        self.username, self.force = accounts[next(_next_force) % len(accounts)]
        self.rng = random.Random()
        self.log_in()

    @task
    def send_a_return(self) -> None:
        self.client.get("/returns/", name="returns page")
        dataset = self.rng.choice(RETURN_DATASETS)
        month = self.rng.choice(upload_months())
        template = self.client.get(
            f"/returns/template/{dataset}/{self.force}/{month}.xlsx", name="template xlsx"
        )
        if template.status_code != 200:
            return
        upload_page = self.client.get("/returns/upload/", name="upload page")
        if upload_page.status_code != 200:
            return
        filename = f"{dataset}_{self.force}_{month}_load-{uuid.uuid4().hex[:12]}.xlsx"
        content = fill_template(template.content, self.rng)
        with self.client.post(
            "/returns/upload/",
            data={"csrfmiddlewaretoken": self.csrf_from(upload_page.text)},
            files={"return_files": (filename, content, "application/octet-stream")},
            name="upload (POST)",
            catch_response=True,
        ) as response:
            match = JOB_URL.search(response.url or "")
            if not match:
                response.failure("the upload did not lead to a job page")
                return
        job = int(match.group(1))
        record = {"job": job, "file": filename, "user": self.username, "force": self.force}
        log_upload({**record, "event": "posted"})
        self.follow_job(job, record)

    def follow_job(self, job: int, record: dict[str, Any]) -> None:
        """Poll the job as the page's HTMX does (every second), up to a limit."""
        self.client.get(f"/returns/jobs/{job}/", name="job page")
        deadline = time.monotonic() + JOB_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            response = self.client.get(f"/returns/jobs/{job}/status.json", name="job status")
            if response.status_code == 200:
                body = response.json()
                if body["status"] in {"done", "failed"}:
                    statuses = [f.get("status") for f in body["files"]]
                    log_upload(
                        {
                            **record,
                            "event": "finished",
                            "job_status": body["status"],
                            "files": statuses,
                        }
                    )
                    return
            time.sleep(1)
        log_upload({**record, "event": "timeout"})


class Analyst(LoggedInUser):
    """Reads the dashboards, the NRM picture and the completeness grid."""

    weight = 3
    wait_time = between(2, 6)

    def on_start(self) -> None:
        accounts = _env_list(
            "MSOIC_LOAD_ANALYST_ACCOUNTS", "national.demo,eastern.demo,nca.demo,kent.demo"
        )
        self.username = accounts[next(_next_analyst) % len(accounts)]
        self.rng = random.Random()
        self.log_in()

    @task(4)
    def ms_dashboard(self) -> None:
        query = self.rng.choice(["", "?period=2024-02", "?period=2023-09", "?orgunit=national"])
        self.client.get(f"/dashboards/ms/{query}", name="dashboard MS")

    @task(3)
    def oic_dashboard(self) -> None:
        query = self.rng.choice(["", "?period=2024-03", "?period=2023-12"])
        self.client.get(f"/dashboards/oic/{query}", name="dashboard OIC")

    @task(2)
    def nrm_picture(self) -> None:
        with self.client.get(
            "/investigations/nrm/", name="NRM picture", catch_response=True
        ) as response:
            # Partners may not open the NRM picture of records: a refusal is the right answer.
            if response.status_code == 403 and self.username.startswith("nca"):
                response.success()

    @task(2)
    def completeness(self) -> None:
        if self.username.startswith("nca"):  # partners have no completeness grid
            self.ms_dashboard()
            return
        self.client.get("/returns/completeness/", name="completeness")

    @task(1)
    def home(self) -> None:
        self.client.get("/", name="home")


class ApiClient(HttpUser):
    """A script reading figures from the API with a bearer token."""

    weight = 1
    wait_time = between(1, 3)
    METRICS = (
        "ms_recorded_crimes",
        "ms_live_investigations",
        "ms_nrm_referrals",
        "oic_disruptions",
    )
    # Partners are given counts of people for ended financial years only.
    PARTNER_PERIODS = ("FY2023-24", "FY2022-23")
    PERIODS = (*PARTNER_PERIODS, "R12-2024-02", "2024-03")

    def on_start(self) -> None:
        tokens = _env_list("MSOIC_LOAD_API_TOKENS", "")
        if not tokens:
            raise RuntimeError("MSOIC_LOAD_API_TOKENS is empty (username=token,...)")
        self.owner, self.token = tokens[next(_next_token) % len(tokens)].split("=", 1)
        self.rng = random.Random()

    def query(self) -> dict[str, str]:
        """What the token's owner may ask: a partner national figures for ended financial
        years; a regional coordinator their region, by force; the national team any split."""
        params = {"metric": self.rng.choice(self.METRICS), "compare": "previous-year"}
        if self.owner.startswith("nca"):
            params["period"] = self.rng.choice(self.PARTNER_PERIODS)
        elif self.owner.startswith("eastern"):
            params.update(period=self.rng.choice(self.PERIODS), orgunit="eastern")
            if self.rng.random() < 0.5:
                params["by"] = "force"
        else:
            params["period"] = self.rng.choice(self.PERIODS)
            if self.rng.random() < 0.5:
                params["by"] = self.rng.choice(["region", "force"])
        return params

    @task
    def values(self) -> None:
        self.client.get(
            "/api/v1/values",
            params=self.query(),
            headers={"Authorization": f"Bearer {self.token}"},
            name="API values",
        )


class Approver(LoggedInUser):
    """The one national user approving returns at month end."""

    fixed_count = 1
    wait_time = between(3, 8)

    def on_start(self) -> None:
        self.username = os.environ.get("MSOIC_LOAD_APPROVER", "national.demo")
        self.log_in()
        months = set(upload_months())  # never approved here: uploads to them must not be locked
        with _to_approve_lock:
            if not _to_approve:
                for dataset in RETURN_DATASETS:
                    response = self.client.get(
                        "/api/v1/submissions",
                        params={"dataset": dataset, "period": "FY2024-25", "limit": "1000"},
                        name="API submissions (approver's list)",
                    )
                    if response.status_code == 200:
                        _to_approve.extend(
                            s["id"]
                            for s in response.json()["submissions"]
                            if s["status"] == "submitted"
                            and not s["locked"]
                            and s["period"] not in months
                        )
                random.shuffle(_to_approve)

    @task
    def approve_one(self) -> None:
        with _to_approve_lock:
            pk = _to_approve.pop() if _to_approve else None
        if pk is None:
            self.client.get("/returns/completeness/", name="completeness")
            return
        page = self.client.get(f"/returns/{pk}/", name="return page")
        if page.status_code != 200:
            return
        with self.client.post(
            f"/returns/{pk}/approve/",
            data={"csrfmiddlewaretoken": self.csrf_from(page.text)},
            name="approve (POST)",
            catch_response=True,
        ) as response:
            if f"/returns/{pk}/" not in (response.url or ""):
                response.failure("approval did not return to the return's page")
