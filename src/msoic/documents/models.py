"""Documents the unit and the regional coordinators produce, and every version of each.

A document is published once (its first version's publication date is when it was
*produced*, the date ``documents_produced`` counts it by); a new version is uploaded beside
the old ones, which stay downloadable. The Government Security Classification marking
decides who may download it (:mod:`msoic.documents.access`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class DocumentKind(models.TextChoices):
    GUIDANCE = "guidance", "Guidance"
    CULTURAL_GUIDE = "cultural_guide", "Cultural resource guide"
    BRIEFING = "briefing", "Briefing"
    PROBLEM_PROFILE = "problem_profile", "Problem profile"
    TEMPLATE = "template", "Template"


class Audience(models.TextChoices):
    ALL_FORCES = "all_forces", "All forces"
    INVESTIGATORS = "investigators", "Investigators"
    ANALYSTS = "analysts", "Intelligence analysts"
    FIRST_RESPONDERS = "first_responders", "First responders"
    SENIOR_LEADERS = "senior_leaders", "Senior leaders"
    PARTNERS = "partners", "Partner agencies"


class Marking(models.TextChoices):
    """Government Security Classifications: the two a product of the unit carries."""

    OFFICIAL = "official", "OFFICIAL"
    OFFICIAL_SENSITIVE = "official_sensitive", "OFFICIAL-SENSITIVE"


class Document(models.Model):
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=24, choices=DocumentKind.choices)
    audience = models.CharField(max_length=24, choices=Audience.choices)
    owner = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+")
    marking = models.CharField(max_length=24, choices=Marking.choices)
    # The first version's publication date, kept here for the count by month (one index).
    published_on = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-published_on", "title", "pk"]
        indexes = [models.Index(fields=["published_on", "owner"], name="documents_published_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_sensitive(self) -> bool:
        return self.marking == Marking.OFFICIAL_SENSITIVE


class Version(models.Model):
    """One uploaded file of a document, checked before it was stored; never overwritten."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    published_on = models.DateField()
    note = models.CharField(max_length=300, blank=True, help_text="what changed")
    file_name = models.CharField(max_length=255)
    file_kind = models.CharField(max_length=8, help_text="the type found in the content")
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField()
    downloads = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="documents_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.document.title}, version {self.number}"
