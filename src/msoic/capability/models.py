"""Training courses and events, their sessions, and who attended each session.

An attendee is kept only as a pseudonymous key (:mod:`msoic.capability.keys`: a keyed
HMAC of the normalised work email), so the same person is recognised across sessions and
"people trained" counts distinct people, while the email itself is never stored."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from msoic.metrics.periods import Period


class EventKind(models.TextChoices):
    COURSE = "course", "Training course"
    WORKSHOP = "workshop", "Workshop"
    WEBINAR = "webinar", "Webinar"
    CONFERENCE = "conference", "Conference"
    PARTNERSHIP_MEETING = "partnership_meeting", "Partnership meeting"


class Mode(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    ONLINE = "online", "Online"


class DeliveredBy(models.TextChoices):
    UNIT = "unit", "The unit"
    COORDINATOR = "coordinator", "Regional coordinator"


class AttendeeRole(models.TextChoices):
    OFFICER = "officer", "Officer"
    STAFF = "staff", "Staff"
    PARTNER = "partner", "Partner"


class Event(models.Model):
    """A course or event, owned by the unit (national) or a region."""

    kind = models.CharField(max_length=24, choices=EventKind.choices)
    title = models.CharField(max_length=200)
    # A stable code (lower-case letters, digits, hyphens), given or made from the title when
    # the event is recorded and never changed: figures split by event name it
    # (the ``training_event`` breakdown, msoic.capability.source).
    code = models.SlugField(max_length=60, unique=True)
    owner = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title


class Session(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    date = models.DateField()
    mode = models.CharField(max_length=16, choices=Mode.choices)
    venue = models.CharField(max_length=200, blank=True)
    delivered_by = models.CharField(max_length=16, choices=DeliveredBy.choices)
    audience = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["date", "pk"]
        indexes = [models.Index(fields=["date"], name="capability_session_date_idx")]

    def __str__(self) -> str:
        return f"{self.event.title}, {self.date:%d %b %Y}"

    @property
    def financial_year(self) -> Period:
        return Period.financial_year_of(self.date)

    @property
    def place(self) -> str:
        """Where it was held, as a page shows it."""
        if self.mode == Mode.ONLINE:
            return "Online"
        return self.venue or "In person"


class Attendance(models.Model):
    """One person at one session: their pseudonymous key, force or partner, and role."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    attendee_key = models.CharField(max_length=64)
    orgunit = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=16, choices=AttendeeRole.choices)
    # The session's date, kept here too (set on import; sessions do not move) so that the
    # first attendance of each person in a year is read from one index, in key and date
    # order, without joining the sessions or sorting (msoic.capability.source).
    on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "attendee_key"], name="capability_one_attendance_per_person"
            )
        ]
        indexes = [
            models.Index(fields=["orgunit", "session"], name="capability_att_ou_idx"),
            models.Index(
                fields=["attendee_key", "on", "session", "orgunit"],
                name="capability_att_first_idx",
            ),
        ]

    def __str__(self) -> str:  # never the key: pages and logs name no attendee
        return f"an attendance at session {self.session_id}"


# --- feedback surveys ----------------------------------------------------------------------
#
# A survey per event. Invitations are single-use links sent by email to attendees: the
# invitation keeps the attendee's key and contact email only while the survey is open (both
# are erased when it closes, with an ``erasure`` audit row; the counts stay on the survey)
# and the SHA-256 of its link's secret, never the secret. A response keeps its answers and
# nothing else: no invitation, no attendee, no time, so it cannot be linked back to anyone
# (the invitation is only marked used).


class SurveyStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class QuestionKind(models.TextChoices):
    AGREEMENT = "agreement", "Five-point agreement"
    YES_NO = "yes_no", "Yes or no"
    TEXT = "text", "Free text"


# The five points of agreement, as stored (1 to 5) and shown; 4 and 5 are "agree".
AGREEMENT_CHOICES = [
    (5, "Strongly agree"),
    (4, "Agree"),
    (3, "Neither agree nor disagree"),
    (2, "Disagree"),
    (1, "Strongly disagree"),
]
AGREE_FROM = 4
YES, NO = 1, 0


class Survey(models.Model):
    event = models.OneToOneField(Event, on_delete=models.PROTECT, related_name="survey")
    intro = models.TextField(blank=True)
    status = models.CharField(max_length=8, choices=SurveyStatus.choices, default="open")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Kept when the contact details are erased at closing.
    invited_count = models.PositiveIntegerField(default=0)
    sent_count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"Feedback survey: {self.event.title}"

    @property
    def is_open(self) -> bool:
        return self.status == SurveyStatus.OPEN


class Question(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=12, choices=QuestionKind.choices)
    text = models.CharField(max_length=300)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "position"], name="capability_question_position"
            )
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def counts_agreement(self) -> bool:
        """Does the question give a % agreeing (or answering yes)? Free text does not."""
        return self.kind != QuestionKind.TEXT


class Invitation(models.Model):
    """One attendee's single-use link to a survey. ``attendee_key`` and ``email`` are blank
    once the survey has closed; ``token_sha256`` is set when the link is sent."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    attendee_key = models.CharField(max_length=64, blank=True)
    email = models.CharField(max_length=254, blank=True)
    token_sha256 = models.CharField(max_length=64, null=True, blank=True, unique=True)
    used = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "attendee_key"],
                condition=~models.Q(attendee_key=""),
                name="capability_one_invitation_per_attendee",
            )
        ]

    def __str__(self) -> str:  # never the email
        return f"an invitation to survey {self.survey_id}"


class Response(models.Model):
    """One completed survey: its answers, and nothing that leads back to who gave them."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")

    def __str__(self) -> str:
        return f"a response to survey {self.survey_id}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    choice = models.PositiveSmallIntegerField(null=True)  # 1-5 agreement, 1 yes / 0 no
    text = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["question", "choice"], name="capability_answer_choice_idx")]

    def __str__(self) -> str:
        return f"an answer to question {self.question_id}"


class SurveyHit(models.Model):
    """A request counted against a survey link's or an address's rate limit. ``bucket`` is
    a keyed hash (of the link, or of the address), so no address is stored; rows older than
    the window are deleted as new ones arrive."""

    bucket = models.CharField(max_length=40)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["bucket", "at"], name="capability_hit_idx")]

    def __str__(self) -> str:
        return f"a survey link hit at {self.at:%Y-%m-%d %H:%M:%S}"
