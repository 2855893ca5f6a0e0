"""The programme's pillars (understand, engage, deliver) and each pillar's objectives.

Data the unit edits on the web (``/programme/``, each change audited), not words in a
template or a code list. A pillar is in use from ``introduced_on`` (empty: from the
programme's start) until ``retired_on`` (exclusive), so a report for an earlier year counts
the pillars of that year."""

from __future__ import annotations

from datetime import date

from django.db import models


class Pillar(models.Model):
    code = models.SlugField(max_length=32, primary_key=True)
    number = models.PositiveSmallIntegerField(unique=True, help_text="Pillar 1, 2, 3...")
    name = models.CharField(max_length=100, unique=True, help_text="e.g. Understand")
    summary = models.CharField(max_length=300, blank=True)
    introduced_on = models.DateField(null=True, blank=True)
    retired_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"Pillar {self.number}: {self.name}"

    def in_use_on(self, day: date) -> bool:
        started = self.introduced_on is None or self.introduced_on <= day
        return started and (self.retired_on is None or self.retired_on > day)


class Objective(models.Model):
    """One objective of a pillar, in the order the business plan gives them."""

    pillar = models.ForeignKey(Pillar, on_delete=models.CASCADE, related_name="objectives")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=300)

    class Meta:
        ordering = ["pillar__number", "position"]
        constraints = [
            models.UniqueConstraint(fields=["pillar", "position"], name="programme_objective_pos")
        ]

    def __str__(self) -> str:
        return self.text
