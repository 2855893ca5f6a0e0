"""Report templates with their history, reports for a period (editions) moving from draft
to published, and builds run on the worker."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


class ReportTemplate(models.Model):
    """A report's structured text, kept as numbered versions (never overwritten)."""

    name = models.SlugField(max_length=40, unique=True)
    title = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def current(self) -> TemplateVersion | None:
        return self.versions.order_by("-number").first()


class TemplateVersion(models.Model):
    template = models.ForeignKey(ReportTemplate, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    text = models.TextField()
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="report_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.template.name} v{self.number}"


class Edition(models.Model):
    """One report: a template built for a period, from draft to approved to published.

    Approval pins the template version; publishing builds that version with figures of
    people under disclosure control and freezes the result (``snapshot``): later
    corrections to the data never change a published report."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"
        PUBLISHED = "published", "Published"

    template = models.ForeignKey(ReportTemplate, on_delete=models.PROTECT, related_name="editions")
    period = models.CharField(max_length=16)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    approved_version = models.ForeignKey(
        TemplateVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    snapshot = models.JSONField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-period", "template__name"]
        constraints = [
            models.UniqueConstraint(fields=["template", "period"], name="report_edition_unique")
        ]

    def __str__(self) -> str:
        return f"{self.template.name} {self.period}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def title(self) -> str:
        if self.snapshot:
            return str(self.snapshot.get("title", self.template.title))
        return self.template.title


class Build(models.Model):
    """One output of an edition, built on the worker; the page polls it for progress."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        RUNNING = "running", "Building"
        DONE = "done", "Finished"
        FAILED = "failed", "Failed"

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="builds")
    version = models.ForeignKey(
        TemplateVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    fmt = models.CharField(max_length=8)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    step = models.CharField(max_length=120, blank=True)
    steps_done = models.PositiveSmallIntegerField(default=0)
    steps_total = models.PositiveSmallIntegerField(default=4)
    from_snapshot = models.BooleanField(default=False)
    output = models.BinaryField(null=True, blank=True)
    filename = models.CharField(max_length=120, blank=True)
    figures = models.PositiveIntegerField(default=0)
    warnings = models.JSONField(default=list, blank=True)
    errors = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"build {self.pk} of {self.edition} ({self.fmt}, {self.status})"

    @property
    def percent(self) -> int:
        return int(100 * self.steps_done / self.steps_total) if self.steps_total else 0

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    def progress(self) -> dict[str, Any]:
        return {
            "id": self.pk,
            "status": self.status,
            "step": self.step,
            "percent": self.percent,
            "figures": self.figures,
            "warnings": self.warnings,
            "errors": self.errors,
        }
