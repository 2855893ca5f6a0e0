"""State changes of reports (each in a transaction, each audited), and building them.

- a template's text is saved as a new version, after it reads without a problem;
- an edition (a template for a period) is approved: its draft must build without an
  error, and the template version is pinned;
- an approved edition is published: built again from the pinned version with every figure
  of people through disclosure control; any withheld figure or refused period stops it with
  the template line; the built report is frozen as the edition's snapshot;
- a build runs on the worker (:mod:`msoic.reports.tasks`) with its progress on its row; a
  published edition's build is drawn from its snapshot, never from today's data. A build
  interrupted (its worker killed) is built again when its task is given back to the
  queue, and stores one output.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from msoic.audit.log import record
from msoic.audit.models import AuditAction
from msoic.metrics.periods import Period, PeriodError
from msoic.reports import library, render
from msoic.reports.models import Build, Edition, ReportTemplate, TemplateVersion
from msoic.reports.resolve import DRAFT, PUBLICATION, Built, build
from msoic.reports.tags import TemplateError, parse_template

if TYPE_CHECKING:
    from msoic.accounts.models import User


logger = logging.getLogger(__name__)


class ReportError(ValueError):
    """An action refused, with every reason (``problems``)."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


# --- reading templates ---------------------------------------------------------------------


def template_text(name: str) -> tuple[str, TemplateVersion | None]:
    """A template's newest stored version, or the shipped file of that name."""
    stored = ReportTemplate.objects.filter(name=name).first()
    if stored is not None:
        version = stored.current()
        if version is not None:
            return version.text, version
    text = library.shipped_text(name)
    if text is None:
        names = sorted(
            set(library.shipped_names())
            | set(ReportTemplate.objects.values_list("name", flat=True))
        )
        raise ReportError(f"no report template {name!r} (templates: {', '.join(names)})")
    return text, None


def build_text(
    text: str, period: Period, *, mode: str = DRAFT, version: TemplateVersion | None = None
) -> Built:
    """Parse and resolve (raises :class:`msoic.reports.tags.TemplateError`)."""
    built = build(parse_template(text), period, mode=mode)
    built.template_version = version.number if version else None
    return built


def build_named(name: str, period: Period, fmt: str, *, mode: str = DRAFT) -> tuple[Built, bytes]:
    """The command's build: the template by name, for ``period``, rendered as ``fmt`` (no
    bytes when the build has errors)."""
    text, version = template_text(name)
    built = build_text(text, period, mode=mode, version=version)
    if built.errors:
        return built, b""
    return built, render.render(built, fmt)


# --- templates -----------------------------------------------------------------------------


def do_save_template_version(
    template: ReportTemplate, text: str, note: str = "", *, actor: User
) -> TemplateVersion:
    """Store ``text`` as the template's next version, refusing text with a problem
    (:class:`msoic.reports.tags.TemplateError` lists them with their lines)."""
    parsed = parse_template(text)
    with transaction.atomic():
        locked = ReportTemplate.objects.select_for_update().get(pk=template.pk)
        current = locked.current()
        number = (current.number if current else 0) + 1
        version = TemplateVersion.objects.create(
            template=locked, number=number, text=text, note=note[:200], created_by=actor
        )
        if parsed.title and parsed.title != locked.title:
            locked.title = parsed.title[:200]
            locked.save(update_fields=["title"])
        record(
            actor=actor,
            action=AuditAction.ALTERATION,
            obj=locked,
            detail={"step": "reports.save_template", "version": number},
        )
    return version


def do_adopt_shipped_template(name: str, *, actor: User | None) -> ReportTemplate:
    """The shipped template ``name`` as a stored template with its text as version 1."""
    text = library.shipped_text(name)
    if text is None:
        raise ReportError(f"no shipped template {name!r}")
    with transaction.atomic():
        template, created = ReportTemplate.objects.get_or_create(
            name=name, defaults={"title": parse_template(text).title[:200]}
        )
        if created:
            TemplateVersion.objects.create(
                template=template, number=1, text=text, note="as shipped", created_by=actor
            )
            record(
                actor=actor or "system",
                action=AuditAction.COLLECTION,
                obj=template,
                detail={"step": "reports.adopt_shipped_template", "version": 1},
            )
    return template


# --- editions ------------------------------------------------------------------------------


def do_create_edition(template: ReportTemplate, period_text: str, *, actor: User) -> Edition:
    try:
        period = Period.parse(period_text)
    except PeriodError as exc:
        raise ReportError(str(exc)) from None
    with transaction.atomic():
        edition, created = Edition.objects.get_or_create(
            template=template, period=period.code, defaults={"created_by": actor}
        )
        if created:
            record(
                actor=actor,
                action=AuditAction.COLLECTION,
                obj=edition,
                detail={"step": "reports.create_edition"},
            )
    return edition


def do_approve_edition(edition: Edition, *, actor: User) -> Edition:
    """Approve a draft: the current template version must build without an error."""
    with transaction.atomic():
        edition = Edition.objects.select_for_update().select_related("template").get(pk=edition.pk)
        if edition.status != Edition.Status.DRAFT:
            raise ReportError(f"{edition} is {edition.get_status_display().lower()}, not a draft")
        version = edition.template.current()
        if version is None:
            raise ReportError(f"{edition.template.name} has no text yet")
        built = build_text(version.text, Period.parse(edition.period), version=version)
        if built.errors:
            raise ReportError("the draft has problems: fix them before approving", built.errors)
        edition.status = Edition.Status.APPROVED
        edition.approved_version = version
        edition.approved_by = actor
        edition.approved_at = timezone.now()
        edition.save()
        record(
            actor=actor,
            action=AuditAction.APPROVE,
            obj=edition,
            detail={"step": "reports.approve", "version": version.number, "from": "draft"},
        )
    return edition


def do_return_to_draft(edition: Edition, *, actor: User) -> Edition:
    with transaction.atomic():
        edition = Edition.objects.select_for_update().get(pk=edition.pk)
        if edition.status != Edition.Status.APPROVED:
            raise ReportError("only an approved report goes back to draft")
        edition.status = Edition.Status.DRAFT
        edition.approved_version = None
        edition.save()
        record(
            actor=actor,
            action=AuditAction.ALTERATION,
            obj=edition,
            detail={"step": "reports.return_to_draft", "from": "approved", "to": "draft"},
        )
    return edition


def do_publish_edition(edition: Edition, *, actor: User) -> Edition:
    """Publish an approved edition: its pinned version built for publication and frozen.
    Nothing is published when any figure is withheld or any tag fails."""
    with transaction.atomic():
        edition = Edition.objects.select_for_update().select_related("template").get(pk=edition.pk)
        if edition.is_published:
            raise ReportError(
                f"{edition} was published on {edition.published_at:%d %B %Y}: a published "
                f"report is never rebuilt (start a new edition for a corrected report)"
            )
        if edition.status != Edition.Status.APPROVED or edition.approved_version is None:
            raise ReportError(f"{edition} must be approved before it is published")
        version = edition.approved_version
        built = build_text(
            version.text, Period.parse(edition.period), mode=PUBLICATION, version=version
        )
        if built.errors:
            raise ReportError(
                "not published: these figures cannot be published as they stand", built.errors
            )
        edition.snapshot = built.as_dict()
        edition.status = Edition.Status.PUBLISHED
        edition.published_by = actor
        edition.published_at = timezone.now()
        edition.save()
        record(
            actor=actor,
            action=AuditAction.DISCLOSURE,
            obj=edition,
            recipient="published",
            detail={"step": "reports.publish", "version": version.number, "to": "published"},
        )
    return edition


def published(edition: Edition) -> Built:
    assert edition.snapshot is not None
    return Built.from_dict(edition.snapshot)


def changes_since_publication(edition: Edition) -> list[dict[str, Any]]:
    """Figures of the published snapshot that a build today would state differently (or no
    longer state at all), as the revisions policy of official statistics lists them."""
    then = published(edition)
    assert edition.approved_version is not None
    now = build_text(edition.approved_version.text, Period.parse(edition.period), mode=PUBLICATION)
    out: list[dict[str, Any]] = []
    for fid, old in then.figures.items():
        new = now.figures.get(fid)
        if new is not None and new["value"] == old["value"] and new["text"] == old["text"]:
            continue
        out.append(
            {
                "id": fid,
                "label": old["label"],
                "published_text": old["text"],
                "published_value": old["value"],
                "now_text": new["text"] if new else "no longer available",
                "now_value": new["value"] if new else None,
                "line": old["line"],
            }
        )
    return out


# --- builds --------------------------------------------------------------------------------


def do_start_build(edition: Edition, fmt: str, *, actor: User) -> Build:
    """Queue a build of ``edition`` as ``fmt`` for the worker (or run it at once with
    ``MSOIC_RUN_JOBS_INLINE``). The template version is the one current now: a version
    saved while the build runs does not change it."""
    if fmt not in render.FORMATS:
        raise ReportError(f"unknown format {fmt!r}")
    version = edition.approved_version or edition.template.current()
    with transaction.atomic():
        job = Build.objects.create(
            edition=edition,
            version=version,
            fmt=fmt,
            created_by=actor,
            from_snapshot=edition.is_published,
        )
        record(
            actor=actor,
            action=AuditAction.COLLECTION,
            obj=job,
            detail={"step": "reports.start_build", "format": fmt},
        )
    if settings.MSOIC_RUN_JOBS_INLINE:
        run_build(job.pk)
    else:
        from msoic.reports.tasks import build_report_task

        transaction.on_commit(lambda: build_report_task.enqueue(job.pk))
    job.refresh_from_db()
    return job


UNFINISHED = (Build.Status.PENDING, Build.Status.RUNNING)


class _Superseded(Exception):
    """Another attempt at the same build finished it while this one worked."""


def _step(job: Build, done: int, text: str) -> None:
    job.steps_done, job.step = done, text
    # Conditional, so an attempt never turns a build another attempt finished back to
    # running (a task given back to the queue while its first run was in fact alive).
    if not Build.objects.filter(pk=job.pk, status__in=UNFINISHED).update(
        steps_done=done, step=text, status=Build.Status.RUNNING
    ):
        raise _Superseded


def run_build(build_id: int) -> Build:
    """The worker's part: resolve, render, store; progress saved after each step. A
    problem marks the build failed with its messages; it never raises for them.

    Safe to run again (a worker killed mid-build: its task is given back to the queue,
    msoic.runtime.lease): a finished build is left as it is, an interrupted one is built
    again from the start from the same template version, and the output is stored with
    the build's finish, in one conditional update, so a build has one output, stored once,
    by the first attempt to finish."""
    job = Build.objects.select_related("edition__template", "version").get(pk=build_id)
    if job.finished:
        return job
    if job.status == Build.Status.RUNNING:
        logger.warning("report build %s was interrupted: built again from the start", job.pk)
    edition = job.edition
    try:
        _step(job, 0, "reading the template")
        try:
            if job.from_snapshot:
                built = published(edition)
                _step(job, 2, "the published snapshot (figures as published)")
            else:
                if job.version is None:
                    raise ReportError(f"{edition.template.name} has no text yet")
                _step(job, 1, "asking the metric engine for every figure")
                built = build_text(
                    job.version.text, Period.parse(edition.period), version=job.version
                )
                _step(job, 2, f"{len(built.figures)} figures resolved")
            job.figures, job.warnings, job.errors = len(built.figures), built.warnings, built.errors
            if built.errors:
                job.status = Build.Status.FAILED
                job.step = "the template has problems"
            else:
                _step(job, 3, f"drawing the {job.fmt.upper()}")
                job.output = render.render(built, job.fmt)
                job.filename = f"{edition.template.name}-{edition.period}.{job.fmt}"
                job.status = Build.Status.DONE
                job.step = "finished"
                job.steps_done = job.steps_total
        except _Superseded:
            raise
        except TemplateError as exc:
            job.status = Build.Status.FAILED
            job.errors = exc.problems
            job.step = "the template has problems"
        except Exception as exc:  # noqa: BLE001 (the job's own failure is kept on its row)
            job.status = Build.Status.FAILED
            job.errors = [*job.errors, f"{type(exc).__name__}: {exc}"]
            job.step = "failed"
        job.finished_at = timezone.now()
        stored = Build.objects.filter(pk=job.pk, status__in=UNFINISHED).update(
            status=job.status,
            step=job.step,
            steps_done=job.steps_done,
            output=job.output,
            filename=job.filename,
            figures=job.figures,
            warnings=job.warnings,
            errors=job.errors,
            finished_at=job.finished_at,
        )
        if not stored:
            raise _Superseded
    except _Superseded:
        logger.warning("report build %s was finished by another attempt: kept as it is", job.pk)
    job.refresh_from_db()
    return job
