"""The CCA tasking: its versions (issued, revised), measures with success criteria and
thresholds (every change of a threshold kept with who, when and why), and each org unit's
progress on each measure. Logic about one object lives here (``Measure.threshold_as_at``)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone

from msoic.metrics.periods import Period
from msoic.orgunits.models import OrgUnitKind


class AppliesTo(models.TextChoices):
    FORCES = "forces", "Forces"
    ROCUS = "rocus", "ROCUs"
    BOTH = "both", "Forces and ROCUs"


class VersionKind(models.TextChoices):
    ISSUED = "issued", "Issued"
    REVISED = "revised", "Revised"


class Status(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    MET = "met", "Met"
    DISCHARGED = "discharged", "Discharged"


DONE = (Status.MET, Status.DISCHARGED)


class Tasking(models.Model):
    code = models.SlugField(max_length=60, unique=True)
    title = models.CharField(max_length=200)
    issued_by = models.CharField(max_length=200, default="National Crime Agency")
    period_code = models.CharField(max_length=12, help_text="e.g. FY2022-23")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-period_code", "code"]

    def __str__(self) -> str:
        return self.title

    @property
    def period(self) -> Period:
        return Period.parse(self.period_code)


class TaskingVersion(models.Model):
    """One issue of the tasking document, loaded from its YAML file (history kept)."""

    tasking = models.ForeignKey(Tasking, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=8, choices=VersionKind.choices)
    issued_on = models.DateField()
    summary = models.TextField(blank=True)
    file_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64, help_text="Of this version's part of the file")
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["tasking_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["tasking", "number"], name="tasking_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.tasking.code} v{self.number} ({self.get_kind_display()})"


class Measure(models.Model):
    tasking = models.ForeignKey(Tasking, on_delete=models.CASCADE, related_name="measures")
    introduced_in = models.ForeignKey(TaskingVersion, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=20)
    position = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    success_criteria = models.TextField()
    applies_to = models.CharField(max_length=8, choices=AppliesTo.choices)
    due_on = models.DateField(null=True, blank=True)
    # A quantitative measure reads its actual value from the metric engine: ``metric`` for
    # each org unit over the tasking's financial year, against ``threshold``.
    metric = models.CharField(max_length=80, blank=True)
    threshold = models.PositiveIntegerField(null=True, blank=True, help_text="Current value")
    initial_threshold = models.PositiveIntegerField(null=True, blank=True)
    threshold_basis = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["tasking_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["tasking", "code"], name="tasking_measure_code")
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.title}"

    @property
    def is_quantitative(self) -> bool:
        return bool(self.metric) and self.threshold is not None

    def threshold_as_at(self, day: date) -> int | None:
        """The threshold in force on ``day``: the initial value, then each revision from its
        effective date (prefetch ``threshold_revisions`` when calling this for many)."""
        value = self.initial_threshold
        revisions = sorted(self.threshold_revisions.all(), key=lambda r: (r.effective_from, r.pk))
        for revision in revisions:
            if revision.effective_from <= day:
                value = revision.new_value
        return value

    def orgunit_kinds(self) -> list[OrgUnitKind]:
        return {
            AppliesTo.FORCES: [OrgUnitKind.FORCE],
            AppliesTo.ROCUS: [OrgUnitKind.REGION],
            AppliesTo.BOTH: [OrgUnitKind.FORCE, OrgUnitKind.REGION],
        }[AppliesTo(self.applies_to)]


class ThresholdRevision(models.Model):
    """A change of a measure's threshold: from, to, who, when, why (a reason is required)."""

    measure = models.ForeignKey(
        Measure, on_delete=models.CASCADE, related_name="threshold_revisions"
    )
    version = models.ForeignKey(
        TaskingVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="revisions"
    )
    old_value = models.PositiveIntegerField()
    new_value = models.PositiveIntegerField()
    reason = models.TextField()
    effective_from = models.DateField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_by_label = models.CharField(max_length=150)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["measure_id", "changed_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(reason=""), name="tasking_threshold_reason_required"
            )
        ]

    def __str__(self) -> str:
        return f"{self.measure.code}: {self.old_value} → {self.new_value}"


class MeasureProgress(models.Model):
    """One org unit's progress on one measure; its history is in ``updates``."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="progress")
    orgunit = models.ForeignKey(
        "orgunits.OrgUnit", on_delete=models.PROTECT, related_name="tasking_progress"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    evidence = models.TextField(blank=True)
    commentary = models.TextField(blank=True)
    discharged_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["measure_id", "orgunit__kind", "orgunit__name"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "orgunit"], name="tasking_progress_once")
        ]

    def __str__(self) -> str:
        return f"{self.measure.code} / {self.orgunit_id}: {self.get_status_display()}"

    def is_discharged_by(self, day: date) -> bool:
        return (
            self.status == Status.DISCHARGED
            and self.discharged_on is not None
            and self.discharged_on <= day
        )


class ProgressUpdate(models.Model):
    progress = models.ForeignKey(MeasureProgress, on_delete=models.CASCADE, related_name="updates")
    on = models.DateField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    status_from = models.CharField(max_length=12, choices=Status.choices)
    status_to = models.CharField(max_length=12, choices=Status.choices)
    evidence = models.TextField(blank=True)
    commentary = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["progress_id", "on", "pk"]

    def __str__(self) -> str:
        return f"{self.on}: {self.get_status_to_display()}"
