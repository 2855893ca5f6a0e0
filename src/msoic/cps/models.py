"""CPS case outcomes (one row a defendant), their versions, linkage runs and links.

A CPS case is keyed by its URN; an extract sent again updates the case and keeps the
previous values as a version. Links join a case to a suspect on the register by the
register's own primary keys (kept as integers, not foreign keys: the register is another
feature app, reached only through :mod:`msoic.metrics.linkable`), with the force and crime
reference copied for lists and exports.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Gender(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    UNKNOWN = "unknown", "Unknown"


class CaseOutcome(models.TextChoices):
    CONVICTED = "convicted", "Convicted"
    ACQUITTED = "acquitted", "Acquitted"
    DISCONTINUED = "discontinued", "Discontinued"
    ONGOING = "ongoing", "Ongoing"


class Extract(models.Model):
    """One CPS extract received (a file), and what it did."""

    filename = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(default=timezone.now)
    rows = models.PositiveIntegerField(default=0)
    new = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.received_at:%d %b %Y})"


class CpsCase(models.Model):
    urn = models.CharField(max_length=32, unique=True)
    force = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+")
    police_reference = models.CharField(max_length=64, blank=True, default="")
    defendant_ref = models.CharField(max_length=32)
    defendant_gender = models.CharField(
        max_length=8, choices=Gender.choices, default=Gender.UNKNOWN
    )
    defendant_birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    offences = models.JSONField(default=list)
    charged_on = models.DateField()
    first_hearing_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=CaseOutcome.choices)
    outcome_on = models.DateField(null=True, blank=True)
    sentence_months = models.PositiveIntegerField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    extract = models.ForeignKey(Extract, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["urn"]
        indexes = [models.Index(fields=["force", "charged_on"], name="cps_case_force_idx")]

    def __str__(self) -> str:
        return self.urn

    #: the fields an extract carries, in its column order after ``urn`` and ``force``
    DATA_FIELDS = (
        "police_reference",
        "defendant_ref",
        "defendant_gender",
        "defendant_birth_year",
        "offences",
        "charged_on",
        "first_hearing_on",
        "outcome",
        "outcome_on",
        "sentence_months",
    )
    #: the fields the linkage compares: changing one reopens a confirmed link
    LINKED_FIELDS = ("police_reference", "defendant_gender", "defendant_birth_year", "charged_on")

    def snapshot(self) -> dict[str, object]:
        """The case's values as a version keeps them (JSON)."""
        out: dict[str, object] = {"force": self.force.code if self.force_id else ""}
        for name in self.DATA_FIELDS:
            value = getattr(self, name)
            out[name] = value.isoformat() if isinstance(value, date) else value
        return out

    @property
    def prosecuted(self) -> bool:
        return self.first_hearing_on is not None


class CaseVersion(models.Model):
    """A case's values as one extract gave them (the first and every change)."""

    case = models.ForeignKey(CpsCase, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    data = models.JSONField()
    extract = models.ForeignKey(Extract, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["case", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["case", "version"], name="cps_one_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.case.urn} v{self.version}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


#: how long a running run may go without a sign of life (its heartbeat, renewed every
#: ``HEARTBEAT_EVERY`` while it works) before it counts as stuck: its worker died or hangs
STUCK_AFTER = timedelta(minutes=5)
HEARTBEAT_EVERY = timedelta(seconds=30)


def stuck_runs(now: datetime) -> Q:
    """The runs marked running that have not been heard from for ``STUCK_AFTER``, and the
    runs queued for ``STUCK_AFTER`` that no worker has taken (their task was lost: the
    queue emptied, the enqueue failed). Putting either back on the queue is safe: a task
    given twice runs the linkage once (the claim)."""
    silent = Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=now - STUCK_AFTER)
    waiting = Q(status=RunStatus.QUEUED) & Q(queued_at__lt=now - STUCK_AFTER)
    return (Q(status=RunStatus.RUNNING) & silent) | waiting


class LinkageRun(models.Model):
    """One linkage run. At most one is queued or running at a time (``active``): a run
    started while another is waiting or under way is that run.

    A run is taken by one attempt at a time (``claim``, a token of that attempt's own) for
    the task of the queue that runs it (``task_id``). The same task given back to the
    queue after its worker died takes its run up again; any attempt takes up a run that
    is stuck (no heartbeat for ``STUCK_AFTER``). Only the attempt holding the claim stores
    the run's links (msoic.cps.actions.run_linkage)."""

    engine = models.CharField(max_length=8, default="duckdb")
    status = models.CharField(max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED)
    active = models.BooleanField(null=True, default=True)
    dry_run = models.BooleanField(default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    #: when the run was last put on the queue (requested, or restarted)
    queued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    cps_cases = models.PositiveIntegerField(default=0)
    suspects = models.PositiveIntegerField(default=0)
    scored = models.PositiveIntegerField(default=0)
    automatic = models.PositiveIntegerField(default=0)
    clerical = models.PositiveIntegerField(default=0)
    confirmed = models.PositiveIntegerField(default=0)
    timings = models.JSONField(default=dict)
    parameters = models.JSONField(default=dict)
    message = models.TextField(blank=True, default="")
    task_id = models.CharField(max_length=64, blank=True, default="")
    claim = models.CharField(max_length=32, blank=True, default="")
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["active"], condition=Q(active=True), name="cps_one_active_run"
            )
        ]

    def __str__(self) -> str:
        return f"linkage run {self.pk} ({self.status})"

    def is_stuck(self, now: datetime | None = None) -> bool:
        """Marked running but not heard from for ``STUCK_AFTER``, or queued that long with
        no worker taking it (see :func:`stuck_runs`)."""
        since = (now or timezone.now()) - STUCK_AFTER
        if self.status == RunStatus.QUEUED:
            return self.queued_at < since
        if self.status != RunStatus.RUNNING:
            return False
        return self.heartbeat_at is None or self.heartbeat_at < since


class LinkStatus(models.TextChoices):
    AUTOMATIC = "automatic", "Automatic"
    CLERICAL = "clerical", "Awaiting review"
    CONFIRMED = "confirmed", "Confirmed"
    REJECTED = "rejected", "Rejected"


DECIDED = (LinkStatus.CONFIRMED, LinkStatus.REJECTED)


class Link(models.Model):
    """A CPS case and a register suspect: made by a run (automatic, or awaiting clerical
    review) or decided by an analyst (confirmed or rejected; kept across runs and winning
    over the model)."""

    case = models.ForeignKey(CpsCase, on_delete=models.CASCADE, related_name="links")
    suspect_id = models.BigIntegerField()
    suspect_ref = models.CharField(max_length=32)
    investigation_id = models.BigIntegerField()
    force = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+")
    crime_reference = models.CharField(max_length=64)
    probability = models.FloatField()
    status = models.CharField(max_length=12, choices=LinkStatus.choices)
    run = models.ForeignKey(LinkageRun, null=True, on_delete=models.SET_NULL, related_name="links")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["case__urn", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "suspect_id"], name="cps_one_link_per_pair")
        ]
        indexes = [
            models.Index(fields=["status", "probability"], name="cps_link_status_idx"),
            models.Index(fields=["investigation_id"], name="cps_link_inv_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case.urn} to {self.crime_reference} ({self.status})"

    @property
    def counts(self) -> bool:
        """Does the link join the records for figures (made or confirmed)?"""
        return self.status in (LinkStatus.AUTOMATIC, LinkStatus.CONFIRMED)
