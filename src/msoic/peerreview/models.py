"""Peer reviews of forces, their recommendations and good practice, and each force's
task-and-finish group. Logic about one object lives here (``Recommendation.is_overdue``)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone


class Theme(models.Model):
    """A theme a peer review looks at (leadership and governance, intelligence...): data the
    unit edits (``/peer-reviews/themes/``, audited), not a code list. Recommendations and
    good practice point at it by its code. A theme is in use from ``introduced_on`` (empty:
    from the programme's start) until ``retired_on`` (exclusive); a retired theme is no
    longer offered for new findings but keeps the ones made under it."""

    code = models.SlugField(max_length=16, primary_key=True)
    label = models.CharField(max_length=200, unique=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order on pages")
    introduced_on = models.DateField(null=True, blank=True)
    retired_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.label

    def in_use_on(self, day: date) -> bool:
        started = self.introduced_on is None or self.introduced_on <= day
        return started and (self.retired_on is None or self.retired_on > day)


def themes_in_use(day: date | None = None) -> models.QuerySet[Theme]:
    """The themes offered for new findings on ``day`` (today when None)."""
    day = day or timezone.localdate()
    return Theme.objects.filter(
        models.Q(introduced_on__isnull=True) | models.Q(introduced_on__lte=day),
        models.Q(retired_on__isnull=True) | models.Q(retired_on__gt=day),
    )


class Stage(models.TextChoices):
    PLANNED = "planned", "Planned"
    FIELDWORK = "fieldwork", "Fieldwork"
    DRAFTED = "drafted", "Report drafted"
    PUBLISHED = "published", "Published"


class Priority(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class RecStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    IMPLEMENTED = "implemented", "Implemented, pending verification"
    CLOSED = "closed", "Verified closed"
    NOT_ACCEPTED = "not_accepted", "Not accepted"


# Statuses a force may set on its own recommendations; the rest are the unit's decision.
FORCE_STATUSES = (RecStatus.OPEN, RecStatus.IN_PROGRESS, RecStatus.IMPLEMENTED)
# Still the force's to deliver: these can be overdue.
LIVE_STATUSES = (RecStatus.OPEN, RecStatus.IN_PROGRESS)
FINAL_STATUSES = (RecStatus.CLOSED, RecStatus.NOT_ACCEPTED)


class PeerReview(models.Model):
    """One review of one force, from planning to the published report."""

    force = models.ForeignKey(
        "orgunits.OrgUnit", on_delete=models.PROTECT, related_name="peer_reviews"
    )
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.PLANNED)
    fieldwork_start = models.DateField(null=True, blank=True)
    fieldwork_end = models.DateField(null=True, blank=True)
    report_due = models.DateField(null=True, blank=True)
    published_on = models.DateField(null=True, blank=True)
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="peer_review_teams"
    )
    team_names = models.TextField(blank=True, help_text="Reviewers without an account")
    summary = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["force__name", "-pk"]

    def __str__(self) -> str:
        return f"Peer review of {self.force.name}"

    @property
    def is_published(self) -> bool:
        return self.stage == Stage.PUBLISHED


class Recommendation(models.Model):
    review = models.ForeignKey(PeerReview, on_delete=models.CASCADE, related_name="recommendations")
    number = models.PositiveIntegerField()
    theme = models.ForeignKey(
        Theme, on_delete=models.PROTECT, db_column="theme", related_name="recommendations"
    )
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.MEDIUM)
    text = models.TextField()
    owner = models.CharField(max_length=200, blank=True)
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=RecStatus.choices, default=RecStatus.OPEN)
    reason = models.TextField(blank=True, help_text="Why it was not accepted")
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["review_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["review", "number"], name="peerreview_rec_number"),
        ]

    def __str__(self) -> str:
        return f"R{self.number}"

    def is_overdue(self, today: date) -> bool:
        """Past its due date and still the force's to deliver."""
        return self.due_date is not None and self.due_date < today and self.status in LIVE_STATUSES

    def age_days(self, today: date) -> int | None:
        """Days since the report that made it was published."""
        published = self.review.published_on
        return None if published is None else (today - published).days


class RecommendationUpdate(models.Model):
    """A dated progress note: status change, narrative and evidence."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="updates"
    )
    on = models.DateField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    status_from = models.CharField(max_length=16, choices=RecStatus.choices)
    status_to = models.CharField(max_length=16, choices=RecStatus.choices)
    note = models.TextField(blank=True)
    evidence = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recommendation_id", "on", "pk"]

    def __str__(self) -> str:
        return f"{self.on}: {self.get_status_to_display()}"


class GoodPractice(models.Model):
    review = models.ForeignKey(PeerReview, on_delete=models.CASCADE, related_name="good_practice")
    theme = models.ForeignKey(
        Theme, on_delete=models.PROTECT, db_column="theme", related_name="good_practice"
    )
    title = models.CharField(max_length=200)
    text = models.TextField()
    library_published = models.BooleanField(default=False)
    library_published_on = models.DateField(null=True, blank=True)
    show_source = models.BooleanField(default=False)

    class Meta:
        ordering = ["theme_id", "title", "pk"]

    def __str__(self) -> str:
        return self.title


class TaskGroup(models.Model):
    """A force's task-and-finish group that drives its recommendations."""

    force = models.OneToOneField(
        "orgunits.OrgUnit", on_delete=models.PROTECT, related_name="peer_review_group"
    )
    chair = models.CharField(max_length=200)
    members = models.TextField(blank=True, help_text="One member per line")

    def __str__(self) -> str:
        return f"Task-and-finish group of {self.force_id}"

    def member_list(self) -> list[str]:
        return [m.strip() for m in self.members.splitlines() if m.strip()]
