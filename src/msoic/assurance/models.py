"""Benchmarking against a standards framework: framework versions and their standards,
campaigns, each force's assessment and its grades, and thematic interventions."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


class FrameworkVersion(models.Model):
    """One loaded version of a framework YAML file; never changed once loaded."""

    framework = models.CharField(max_length=40)
    version = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    file_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    source = models.TextField(help_text="the YAML text as loaded")
    definition = models.JSONField(help_text="grades, thresholds and areas as parsed")
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["framework", "-loaded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "version"], name="uniq_framework_version")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.version})"

    @property
    def grades(self) -> list[dict[str, Any]]:
        return list(self.definition["grades"])

    @property
    def grade_codes(self) -> list[str]:
        return [g["code"] for g in self.definition["grades"]]

    def grade_label(self, code: str) -> str:
        return {g["code"]: g["label"] for g in self.grades}.get(code, "")

    def grade_score(self, code: str) -> int | None:
        return {g["code"]: g["score"] for g in self.grades}.get(code)

    @property
    def areas(self) -> list[dict[str, str]]:
        return list(self.definition["areas"])

    @property
    def green_without_evidence_is_error(self) -> bool:
        return bool(self.definition.get("green_without_evidence") == "error")


class Standard(models.Model):
    framework_version = models.ForeignKey(
        FrameworkVersion, on_delete=models.CASCADE, related_name="standards"
    )
    position = models.PositiveIntegerField()
    area = models.CharField(max_length=20)
    reference = models.CharField(max_length=20)
    title = models.CharField(max_length=200)
    description = models.TextField()
    evidence = models.TextField(help_text="what good evidence looks like")
    maps_from = models.JSONField(
        default=list, help_text="references in the previous version this standard continues"
    )

    class Meta:
        ordering = ["framework_version", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework_version", "reference"], name="uniq_standard_ref"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class Campaign(models.Model):
    name = models.CharField(max_length=120)
    framework_version = models.ForeignKey(
        FrameworkVersion, on_delete=models.PROTECT, related_name="campaigns"
    )
    deadline = models.DateField()
    opened_at = models.DateTimeField(default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-deadline", "-pk"]

    def __str__(self) -> str:
        return self.name


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    REVIEWED = "reviewed", "Reviewed by coordinator"
    FINALISED = "finalised", "Finalised"


class Assessment(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="assessments")
    orgunit = models.ForeignKey(
        "orgunits.OrgUnit", on_delete=models.PROTECT, related_name="assessments"
    )
    status = models.CharField(
        max_length=12, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    green_without_evidence_acknowledged = models.BooleanField(default=False)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    finalised_at = models.DateTimeField(null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["campaign", "orgunit__name"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "orgunit"], name="uniq_campaign_force")
        ]

    def __str__(self) -> str:
        return f"{self.campaign} – {self.orgunit_id}"

    @property
    def is_locked(self) -> bool:
        return self.status == AssessmentStatus.FINALISED

    @property
    def is_editable(self) -> bool:
        return self.status == AssessmentStatus.DRAFT


class Grade(models.Model):
    """A force's self-grade against one standard, and the agreed grade if challenged."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="grades")
    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="+")
    grade = models.CharField(max_length=20, blank=True)
    evidence = models.TextField(blank=True)
    planned_actions = models.TextField(blank=True)
    agreed_grade = models.CharField(max_length=20, blank=True)
    challenge_reason = models.TextField(blank=True)
    challenged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["assessment", "standard__position"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "standard"], name="uniq_grade_standard")
        ]

    def __str__(self) -> str:
        return f"{self.standard_id}: {self.final_grade or 'ungraded'}"

    @property
    def final_grade(self) -> str:
        """The grade that counts: the agreed grade where the coordinator challenged."""
        return self.agreed_grade or self.grade

    @property
    def is_challenged(self) -> bool:
        return bool(self.agreed_grade)


class InterventionStatus(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"


class ThematicIntervention(models.Model):
    """A standard many forces are weak on, taken up by the unit as a thematic intervention."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="interventions")
    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(help_text="why it was proposed (the threshold crossed)")
    status = models.CharField(
        max_length=12, choices=InterventionStatus.choices, default=InterventionStatus.ACCEPTED
    )
    plan = models.TextField(blank=True)
    lead = models.CharField(max_length=120, blank=True)
    due = models.DateField(null=True, blank=True)
    accepted_at = models.DateTimeField(default=timezone.now)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["campaign", "standard__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "standard"], name="uniq_intervention_standard"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign}: {self.standard.reference}"


class SupportOffer(models.Model):
    code = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(max_length=20)
    title = models.CharField(max_length=200)
    standards = models.JSONField(default=list, help_text="standard references it helps with")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class PackageStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    AGREED = "agreed", "Agreed"


class SupportPackage(models.Model):
    """A force's tailored support package, proposed from its Red and Amber standards."""

    assessment = models.OneToOneField(
        Assessment, on_delete=models.CASCADE, related_name="support_package"
    )
    status = models.CharField(
        max_length=12, choices=PackageStatus.choices, default=PackageStatus.PROPOSED
    )
    created_at = models.DateTimeField(default=timezone.now)
    agreed_at = models.DateTimeField(null=True, blank=True)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"support package for {self.assessment}"


class DeliveryStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    DELIVERED = "delivered", "Delivered"
    CANCELLED = "cancelled", "Cancelled"


class SupportItem(models.Model):
    package = models.ForeignKey(SupportPackage, on_delete=models.CASCADE, related_name="items")
    offer = models.ForeignKey(SupportOffer, on_delete=models.PROTECT, related_name="+")
    standards = models.JSONField(default=list, help_text="the force's weak standards it meets")
    delivery = models.CharField(
        max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PLANNED
    )
    delivered_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["package", "offer__title"]
        constraints = [
            models.UniqueConstraint(fields=["package", "offer"], name="uniq_package_offer")
        ]

    def __str__(self) -> str:
        return f"{self.offer} ({self.delivery})"


class EvidenceAttachment(models.Model):
    """A file a force attaches as evidence for one standard; type and size checked first."""

    grade = models.ForeignKey(Grade, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(max_length=255)
    kind = models.CharField(max_length=10, help_text="the checked file type (pdf, docx, …)")
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField()
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["grade", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name
