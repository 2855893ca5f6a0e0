"""Catalogue revisions: every load of the YAML definitions is kept, newest wins."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class CatalogueRevision(models.Model):
    loaded_at = models.DateTimeField(default=timezone.now)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sha256 = models.CharField(max_length=64)
    sources = models.JSONField(help_text="file name → YAML text as loaded")
    definition = models.JSONField(help_text="the parsed, checked catalogue")

    class Meta:
        ordering = ["-pk"]
        get_latest_by = "pk"

    def __str__(self) -> str:
        return f"catalogue revision {self.pk} ({self.sha256[:8]})"
