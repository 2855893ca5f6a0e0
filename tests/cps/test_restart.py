"""A linkage run interrupted (its worker killed, issue 10 item 4) is restartable: the task
given back to the queue takes its own run up again, any attempt takes up a stuck run, an
attempt that lost its run stores nothing, and an analyst restarts a stuck run from the
linkage page. Links are stored once whatever the number of attempts. Real worker
processes killed with SIGKILL: tests/cps/test_killed_worker.py."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskContext
from django_tasks_db.models import DBTaskResult

from msoic.audit.models import AuditEvent
from msoic.cps import actions
from msoic.cps.actions import do_import_extract, do_request_linkage, run_linkage
from msoic.cps.models import STUCK_AFTER, Link, LinkageRun, RunStatus
from msoic.cps.tasks import linkage_run_task
from tests.conftest import _make, module_data
from tests.cps.conftest import extract_csv, synthetic, write_register

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Any:
    """A register and its CPS extract, linked once by a run that finished: the links one
    run makes, for every test to compare with."""
    with module_data(django_db_blocker):
        national = _make("cps.restart.national", "national", "national")
        data = synthetic(150, seed=11)
        write_register(data)
        assert do_import_extract("synthetic.csv", extract_csv(data.cases), actor=national).ok
        run, _ = do_request_linkage(actor=national)
        run = run_linkage(run.pk)
        assert run.status == RunStatus.DONE, run.message
        yield {"national": national, "links": _links(), "run": run}


def _links() -> set[tuple[int, int, str]]:
    return set(Link.objects.values_list("case_id", "suspect_id", "status"))


def as_a_dead_worker_left_it(run: LinkageRun, *, task_id: str, silent_for: timedelta) -> None:
    """The run as a worker killed mid-run leaves it: marked running under that worker's
    attempt, last heard from ``silent_for`` ago (what it wrote in its transaction was
    rolled back with it)."""
    now = timezone.now()
    LinkageRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING,
        task_id=task_id,
        claim="the-dead-attempt",
        started_at=now - silent_for - timedelta(seconds=5),
        heartbeat_at=now - silent_for,
        attempts=1,
    )


def stored_once(run: LinkageRun, world: Any) -> None:
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.message
    assert _links() == world["links"]  # the same links as one run makes: none twice
    assert Link.objects.count() == run.automatic + run.clerical == len(world["links"])
    completions = AuditEvent.objects.filter(
        action="combination", detail__step="cps.run_linkage", object_id=str(run.pk)
    )
    assert completions.count() == 1


def test_the_task_given_back_after_its_worker_died_finishes_its_run(world):
    run, created = do_request_linkage(actor=world["national"])
    assert created
    result = linkage_run_task.enqueue(run.pk)
    # Killed a few seconds ago: not stuck yet, but the run is this task's own.
    as_a_dead_worker_left_it(run, task_id=str(result.id), silent_for=timedelta(seconds=10))

    # The queue gives the same task back (msoic.runtime.lease); the worker calls it so.
    said = linkage_run_task.call(TaskContext(task_result=result), run.pk)

    assert said == f"linkage run {run.pk}: done"
    stored_once(run, world)
    run.refresh_from_db()
    assert (run.attempts, run.task_id, run.active) == (2, str(result.id), None)


def test_a_stuck_run_is_taken_up_by_any_task(world):
    run, _ = do_request_linkage(actor=world["national"])
    as_a_dead_worker_left_it(run, task_id="a-lost-task", silent_for=STUCK_AFTER * 2)
    assert run_linkage(run.pk, task_id="another-task").status == RunStatus.DONE
    stored_once(run, world)


# Which attempt takes a run (no linkage run: the claim only).
FRESH, STALE = timedelta(seconds=10), STUCK_AFTER + timedelta(minutes=1)


@pytest.mark.parametrize(
    ("case", "status", "held_by", "silent_for", "asking", "taken"),
    [
        ("a queued run", RunStatus.QUEUED, "", None, "task-1", True),
        ("a queued run, run in place", RunStatus.QUEUED, "", None, "", True),
        ("its own task given back", RunStatus.RUNNING, "task-1", FRESH, "task-1", True),
        ("another task, the run alive", RunStatus.RUNNING, "task-1", FRESH, "task-2", False),
        ("another task, the run stuck", RunStatus.RUNNING, "task-1", STALE, "task-2", True),
        ("run in place, alive, asked in place", RunStatus.RUNNING, "", FRESH, "", False),
        ("run in place, stuck", RunStatus.RUNNING, "", STALE, "task-2", True),
        ("never heard from", RunStatus.RUNNING, "task-1", None, "task-2", True),
        ("a finished run, its own task", RunStatus.DONE, "task-1", STALE, "task-1", False),
        ("a failed run, its own task", RunStatus.FAILED, "task-1", STALE, "task-1", False),
    ],
)
def test_a_run_is_taken_only_when_it_is_free_its_own_or_stuck(
    world, case, status, held_by, silent_for, asking, taken
):
    now = timezone.now()
    run = LinkageRun.objects.create(
        status=status,
        active=True if status in (RunStatus.QUEUED, RunStatus.RUNNING) else None,
        task_id=held_by,
        claim="held" if status == RunStatus.RUNNING else "",
        heartbeat_at=now - silent_for if silent_for else None,
    )

    token = actions._claim(run.pk, asking)

    run.refresh_from_db()
    assert (token is not None) is taken, case
    if taken:
        assert (run.status, run.claim, run.task_id, run.attempts) == (
            RunStatus.RUNNING,
            token,
            asking,
            1,
        ), case
        assert not run.is_stuck()
    else:
        assert (run.status, run.claim) == (status, "held" if status == RunStatus.RUNNING else "")


def test_an_attempt_that_lost_its_run_stores_nothing(world, monkeypatch):
    run, _ = do_request_linkage(actor=world["national"])
    real_link = actions.linkage.link

    def taken_over_meanwhile(*args: Any, **kwargs: Any) -> Any:
        outcome = real_link(*args, **kwargs)
        # This attempt went silent past the lease; another task took the run up.
        LinkageRun.objects.filter(pk=run.pk).update(task_id="task-b", claim="attempt-b")
        return outcome

    monkeypatch.setattr(actions.linkage, "link", taken_over_meanwhile)
    Link.objects.all().delete()
    slow = run_linkage(run.pk, task_id="task-a")

    assert (slow.status, slow.claim) == (RunStatus.RUNNING, "attempt-b")
    assert not Link.objects.exists()  # nothing stored by the attempt that lost the run
    assert not AuditEvent.objects.filter(
        detail__step="cps.run_linkage", object_id=str(run.pk)
    ).exists()
    monkeypatch.undo()
    # The attempt holding it finishes it, once.
    assert run_linkage(run.pk, task_id="task-b").status == RunStatus.DONE
    stored_once(run, world)


def test_a_stuck_run_holds_the_one_run_slot_until_restarted(world, capsys):
    run, _ = do_request_linkage(actor=world["national"])
    as_a_dead_worker_left_it(run, task_id="a-lost-task", silent_for=STALE)
    again, created = do_request_linkage(actor=world["national"])
    assert (again.pk, created) == (run.pk, False)
    assert again.is_stuck()
    call_command("cps", "link")
    assert f"linkage run {run.pk} is already running and stuck (its worker stopped)" in (
        capsys.readouterr().out
    )


# --- the linkage page ----------------------------------------------------------------------


def test_the_page_says_since_when_a_run_runs_and_offers_a_restart_only_when_stuck(client, world):
    client.force_login(world["national"])
    run, _ = do_request_linkage(actor=world["national"])
    as_a_dead_worker_left_it(run, task_id="task-1", silent_for=FRESH)
    started = timezone.localtime(LinkageRun.objects.get(pk=run.pk).started_at)

    alive = client.get("/cps/linkage/").content.decode()
    assert f"Running since {started:%-d %b %Y %H:%M}" in alive
    assert f"/cps/linkage/{run.pk}/restart/" not in alive

    as_a_dead_worker_left_it(run, task_id="task-1", silent_for=STALE)
    started = timezone.localtime(LinkageRun.objects.get(pk=run.pk).started_at)
    silent = timezone.localtime(LinkageRun.objects.get(pk=run.pk).heartbeat_at)
    stuck = client.get("/cps/linkage/").content.decode()
    assert "Stuck" in stuck
    assert f"Running since {started:%-d %b %Y %H:%M}" in stuck
    assert f"no sign of life since {silent:%-d %b %Y %H:%M}" in stuck
    assert f'action="/cps/linkage/{run.pk}/restart/"' in stuck
    assert f"Restart run {run.pk}" in stuck


def test_restarting_a_stuck_run_queues_it_again_audited_and_the_worker_finishes_it(client, world):
    client.force_login(world["national"])
    run, _ = do_request_linkage(actor=world["national"])
    as_a_dead_worker_left_it(run, task_id="a-lost-task", silent_for=STALE)

    response = client.post(f"/cps/linkage/{run.pk}/restart/", follow=True)

    assert f"Linkage run {run.pk} restarted on the worker" in response.content.decode()
    run.refresh_from_db()
    assert (run.status, run.task_id, run.claim) == (RunStatus.QUEUED, "", "")
    row = AuditEvent.objects.get(detail__step="cps.restart_linkage")
    assert (row.action, row.actor_id, row.object_id) == (
        "alteration",
        world["national"].pk,
        str(run.pk),
    )
    assert (row.detail["from"], row.detail["to"]) == ("running", "queued")
    assert row.detail["reason"].startswith("stuck: no sign of life since ")
    [task] = DBTaskResult.objects.filter(task_path="msoic.cps.tasks.linkage_run_task")
    assert task.args_kwargs["args"] == [run.pk]
    # The worker runs the task it was given.
    linkage_run_task.call(TaskContext(task_result=task.task_result), run.pk)
    stored_once(run, world)


def test_a_run_that_is_alive_is_not_restarted(client, world):
    client.force_login(world["national"])
    run, _ = do_request_linkage(actor=world["national"])
    as_a_dead_worker_left_it(run, task_id="task-1", silent_for=FRESH)

    response = client.post(f"/cps/linkage/{run.pk}/restart/", follow=True)

    assert f"Linkage run {run.pk} is running and not stuck: nothing restarted" in (
        response.content.decode()
    )
    run.refresh_from_db()
    assert (run.status, run.claim) == (RunStatus.RUNNING, "the-dead-attempt")
    assert not AuditEvent.objects.filter(detail__step="cps.restart_linkage").exists()
    assert not DBTaskResult.objects.exists()


def test_only_the_unit_restarts_a_run_and_only_by_post(client, world, kent_user):
    run, _ = do_request_linkage(actor=world["national"])
    as_a_dead_worker_left_it(run, task_id="task-1", silent_for=STALE)
    client.force_login(kent_user)
    assert client.post(f"/cps/linkage/{run.pk}/restart/").status_code == 403
    client.force_login(world["national"])
    assert client.get(f"/cps/linkage/{run.pk}/restart/").status_code == 405
    assert client.post(f"/cps/linkage/{run.pk + 999}/restart/").status_code == 404
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING
    assert not AuditEvent.objects.filter(detail__step="cps.restart_linkage").exists()


def test_a_run_queued_with_its_task_lost_is_offered_a_restart_and_finishes(client, world):
    """A run still queued after ``STUCK_AFTER`` that no worker took (its task lost: the
    queue emptied, the enqueue failed) would hold the one run slot for ever: it counts as
    stuck, and a restart gives the worker a new task for it."""
    client.force_login(world["national"])
    run, _ = do_request_linkage(actor=world["national"])  # queued; no task was enqueued
    waiting = client.get("/cps/linkage/").content.decode()
    assert f"/cps/linkage/{run.pk}/restart/" not in waiting  # just queued: not stuck

    queued_at = timezone.now() - STALE
    LinkageRun.objects.filter(pk=run.pk).update(queued_at=queued_at)
    stuck = client.get("/cps/linkage/").content.decode()
    assert f"Queued since {timezone.localtime(queued_at):%-d %b %Y %H:%M}" in stuck
    assert "no worker has taken it up" in stuck
    assert f'action="/cps/linkage/{run.pk}/restart/"' in stuck

    response = client.post(f"/cps/linkage/{run.pk}/restart/", follow=True)
    assert f"Linkage run {run.pk} restarted on the worker" in response.content.decode()
    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED and not run.is_stuck()  # queued again, just now
    row = AuditEvent.objects.get(detail__step="cps.restart_linkage")
    assert (row.detail["from"], row.detail["to"]) == ("queued", "queued")
    assert row.detail["reason"].startswith("stuck: queued since ")
    [task] = DBTaskResult.objects.filter(task_path="msoic.cps.tasks.linkage_run_task")
    linkage_run_task.call(TaskContext(task_result=task.task_result), run.pk)
    stored_once(run, world)


def test_a_run_queued_a_moment_ago_is_not_restarted(client, world):
    client.force_login(world["national"])
    run, _ = do_request_linkage(actor=world["national"])
    response = client.post(f"/cps/linkage/{run.pk}/restart/", follow=True)
    assert f"Linkage run {run.pk} is queued and not stuck: nothing restarted" in (
        response.content.decode()
    )
    assert not AuditEvent.objects.filter(detail__step="cps.restart_linkage").exists()
    assert not DBTaskResult.objects.exists()
