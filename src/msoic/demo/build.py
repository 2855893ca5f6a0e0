"""Load the demo: catalogue, one user per role, and the generated history of returns.

The history goes in the way real returns do: as CSV files, one per dataset and month for
the forces that sent on time, one per late or corrected return, each through
:func:`msoic.collection.pipeline.import_file` with the time it arrived, submitted by the
demo national analyst. Older returns are then approved (locked) with
:func:`msoic.collection.actions.do_approve_submission`, and the calibrated figures are
read back through the metric engine.

Running it again changes nothing. The pipeline refuses any file for an approved (locked)
return, even an identical one, so a file whose bytes are already stored as a version of
every return it carries is reported ``unchanged`` without being sent again.
"""

from __future__ import annotations

import csv
import hashlib
import io
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import transaction

from msoic.accounts.actions import do_create_user
from msoic.accounts.models import Role, User
from msoic.catalogue.loader import Catalogue, get_catalogue, load_catalogue
from msoic.collection.actions import do_approve_submission
from msoic.collection.models import Submission, SubmissionVersion
from msoic.collection.pipeline import build_context, import_file
from msoic.collection.readers import CANONICAL_COLUMNS
from msoic.demo.config import DemoConfig, load_config
from msoic.demo.generator import History, ReturnRow, generate
from msoic.metrics import engine
from msoic.metrics.periods import Period, add_months, format_month, month_label
from msoic.orgunits.models import OrgUnit

UK = ZoneInfo("Europe/London")
ACTOR_LABEL = "demo"


class DemoError(RuntimeError):
    """The demo could not be loaded; the message says which file or step failed."""


@dataclass
class PlannedFile:
    """One return file as a force (or the unit on its behalf) would have sent it."""

    name: str
    dataset: str
    kind: str  # on-time | late | correction
    received_at: datetime
    lines: list[tuple[str, date, ReturnRow]] = field(default_factory=list)  # force, month, row

    @property
    def keys(self) -> set[tuple[str, str, date]]:
        return {(self.dataset, force, month) for force, month, _ in self.lines}

    def data(self) -> bytes:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(CANONICAL_COLUMNS)
        for force, month, row in self.lines:
            cut = f"{row.breakdown}={row.option}" if row.breakdown else ""
            writer.writerow([force, format_month(month), row.metric, cut, row.value, row.comment])
        return buffer.getvalue().encode("utf-8")


def _arrival(month: date, day: int, hour: int, minute: int = 0) -> datetime:
    following = add_months(month, 1)
    return datetime(following.year, following.month, day, hour, minute, tzinfo=UK)


def plan_files(history: History, config: DemoConfig, catalogue: Catalogue) -> list[PlannedFile]:
    """The files in the order they arrived."""
    late = {(r.dataset, r.force, r.month): r for r in config.late_returns}
    fixes = {(r.dataset, r.force, r.month): r for r in config.corrections}
    files: list[PlannedFile] = []
    for dataset in sorted(catalogue.datasets):
        for month in history.months:
            stem = f"{dataset}_{format_month(month)}"
            bulk = PlannedFile(
                f"{stem}.csv", dataset, "on-time", _arrival(month, config.on_time_day, 9, 30)
            )
            for force in history.forces:
                key = (dataset, force, month)
                rows = history.returns.get(key)
                if rows is None:
                    continue  # missing return
                if key in late:
                    files.append(
                        PlannedFile(
                            f"{stem}_{force}.csv",
                            dataset,
                            "late",
                            _arrival(month, late[key].day, 14),
                            [(force, month, r) for r in rows],
                        )
                    )
                    continue
                if key in fixes:
                    fix = fixes[key]
                    first = [
                        ReturnRow(r.metric, r.breakdown, r.option, fix.first_value, r.comment)
                        if r.metric == fix.metric and not r.breakdown
                        else r
                        for r in rows
                    ]
                    bulk.lines.extend((force, month, r) for r in first)
                    files.append(
                        PlannedFile(
                            f"{stem}_{force}_corrected.csv",
                            dataset,
                            "correction",
                            _arrival(month, fix.day, 16),
                            [(force, month, r) for r in rows],
                        )
                    )
                    continue
                bulk.lines.extend((force, month, r) for r in rows)
            if bulk.lines:
                files.append(bulk)
    files.sort(key=lambda f: (f.received_at, f.name))
    return files


@dataclass
class UserLine:
    username: str
    role: str
    orgunit: str
    status: str  # created | already there


@dataclass
class TargetLine:
    metric: str
    period: str
    target: int
    value: int | None
    previous_period: str = ""
    previous_value: int | None = None
    change_pct: float | None = None
    complete: bool = True

    @property
    def ok(self) -> bool:
        return self.value == self.target


@dataclass
class DemoReport:
    catalogue: str = ""
    users: list[UserLine] = field(default_factory=list)
    files: list[tuple[str, str]] = field(default_factory=list)  # name, status
    versions: Counter[str] = field(default_factory=Counter)  # new | corrected
    late: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    commented: int = 0
    approved: int = 0
    already_approved: int = 0
    targets: list[TargetLine] = field(default_factory=list)
    # (option, share from the engine, share aimed at)
    mix: list[tuple[str, float | None, float]] = field(default_factory=list)
    seconds: float = 0.0
    more: list[str] = field(default_factory=list)  # what each capability's demo added

    @property
    def file_counts(self) -> Counter[str]:
        return Counter(status for _, status in self.files)

    @property
    def calibrated(self) -> bool:
        return all(t.ok for t in self.targets)


def ensure_users(config: DemoConfig) -> tuple[list[UserLine], User]:
    lines = []
    national = None
    for spec in config.users:
        user = User.objects.filter(username=spec.username).select_related("orgunit").first()
        if user is None:
            user, _ = do_create_user(
                spec.username,
                role=spec.role,
                orgunit_code=spec.orgunit,
                password=config.password,
                actor=ACTOR_LABEL,
            )
            status = "created"
        else:
            if user.role != spec.role:
                raise DemoError(
                    f"user {spec.username} exists with role {user.role}, not {spec.role}"
                )
            status = "already there"
        lines.append(
            UserLine(
                user.username,
                Role(user.role).label,
                user.orgunit.code if user.orgunit else "-",
                status,
            )
        )
        if spec.role == Role.NATIONAL and national is None:
            national = user
    if national is None:
        raise DemoError("the demo needs a national user to submit and approve returns")
    return lines, national


def _already_stored(files: list[PlannedFile]) -> dict[str, set[tuple[str, str, date]]]:
    """For each file hash already stored, the returns it is a version of."""
    hashes = [hashlib.sha256(f.data()).hexdigest() for f in files]
    stored: dict[str, set[tuple[str, str, date]]] = defaultdict(set)
    for i in range(0, len(hashes), 500):
        for sha, dataset, force, period in SubmissionVersion.objects.filter(
            file__sha256__in=hashes[i : i + 500]
        ).values_list(
            "file__sha256", "submission__dataset", "submission__orgunit__code", "submission__period"
        ):
            stored[sha].add((dataset, force, period))
    return stored


def load_files(
    files: list[PlannedFile],
    *,
    actor: User,
    report: DemoReport,
    progress: Callable[[str], None] | None = None,
) -> None:
    stored = _already_stored(files)
    ctx = build_context(actor)
    for f in files:
        data = f.data()
        if f.keys <= stored.get(hashlib.sha256(data).hexdigest(), set()):
            report.files.append((f.name, "unchanged"))
            if progress:
                progress(f"{f.name}: UNCHANGED (already stored)")
            continue
        outcome = import_file(f.name, data, actor=actor, received_at=f.received_at, context=ctx)
        if not outcome.ok:
            raise DemoError("\n".join(outcome.lines()))
        report.files.append((f.name, outcome.status))
        report.versions.update(s.state for s in outcome.submissions if s.state != "unchanged")
        if progress:
            progress("\n".join(outcome.lines()))


def approve_older(
    config: DemoConfig, catalogue: Catalogue, actor: User, report: DemoReport
) -> None:
    subs = Submission.objects.filter(
        dataset__in=list(catalogue.datasets),
        period__lte=config.approve_through,
        current_version__isnull=False,
    ).order_by("period", "dataset", "orgunit__code")
    for sub in subs:
        if sub.locked:
            report.already_approved += 1
            continue
        do_approve_submission(sub, actor=actor)
        report.approved += 1


def check_calibration(config: DemoConfig, catalogue: Catalogue, report: DemoReport) -> None:
    """Ask the engine for every calibrated figure, as a dashboard would."""
    nation = OrgUnit.objects.get(kind="national")
    targets = {(t.metric, t.period.code): t.value for t in config.targets}
    for t in config.targets:
        result = engine.query(
            t.metric, nation, t.period, compare="previous-year", catalogue=catalogue
        )
        line = TargetLine(
            t.metric, t.period.code, t.value, result.value, complete=result.coverage.complete
        )
        previous = t.period.previous_year().code
        if (t.metric, previous) in targets:
            line.previous_period = previous
            line.previous_value = result.previous_value
            line.change_pct = result.change_pct
        report.targets.append(line)
    mix = config.mix
    result = engine.query(
        mix.metric, nation, Period.month(mix.month), by=mix.breakdown, catalogue=catalogue
    )
    shares = {row.key: row.share for row in result.rows}
    report.mix = [(option, shares.get(option), target) for option, target in mix.shares.items()]


CAPABILITIES = (
    "returns",
    "peer-reviews",
    "benchmarking",
    "commissioning",
    "register",
    "cleanse",
    "operations-supported",
    "cca-tasking",
    "intensifications",
    "terminus",
    "training",
    "documents",
    "partnerships",
    "referrals",
    "intelligence",
    "cps",
    "nrm-statistics",
)


@contextmanager
def without_savepoints() -> Iterator[None]:
    """Inside an atomic block: the atomic blocks nested in it open no savepoints of their own.

    The demo is one transaction of thousands of actions, each an atomic block: each would be
    a savepoint, and on PostgreSQL a savepoint is a subtransaction, of which a transaction
    keeps the first 64 in shared memory; past them every row it reads is checked against
    the subtransaction log, so each later statement got slower. The demo is all or nothing,
    so a savepoint has nothing to give back: a failure inside any nested block marks the
    whole transaction for rollback instead (Django's own rule for a block without a
    savepoint), and the demo's error reaches the caller as before. PostgreSQL: the returns
    stage in tests/demo 95 s -> 65 s. (SQLite's backend decides savepoints without this
    flag, inside any atomic block; they cost it nothing, and its demo keeps them.)"""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("without_savepoints() is for inside a transaction")
    features = connection.features
    own = "uses_savepoints" in vars(features)
    before = features.uses_savepoints
    features.uses_savepoints = False
    try:
        yield
    finally:
        if own:
            features.uses_savepoints = before
        else:
            del features.uses_savepoints


def run_demo(
    *,
    config: DemoConfig | None = None,
    progress: Callable[[str], None] | None = None,
    only: set[str] | None = None,
    stage: Callable[[str], None] | None = None,
) -> DemoReport:
    """Build (or confirm) the demo data. Idempotent; all or nothing.

    ``only`` limits the build to some capabilities (the returns are always built: every
    other capability's demo stands on its users and org units). ``stage`` is told what
    is being built as each step starts (the command prints it, so a two-minute build is
    not silent)."""
    wanted = set(only or CAPABILITIES)
    started = time.perf_counter()

    def say(text: str) -> None:
        if stage is not None:
            stage(f"[{time.perf_counter() - started:5.0f} s] {text}")

    config = config or load_config()
    report = DemoReport()
    with transaction.atomic(), without_savepoints():
        revision, created = load_catalogue(actor=ACTOR_LABEL)
        report.catalogue = (
            f"{'loaded as new revision' if created else 'unchanged, revision'} {revision.pk}"
        )
        catalogue = get_catalogue()
        report.users, national = ensure_users(config)
        forces = list(OrgUnit.objects.forces().values_list("code", flat=True))
        history = generate(config, catalogue, forces)
        register = None
        if "register" in wanted:  # DDE forces' register figures leave their returns
            from msoic.cases.demo import build_register_demo, take_register_series

            register = take_register_series(history)
        intel = None
        if "intelligence" in wanted:  # sending forces' tagged counts leave their returns
            from msoic.intel.demo import take_intel_series

            intel = take_intel_series(history)
        report.commented = len(history.commented)
        files = plan_files(history, config, catalogue)
        say(f"returns: {len(files)} files through the collection pipeline")
        load_files(files, actor=national, report=report, progress=progress)
        say("returns: approving the older months")
        approve_older(config, catalogue, national, report)
        if register is not None:
            say("investigation register (direct data entry forces)")
            report.more += build_register_demo(national, register).lines()
            if "cleanse" in wanted:  # the cleanse and markers stand on the register
                from msoic.cases.cleanse.demo import build_cleanse_demo

                say("register cleanse and PNC markers")
                report.more += build_cleanse_demo(national).lines()
        if "peer-reviews" in wanted:
            from msoic.peerreview.demo import build_peer_review_demo

            say("peer reviews")
            report.more += build_peer_review_demo(national).lines()
        if "benchmarking" in wanted:
            from msoic.assurance.demo import build_benchmarking_demo

            say("benchmarking")
            report.more += build_benchmarking_demo(national).lines()
        if "commissioning" in wanted:
            from msoic.commissioning.demo import build_commissioning_demo

            say("commissioning")
            report.more += build_commissioning_demo(national).lines()
        if "operations-supported" in wanted:
            from msoic.support.demo import build_support_demo

            say("operations supported")
            report.more += build_support_demo(national).lines()
        if "cca-tasking" in wanted:
            from msoic.tasking.demo import build_tasking_demo

            say("CCA tasking")
            report.more += build_tasking_demo(national).lines()
        if "intensifications" in wanted:
            from msoic.operations.demo import build_operations_demo

            say("intensifications")
            report.more += build_operations_demo(national).lines()
        if "terminus" in wanted:
            from msoic.terminus.demo import build_terminus_demo

            say("Project Terminus")
            report.more += build_terminus_demo(national).lines()
        if "training" in wanted:
            from msoic.capability.demo import build_capability_demo

            say("training and events")
            report.more += build_capability_demo(national).lines()
        if "documents" in wanted:
            from msoic.documents.demo import build_documents_demo

            say("documents produced")
            report.more += build_documents_demo(national).lines()
        if "partnerships" in wanted:
            from msoic.partnerships.demo import build_partnerships_demo

            say("anti-slavery partnerships")
            report.more += build_partnerships_demo(national).lines()
        if "referrals" in wanted:
            from msoic.referrals.demo import build_referrals_demo

            say("organ-harvesting referrals and SPOCs")
            report.more += build_referrals_demo(national).lines()
        if "nrm-statistics" in wanted:
            from msoic.nrmstats.demo import build_nrm_statistics_demo

            say("national NRM statistics (a release laid out like the Home Office's tables)")
            report.more += build_nrm_statistics_demo(national).lines()
        if intel is not None:
            from msoic.intel.demo import build_intel_demo

            say("intelligence logs and reviews")
            report.more += build_intel_demo(national, intel).lines()
        if "cps" in wanted and register is not None:  # CPS cases are linked to the register
            from msoic.cps.demo import build_cps_demo

            say("CPS outcomes and their linkage")
            report.more += build_cps_demo(national).lines()
    for r in config.late_returns:
        arrived = _arrival(r.month, r.day, 14).date()
        report.late.append(
            f"{r.force} {r.dataset} {format_month(r.month)} (received {arrived:%d %b %Y})"
        )
    report.missing = [
        f"{r.force} {r.dataset} {format_month(r.month)}" for r in config.missing_returns
    ]
    say("checking the figures against the annual report")
    check_calibration(config, catalogue, report)
    report.seconds = time.perf_counter() - started
    return report


def describe(report: DemoReport, config: DemoConfig) -> list[str]:
    """The report as lines for the command line."""
    out = [
        f"catalogue: {report.catalogue}",
        "",
        "Demo accounts (demo only: never use these passwords for real data):",
    ]
    width = max(len(u.username) for u in report.users) + 2
    out.append(f"  {'username':<{width}}{'role':<22}{'org unit':<12}{'password':<20}status")
    for u in report.users:
        out.append(
            f"  {u.username:<{width}}{u.role:<22}{u.orgunit:<12}{config.password:<20}{u.status}"
        )
    counts = report.file_counts
    out += [
        "",
        f"Returns {month_label(config.first_month)} to {month_label(config.last_month)}, loaded through the "
        f"collection pipeline: {len(report.files)} files, {counts['accepted']} accepted, "
        f"{counts['unchanged']} unchanged; {report.versions['new']} returns stored, "
        f"{report.versions['corrected']} corrected.",
        f"  late returns ({len(report.late)}): " + "; ".join(report.late),
        f"  missing returns ({len(report.missing)}): " + "; ".join(report.missing),
        f"  warnings explained by a comment on the row: {report.commented}",
        f"  approved and locked up to {month_label(config.approve_through)}: {report.approved} now, "
        f"{report.already_approved} already",
        "",
        "Calibration, national, from the metric engine:",
    ]
    for t in report.targets:
        mark = "ok" if t.ok else f"MISMATCH (target {t.target})"
        line = f"  {t.metric} {t.period}: {t.value} {mark}"
        if t.previous_period:
            change = "n/a" if t.change_pct is None else f"{t.change_pct:+.1f}%"
            line += f"; previous year {t.previous_period}: {t.previous_value}; change {change}"
        out.append(line)
    mix = ", ".join(
        f"{option} {100 * share:.1f}% (about {100 * target:g}%)"
        if share is not None
        else f"{option} none"
        for option, share, target in report.mix
    )
    out.append(
        f"  {config.mix.metric} by {config.mix.breakdown} {format_month(config.mix.month)}: {mix}"
    )
    out += report.more
    out.append(f"finished in {report.seconds:.1f} s")
    return out
