"""Organisational units: the nation, its regions, the 43 forces, and partner agencies."""

from __future__ import annotations

from django.db import models


class OrgUnitKind(models.TextChoices):
    NATIONAL = "national", "National"
    REGION = "region", "Region"
    FORCE = "force", "Force"
    PARTNER = "partner", "Partner agency"


class OrgUnitQuerySet(models.QuerySet["OrgUnit"]):
    def forces(self) -> OrgUnitQuerySet:
        return self.filter(kind=OrgUnitKind.FORCE)

    def regions(self) -> OrgUnitQuerySet:
        return self.filter(kind=OrgUnitKind.REGION)


class OrgUnit(models.Model):
    """A node of the hierarchy national → region → force; partners hang off national."""

    code = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=OrgUnitKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_force(self) -> bool:
        return self.kind == OrgUnitKind.FORCE

    @property
    def is_region(self) -> bool:
        return self.kind == OrgUnitKind.REGION

    @property
    def is_national(self) -> bool:
        return self.kind == OrgUnitKind.NATIONAL

    @property
    def region(self) -> OrgUnit | None:
        if self.kind == OrgUnitKind.REGION:
            return self
        if self.kind == OrgUnitKind.FORCE:
            return self.parent
        return None
