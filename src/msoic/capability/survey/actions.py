"""Every change to feedback surveys: one ``do_<verb>_<noun>`` each, atomic and audited.

- :func:`do_create_survey`: the event's organisers write its questions (five-point
  agreement, yes or no, free text); one survey per event; it opens at once.
- :func:`do_invite_attendees`: a list of attendees' contact emails (the registration list,
  CSV or XLSX through the one bounded reading path; only its ``email`` column is read).
  Every address must belong to someone recorded as attending the event (matched by the
  attendee key, :mod:`msoic.capability.keys`); any problem refuses the whole list, naming
  file, row and column. Accepted addresses are kept on their invitation while the survey is
  open, and the links are sent (:func:`do_send_invitations`).
- :func:`do_send_invitations`: a single-use link to each invited attendee not yet sent one,
  by email through Django's email backend (SMTP in a deployment).
- :func:`do_submit_response`: the answers given through a link (:func:`open_link` reads
  it first). The invitation is only marked used (a conditional update, so a link answers
  once even when sent twice at the same moment); the response keeps the answers and
  nothing else. Checked and built before a short write transaction.
- :func:`do_close_survey`: no more answers; every contact email and attendee key kept for
  the survey is erased (an ``erasure`` audit row), the counts stay.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from msoic.audit.log import record
from msoic.audit.models import AuditAction
from msoic.capability import access
from msoic.capability.actions import Problem, _text, read_list
from msoic.capability.keys import attendee_key, attendee_secret
from msoic.capability.models import (
    AGREEMENT_CHOICES,
    NO,
    YES,
    Answer,
    Attendance,
    Event,
    Invitation,
    Question,
    QuestionKind,
    Response,
    Survey,
    SurveyStatus,
)
from msoic.capability.survey.links import Link, count_hits, new_link
from msoic.collection.reading import FileRejected, column_letter

if TYPE_CHECKING:
    from msoic.accounts.models import User

MAX_QUESTIONS = 30
MAX_TEXT_ANSWER = 2000
RESPONDENT = "survey respondent"  # the audit log's actor for a response: nobody named


class LinkRefused(Exception):
    """A survey link that cannot be answered: ``invalid`` (altered, cut or unknown),
    ``closed`` (the survey has closed), ``used`` (already answered) or ``limited`` (too
    many tries from the link or the address)."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


@transaction.atomic
def do_create_survey(
    event: Event, *, actor: User, questions: list[tuple[str, str]], intro: str = ""
) -> Survey:
    """The event's survey with ``questions`` as (kind, text), in order."""
    if not access.can_manage_event(actor, event):
        raise PermissionDenied(f"You may not make a survey of {event.title}")
    if Survey.objects.filter(event=event).exists():
        raise ValidationError(f"{event.title} already has a feedback survey")
    cleaned = [(kind, " ".join(text.split())) for kind, text in questions]
    cleaned = [(kind, text) for kind, text in cleaned if text]
    if not cleaned:
        raise ValidationError("give the survey at least one question")
    if len(cleaned) > MAX_QUESTIONS:
        raise ValidationError(f"a survey has at most {MAX_QUESTIONS} questions")
    for kind, text in cleaned:
        if kind not in QuestionKind.values:
            raise ValidationError(f"unknown kind of question {kind!r}")
        if len(text) > 300:
            raise ValidationError(f"a question has at most 300 characters: {text[:40]}…")
    survey = Survey.objects.create(event=event, intro=intro.strip(), created_by=actor)
    Question.objects.bulk_create(
        Question(survey=survey, position=n, kind=kind, text=text)
        for n, (kind, text) in enumerate(cleaned, start=1)
    )
    record(
        actor=actor,
        action=AuditAction.ALTERATION,
        obj=survey,
        orgunit=event.owner,
        detail={
            "step": "capability.create_survey",
            "training_event": event.pk,
            "changed": {"questions": len(cleaned), "status": SurveyStatus.OPEN},
        },
    )
    return survey


# --- invitations ---------------------------------------------------------------------------


@dataclass
class InviteOutcome:
    filename: str
    status: str = "rejected"  # accepted | rejected
    new: int = 0
    already: int = 0
    sent: int = 0
    not_sent: int = 0
    send_error: str = ""
    problems: list[Problem] = field(default_factory=list)


def _check_contacts(
    filename: str, rows: list[list[Any]], sheet: str, event: Event
) -> tuple[dict[str, str], list[Problem]]:
    """{attendee key: email} for each attendee on the list, or every problem found."""
    problems: list[Problem] = []

    def problem(message: str, row: int | None = None, column: str = "") -> None:
        problems.append(Problem(filename, message, row, column, sheet))

    header_at = next((i for i, r in enumerate(rows) if r), None)
    if header_at is None:
        problem("the list is empty: give a header row with an email column")
        return {}, problems
    header = [_text(c).lower() for c in rows[header_at]]
    if header.count("email") != 1:
        problem(
            "the header row needs one column 'email' (the attendees' contact emails)",
            header_at + 1,
        )
        return {}, problems
    at = header.index("email")
    where = f"{column_letter(at)} (email)"
    attended = set(
        Attendance.objects.filter(session__event=event).values_list("attendee_key", flat=True)
    )
    secret = attendee_secret()
    contacts: dict[str, str] = {}
    first_row: dict[str, int] = {}
    for number, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        email = _text(row[at]) if at < len(row) else ""
        if not email:
            if any(_text(c) for c in row):
                problem("no email on this row", number, where)
            continue
        if "@" not in email or " " in email or len(email) > 254:
            problem(f"{email!r} is not an email address", number, where)
            continue
        key = attendee_key(email, secret)
        if key not in attended:
            problem(
                f"{email} is not recorded as attending {event.title}: import the session's "
                "registration list first",
                number,
                where,
            )
        elif key in first_row:
            problem(f"the same person is listed twice (as on row {first_row[key]})", number, where)
        else:
            first_row[key] = number
            contacts[key] = email.strip()
    if not contacts and not problems:
        problem("the list has a header row but nobody on it")
    return contacts, problems


def do_invite_attendees(
    survey: Survey,
    filename: str,
    data: bytes,
    *,
    actor: User,
    base_url: str,
    connection: Any = None,
) -> InviteOutcome:
    """Check the whole list, keep its addresses at once or not at all, then send the links
    (see the module's text). ``base_url`` is the site's address the links start with."""
    event = survey.event
    if not access.can_manage_event(actor, event):
        raise PermissionDenied(f"You may not invite people to the survey of {event.title}")
    outcome = InviteOutcome(filename)
    if not survey.is_open:
        outcome.problems.append(Problem(filename, "the survey has closed: nobody can be invited"))
        return outcome
    try:
        rows, sheet = read_list(filename, data)
    except FileRejected as exc:
        outcome.problems.append(Problem(filename, exc.message, exc.row, exc.column, exc.sheet))
    else:
        contacts, outcome.problems = _check_contacts(filename, rows, sheet, event)
    if outcome.problems:
        record(
            actor=actor,
            action=AuditAction.REJECT,
            obj=survey,
            orgunit=event.owner,
            detail={
                "step": "capability.invite_attendees",
                "file": filename,
                "errors": len(outcome.problems),
                "first": str(outcome.problems[0]),
            },
        )
        return outcome
    _keep_contacts(survey, contacts, outcome, actor=actor)
    sent = do_send_invitations(survey, actor=actor, base_url=base_url, connection=connection)
    outcome.sent, outcome.not_sent, outcome.send_error = sent.sent, sent.not_sent, sent.error
    return outcome


@transaction.atomic
def _keep_contacts(
    survey: Survey, contacts: dict[str, str], outcome: InviteOutcome, *, actor: User
) -> None:
    locked = Survey.objects.select_for_update().get(pk=survey.pk)
    if not locked.is_open:
        raise ValidationError("the survey has closed: nobody can be invited")
    invited = set(
        Invitation.objects.filter(survey=survey, attendee_key__in=list(contacts)).values_list(
            "attendee_key", flat=True
        )
    )
    Invitation.objects.bulk_create(
        Invitation(survey=survey, attendee_key=key, email=email)
        for key, email in contacts.items()
        if key not in invited
    )
    outcome.new = len(contacts) - len(invited)
    outcome.already = len(invited)
    outcome.status = "accepted"
    Survey.objects.filter(pk=survey.pk).update(invited_count=F("invited_count") + outcome.new)
    record(
        actor=actor,
        action=AuditAction.COLLECTION,
        obj=survey,
        orgunit=survey.event.owner,
        detail={
            "step": "capability.invite_attendees",
            "file": outcome.filename,
            "training_event": survey.event_id,
            "people_count": len(contacts),
            "new": outcome.new,
            "fields": ["email"],
        },
    )


@dataclass
class SendOutcome:
    sent: int = 0
    not_sent: int = 0
    error: str = ""


def invitation_message(survey: Survey, url: str, email: str, connection: Any) -> EmailMessage:
    event = survey.event
    body = (
        f"You attended {event.title}. The organisers would like your feedback: it takes a few "
        f"minutes.\n\n{url}\n\n"
        "This link is yours alone and can be used once; you do not need to sign in. Your "
        "answers are kept apart from your name and email: nobody can tell which answers are "
        "yours. Your email address is deleted when the survey closes.\n"
    )
    return EmailMessage(
        subject=f"Your feedback on {event.title}", body=body, to=[email], connection=connection
    )


def do_send_invitations(
    survey: Survey, *, actor: User, base_url: str, connection: Any = None
) -> SendOutcome:
    """Send a fresh single-use link to every invitation of the open survey not yet sent one.
    A link's secret is stored (as its SHA-256) before its message goes; should the mail
    server refuse, that invitation is left unsent (and its hash cleared) to try again."""
    if not access.can_manage_event(actor, survey.event):
        raise PermissionDenied(f"You may not invite people to the survey of {survey.event.title}")
    outcome = SendOutcome()
    if not survey.is_open:
        return outcome
    pending = list(
        Invitation.objects.filter(survey=survey, token_sha256__isnull=True)
        .exclude(email="")
        .order_by("pk")
    )
    if not pending:
        return outcome
    conn = connection or get_connection()
    path = base_url.rstrip("/")
    try:
        conn.open()
        for invitation in pending:
            token, link = new_link(survey.pk)
            Invitation.objects.filter(pk=invitation.pk).update(token_sha256=link.token_sha256)
            url = path + reverse("capability-survey-respond", args=[token])
            try:
                invitation_message(survey, url, invitation.email, conn).send()
            except (OSError, smtplib.SMTPException):
                Invitation.objects.filter(pk=invitation.pk).update(token_sha256=None)
                raise
            outcome.sent += 1
    except (OSError, smtplib.SMTPException) as exc:
        outcome.error = (
            f"the mail server refused or could not be reached ({exc.__class__.__name__})"
        )
    finally:
        try:
            conn.close()
        except (OSError, smtplib.SMTPException):
            pass
    outcome.not_sent = len(pending) - outcome.sent
    Survey.objects.filter(pk=survey.pk).update(sent_count=F("sent_count") + outcome.sent)
    record(
        actor=actor,
        action=AuditAction.ALTERATION,
        obj=survey,
        orgunit=survey.event.owner,
        detail={
            "step": "capability.send_survey_invitations",
            "training_event": survey.event_id,
            "people_count": outcome.sent,
            "errors": outcome.not_sent,
            **({"reason": outcome.error} if outcome.error else {}),
        },
    )
    return outcome


# --- responses -----------------------------------------------------------------------------


def check_answers(questions: list[Question], answers: dict[int, Any]) -> dict[int, Any]:
    """The answers as stored (a choice, or text), checked against the questions: every
    agreement and yes/no question answered with one of its choices, text within bounds."""
    agreement = {value for value, _ in AGREEMENT_CHOICES}
    out: dict[int, Any] = {}
    for q in questions:
        value = answers.get(q.pk)
        if q.kind == QuestionKind.TEXT:
            text = (value or "").strip() if isinstance(value, str) else ""
            if len(text) > MAX_TEXT_ANSWER:
                raise ValidationError(f"an answer has at most {MAX_TEXT_ANSWER} characters")
            out[q.pk] = text
            continue
        try:
            choice = int(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise ValidationError(f"answer: {q.text}") from None
        allowed = agreement if q.kind == QuestionKind.AGREEMENT else {YES, NO}
        if choice not in allowed:
            raise ValidationError(f"answer: {q.text}")
        out[q.pk] = choice
    return out


def find_invitation(link: Link) -> Invitation | None:
    """The invitation a link stands for (with its survey and event), or None."""
    return (
        Invitation.objects.select_related("survey__event__owner")
        .filter(token_sha256=link.token_sha256, survey_id=link.survey_id)
        .first()
    )


@dataclass(frozen=True)
class OpenLink:
    """A link that may be answered now: its invitation (with survey and event) and the
    survey's questions in order, read once for the form and the response."""

    invitation: Invitation
    questions: list[Question]

    @property
    def survey(self) -> Survey:
        return self.invitation.survey


def open_link(link: Link) -> OpenLink:
    """The link's invitation and questions; :class:`LinkRefused` for an unknown, closed or
    used link. Reads only: nothing is locked."""
    invitation = find_invitation(link)
    if invitation is None:
        raise LinkRefused("invalid")
    if not invitation.survey.is_open:
        raise LinkRefused("closed")
    if invitation.used:
        raise LinkRefused("used")
    return OpenLink(invitation, list(invitation.survey.questions.all()))


def do_submit_response(
    link: Link | OpenLink, answers: dict[int, Any], *, hits: dict[str, int] | None = None
) -> Response:
    """Store one response through a link (see the module's text). Raises
    :class:`LinkRefused` for an unknown, closed or used link, or ``limited`` when one of
    the rate-limit buckets in ``hits`` (``{bucket: limit}``, counted in the same
    transaction, :func:`~msoic.capability.survey.links.count_hits`) is over its limit;
    ValidationError for answers that do not fit the questions (the link stays unused).

    Everything that only reads (the invitation, the questions, checking the answers,
    building the rows) is done before the write transaction, which is as short as it can
    be and the POST's only one: the rate-limit hits, the conditional update that spends the
    link, the response and its answers, the audit row. On SQLite that transaction holds the one write lock, on PostgreSQL the audit
    chain's head from its audit row to the commit, so nothing else waits inside it."""
    opened = link if isinstance(link, OpenLink) else open_link(link)
    invitation, survey = opened.invitation, opened.survey
    checked = check_answers(opened.questions, answers)
    rows = [
        Answer(
            question=q,
            choice=None if q.kind == QuestionKind.TEXT else checked[q.pk],
            text=checked[q.pk] if q.kind == QuestionKind.TEXT else "",
        )
        for q in opened.questions
        if not (q.kind == QuestionKind.TEXT and not checked[q.pk])
    ]
    response = Response(survey=survey)
    refused = ""  # raised after the transaction, so that the hits it counted are kept
    with transaction.atomic():
        if hits and count_hits(hits):
            refused = "limited"
        # The one write that decides: only one request can turn ``used`` from false to
        # true (on PostgreSQL a second one waits for the first's row lock, then finds it
        # used), so a link answers once even when sent twice at the same moment.
        elif not Invitation.objects.filter(pk=invitation.pk, used=False).update(used=True):
            refused = "used"
        else:
            response.save(force_insert=True)
            for row in rows:
                row.response = response
            Answer.objects.bulk_create(rows)
            record(
                actor=RESPONDENT,
                action=AuditAction.COLLECTION,
                obj=survey,
                orgunit=survey.event.owner,
                detail={
                    "step": "capability.submit_survey_response",
                    "training_event": survey.event_id,
                },
            )
    if refused:
        raise LinkRefused(refused)
    invitation.used = True
    return response


# --- closing -------------------------------------------------------------------------------


@transaction.atomic
def do_close_survey(survey: Survey, *, actor: User) -> int:
    """Close the survey and erase its contact details; the number of people erased."""
    if not access.can_manage_event(actor, survey.event):
        raise PermissionDenied(f"You may not close the survey of {survey.event.title}")
    locked = Survey.objects.select_for_update().get(pk=survey.pk)
    if not locked.is_open:
        raise ValidationError("the survey has already closed")
    kept = Invitation.objects.filter(survey=survey).exclude(email="", attendee_key="")
    erased = kept.update(email="", attendee_key="")
    now = timezone.now()
    Survey.objects.filter(pk=survey.pk).update(status=SurveyStatus.CLOSED, closed_at=now)
    survey.status, survey.closed_at = SurveyStatus.CLOSED, now
    owner = survey.event.owner
    record(
        actor=actor,
        action=AuditAction.ALTERATION,
        obj=survey,
        orgunit=owner,
        detail={
            "step": "capability.close_survey",
            "training_event": survey.event_id,
            "from": SurveyStatus.OPEN,
            "to": SurveyStatus.CLOSED,
        },
    )
    record(
        actor=actor,
        action=AuditAction.ERASURE,
        obj=survey,
        orgunit=owner,
        detail={
            "step": "capability.erase_survey_contacts",
            "training_event": survey.event_id,
            "people_count": erased,
            "fields": ["email", "attendee_key"],
            "reason": "the survey has closed: contact details are kept only while it is open",
        },
    )
    return erased
