"""The releases of the Home Office's NRM statistics the unit has loaded: where the figures
came from (publication, release date, address), the file, and what the load stored. The
figures themselves are the national org unit's submission of the ``nrm-national-quarterly``
dataset (msoic.collection), one version per quarter each time a release changes it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Release(models.Model):
    publication = models.CharField(
        max_length=300, help_text="the publication's name, as the Home Office titles it"
    )
    released_on = models.DateField(help_text="the day the Home Office published the release")
    url = models.CharField(
        max_length=500, blank=True, help_text="the publication's address, kept as text"
    )
    filename = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64)
    first_quarter = models.DateField()
    last_quarter = models.DateField()
    quarters = models.PositiveIntegerField(default=0)
    values = models.PositiveIntegerField(default=0, help_text="figures read from the file")
    changed = models.PositiveIntegerField(
        default=0, help_text="quarters stored new or revised by this release"
    )
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-released_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.publication} ({self.released_on:%d %B %Y})"
