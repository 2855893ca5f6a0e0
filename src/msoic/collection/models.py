"""Submissions of periodic returns, their versions, the values they carry, and upload jobs.

Nothing here is overwritten: a corrected return is a new :class:`SubmissionVersion`; the
values of earlier versions stay, with ``is_current`` false.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone

from msoic.metrics.periods import format_month, format_period, period_due_date

# A return's status against its deadline (completeness, the returns hub, a return's page).
APPROVED = "approved"
SUBMITTED = "submitted"  # received on or before the deadline
LATE = "late"
MISSING = "missing"  # the deadline has passed and nothing was received
NOT_DUE = "not-due"


def expected_status(deadline: date, today: date) -> str:
    """The status of a return not (yet) received: missing once ``deadline`` has passed."""
    return MISSING if today > deadline else NOT_DUE


class SourceKind(models.TextChoices):
    CSV = "csv", "CSV file"
    XLSX = "xlsx", "Excel template"
    FORM = "form", "Web form"
    API = "api", "API"


class StoredFile(models.Model):
    """The bytes of an accepted upload, kept as received, keyed by their SHA-256."""

    sha256 = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    content = models.BinaryField()
    stored_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.name} ({self.sha256[:12]})"


class Submission(models.Model):
    """One force's return for one dataset and month."""

    dataset = models.CharField(max_length=64)
    orgunit = models.ForeignKey(
        "orgunits.OrgUnit", on_delete=models.PROTECT, related_name="submissions"
    )
    period = models.DateField(help_text="first day of the month returned")
    current_version = models.ForeignKey(
        "SubmissionVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    first_received_at = models.DateTimeField(null=True, blank=True)
    locked = models.BooleanField(default=False)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "orgunit", "period"], name="one_submission_per_key"
            )
        ]
        indexes = [models.Index(fields=["dataset", "period"])]
        ordering = ["dataset", "period", "orgunit__name"]

    def __str__(self) -> str:
        return f"{self.dataset} {self.orgunit.code} {self.period_code}"

    @property
    def period_code(self) -> str:
        """The period as a month; :meth:`period_code_for` knows quarterly datasets."""
        return format_month(self.period)

    def period_code_for(self, frequency: str) -> str:
        return format_period(frequency, self.period)

    def deadline(self, due_day: int, frequency: str = "monthly") -> date:
        return period_due_date(frequency, self.period, due_day)

    def is_late(self, due_day: int, frequency: str = "monthly") -> bool:
        """Received after the deadline (the deadline day itself is on time, UK time)."""
        if self.first_received_at is None:
            return False
        received = timezone.localtime(self.first_received_at).date()
        return received > self.deadline(due_day, frequency)

    def status_on(self, today: date, due_day: int, frequency: str = "monthly") -> str:
        """Approved, submitted on time, late, or (with no version yet) missing or not due:
        the one lateness rule, which completeness and the returns pages use."""
        if self.locked:
            return APPROVED
        if self.current_version_id is not None:
            return LATE if self.is_late(due_day, frequency) else SUBMITTED
        return expected_status(self.deadline(due_day, frequency), today)

    @property
    def status(self) -> str:
        """Approved, submitted or missing, whatever the deadline (the API's ``status``);
        :meth:`status_on` tells on time from late."""
        if self.locked:
            return APPROVED
        return SUBMITTED if self.current_version_id else MISSING


class SubmissionVersion(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    source = models.CharField(max_length=8, choices=SourceKind.choices)
    filename = models.CharField(max_length=255, blank=True)
    file = models.ForeignKey(
        StoredFile, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    content_sha256 = models.CharField(max_length=64)
    received_at = models.DateTimeField(default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    value_count = models.PositiveIntegerField(default=0)
    acknowledged_warnings = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["submission", "number"], name="one_version_number")
        ]
        ordering = ["submission", "-number"]

    def __str__(self) -> str:
        return f"{self.submission} v{self.number}"


class Value(models.Model):
    """One figure of one version. ``breakdown``/``option`` are empty for the total."""

    version = models.ForeignKey(SubmissionVersion, on_delete=models.PROTECT, related_name="values")
    orgunit = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+")
    period = models.DateField()
    metric = models.CharField(max_length=64)
    breakdown = models.CharField(max_length=64, blank=True, default="")
    option = models.CharField(max_length=64, blank=True, default="")
    value = models.BigIntegerField()
    comment = models.TextField(blank=True, default="")
    is_current = models.BooleanField(default=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["metric", "is_current", "period", "orgunit"], name="value_engine_idx"
            ),
            models.Index(fields=["orgunit", "metric", "period"], name="value_history_idx"),
        ]

    def __str__(self) -> str:
        key = f"{self.breakdown}={self.option}" if self.breakdown else "total"
        return f"{self.metric} {key} {self.value}"


class ImportJob(models.Model):
    """A batch of files uploaded together; the browser polls it for progress."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        RUNNING = "running", "Checking files"
        DONE = "done", "Finished"
        FAILED = "failed", "Failed"

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    dry_run = models.BooleanField(default=False)
    total_files = models.PositiveIntegerField(default=0)
    processed_files = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"import job {self.pk} ({self.status})"

    @property
    def percent(self) -> int:
        if not self.total_files:
            return 0
        return int(100 * self.processed_files / self.total_files)


class ImportJobFile(models.Model):
    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="files")
    position = models.PositiveIntegerField()
    name = models.CharField(max_length=255)
    content = models.BinaryField()
    outcome = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["job", "position"]

    def __str__(self) -> str:
        return f"{self.name} in job {self.job_id}"
