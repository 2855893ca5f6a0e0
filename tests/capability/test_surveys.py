"""Feedback surveys: made by the event's organisers, invitations sent through a real SMTP
server (aiosmtpd), answered once through each single-use link without signing in, results
under disclosure control once closed, and the bad input: a link used twice, after closing,
altered, and too many tries."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import date
from typing import Any
from urllib.parse import urlparse

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from msoic.audit.models import AuditEvent
from msoic.capability.models import Answer, Event, Invitation, Response, Survey
from msoic.capability.survey import actions
from msoic.capability.survey.links import new_link, parse_token
from msoic.capability.survey.results import percent, survey_results
from tests.capability.conftest import attend, make_event, make_session
from tests.conftest import csv_bytes

pytestmark = pytest.mark.django_db

STATEMENTS = "The course was useful\nThe trainer knew the subject"


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def contacts(emails: list[str]) -> bytes:
    return csv_bytes([[e] for e in emails], ["email"])


@pytest.fixture
def course(personas: dict[str, Any]) -> Event:
    """A course attended by eight people (Kent and Essex) on one day."""
    unit = personas["national"]
    event = make_event(unit, title="Investigators' course")
    people = [[f"p{n}@x.uk", "kent" if n % 2 else "essex", "officer"] for n in range(8)]
    attend(make_session(event, unit, date(2023, 6, 14)), unit, people)
    return event


def make_survey(event: Event, actor: Any) -> Survey:
    return actions.do_create_survey(
        event,
        actor=actor,
        questions=[
            ("agreement", "The course was useful"),
            ("yes_no", "Would you come again?"),
            ("text", "What should change?"),
        ],
    )


def invite(survey: Survey, actor: Any, emails: list[str], connection: Any = None) -> Any:
    return actions.do_invite_attendees(
        survey,
        "contacts.csv",
        contacts(emails),
        actor=actor,
        base_url="http://testserver/",
        connection=connection,
    )


def answer(client: Client, link: str, **data: Any) -> Any:
    return client.post(urlparse(link).path, data or {"q1": "5", "q2": "1", "q3": ""})


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (130, 143, 91),
        (134, 143, 94),
        (140, 143, 98),
        (129, 143, 90),
        (137, 143, 96),
        (1, 8, 13),
        (1, 200, 1),
        (0, 5, 0),
        (5, 5, 100),
        (0, 0, None),
    ],
)
def test_percentages_round_half_up(part, whole, expected):
    assert percent(part, whole) == expected


def test_the_unit_makes_a_survey_sends_links_by_smtp_and_each_answers_once(
    course, personas, smtp_sink
):
    unit = client_for(personas["national"])
    response = unit.post(
        f"/training/{course.pk}/survey/new/",
        {"agreement": STATEMENTS, "yes_no": "Would you come again?", "free_text": "Any comment?"},
    )
    survey = Survey.objects.get(event=course)
    assert response.status_code == 302 and response["Location"] == f"/training/surveys/{survey.pk}/"
    assert [q.kind for q in survey.questions.all()] == ["agreement", "agreement", "yes_no", "text"]

    upload = SimpleUploadedFile("contacts.csv", contacts(["p1@x.uk", "P2@X.uk", "p3@x.uk"]))
    response = unit.post(f"/training/surveys/{survey.pk}/invite/", {"contact_file": upload})
    assert response.status_code == 302
    assert sorted(m["To"] for m in smtp_sink.messages) == ["P2@X.uk", "p1@x.uk", "p3@x.uk"]
    assert all(m["From"] == "training@msoicu.example" for m in smtp_sink.messages)
    links = smtp_sink.links()
    assert len(set(links)) == 3
    survey.refresh_from_db()
    assert survey.invited_count == survey.sent_count == 3
    stored = set(Invitation.objects.values_list("token_sha256", flat=True))
    secrets = {link.split("/")[-2].split(".")[1] for link in links}
    assert not secrets & stored  # only each secret's SHA-256 is kept
    assert {hashlib.sha256(s.encode()).hexdigest() for s in secrets} == stored

    attendee = Client()  # nobody signed in
    form = attendee.get(urlparse(links[0]).path)
    assert form.status_code == 200 and "The trainer knew the subject" in form.content.decode()
    done = attendee.post(
        urlparse(links[0]).path, {"q1": "4", "q2": "2", "q3": "1", "q4": "Longer breaks"}
    )
    assert done.status_code == 200 and "Thank you" in done.content.decode()
    again = attendee.post(urlparse(links[0]).path, {"q1": "1", "q2": "1", "q3": "0"})
    assert again.status_code == 410 and "already answered" in again.content.decode()
    assert attendee.get(urlparse(links[0]).path).status_code == 410
    assert Response.objects.filter(survey=survey).count() == 1
    assert Invitation.objects.filter(survey=survey, used=True).count() == 1
    # the response carries nothing that leads back to the attendee
    fields = {f.name for f in Response._meta.get_fields()}
    assert fields == {"id", "survey", "answers"}
    assert {f.name for f in Answer._meta.get_fields()} == {
        "id",
        "response",
        "question",
        "choice",
        "text",
    }

    # inviting the same list again sends nobody a second link
    upload = SimpleUploadedFile("contacts.csv", contacts(["p1@x.uk", "p4@x.uk"]))
    unit.post(f"/training/surveys/{survey.pk}/invite/", {"contact_file": upload})
    assert len(smtp_sink.messages) == 4 and smtp_sink.messages[-1]["To"] == "p4@x.uk"


def test_a_link_answers_once_and_not_after_closing(course, personas, smtp_sink):
    unit = personas["national"]
    survey = make_survey(course, unit)
    invite(survey, unit, ["p0@x.uk", "p1@x.uk"])
    first, second = smtp_sink.links()
    link = parse_token(urlparse(first).path.split("/")[-2])
    assert link is not None
    actions.do_submit_response(
        link, {q.pk: v for q, v in zip(survey.questions.all(), [5, 1, ""], strict=True)}
    )
    with pytest.raises(actions.LinkRefused) as used:
        actions.do_submit_response(link, {})
    assert used.value.kind == "used"

    erased = actions.do_close_survey(survey, actor=unit)
    assert erased == 2
    assert not Invitation.objects.filter(survey=survey).exclude(email="", attendee_key="").exists()
    row = AuditEvent.objects.get(action="erasure", object_id=str(survey.pk))
    assert row.detail["people_count"] == 2 and row.detail["fields"] == ["email", "attendee_key"]
    survey.refresh_from_db()
    assert survey.invited_count == 2 and survey.sent_count == 2  # the counts stay
    closed = Client().post(urlparse(second).path, {"q1": "5", "q2": "1"})
    assert closed.status_code == 410 and "This survey has closed" in closed.content.decode()
    assert Response.objects.count() == 1


@pytest.mark.parametrize(
    "alter",
    [
        lambda t: t[:-1] + ("0" if t[-1] != "0" else "1"),  # the MAC changed
        lambda t: t.split(".")[0] + ".made-up-secret." + t.split(".")[2],  # the secret changed
        lambda t: t[: len(t) // 2],  # cut short
        lambda t: str(int(t.split(".")[0]) + 1) + t[t.index(".") :],  # another survey
    ],
)
def test_an_altered_link_is_refused_clearly(course, personas, smtp_sink, alter):
    survey = make_survey(course, personas["national"])
    invite(survey, personas["national"], ["p0@x.uk"])
    token = urlparse(smtp_sink.links()[0]).path.split("/")[-2]
    page = Client().get(f"/training/survey/{alter(token)}/")
    assert page.status_code == 404 and "This survey link is not valid" in page.content.decode()
    posted = Client().post(f"/training/survey/{alter(token)}/", {"q1": "5", "q2": "1"})
    assert posted.status_code == 404 and Response.objects.count() == 0


def test_a_link_made_with_a_valid_mac_but_never_sent_is_refused(course, personas):
    survey = make_survey(course, personas["national"])
    token, _ = new_link(survey.pk)  # signed, but no invitation holds it
    assert Client().get(f"/training/survey/{token}/").status_code == 404


def test_spam_is_rate_limited_per_link_and_per_address(course, personas, smtp_sink, settings):
    settings.MSOIC_SURVEY_LINK_LIMIT = 3
    settings.MSOIC_SURVEY_ADDRESS_LIMIT = 5
    survey = make_survey(course, personas["national"])
    invite(survey, personas["national"], ["p0@x.uk", "p1@x.uk"])
    first, second = (urlparse(u).path for u in smtp_sink.links())
    spammer = Client(REMOTE_ADDR="203.0.113.9")
    answers = [spammer.post(first, {"q1": "9"}).status_code for _ in range(4)]  # invalid answers
    assert answers == [200, 200, 200, 429]
    refused = spammer.post(first, {"q1": "5", "q2": "1"})
    assert refused.status_code == 429 and refused["Retry-After"] == "3600"
    assert "Too many tries" in refused.content.decode() and Response.objects.count() == 0
    # the address has now sent 5: its next POST, on another link, is refused too
    assert spammer.post(second, {"q1": "5", "q2": "1"}).status_code == 429
    # someone else, on another network, answers through the second link
    assert (
        Client(REMOTE_ADDR="198.51.100.7").post(second, {"q1": "5", "q2": "1"}).status_code == 200
    )
    # guessing links from one address is limited as well
    guesser = Client(REMOTE_ADDR="192.0.2.1")
    codes = [guesser.get(f"/training/survey/{n}.x.y/").status_code for n in range(6)]
    assert codes == [404] * 5 + [429]


def test_invalid_answers_leave_the_link_unused(course, personas, smtp_sink):
    survey = make_survey(course, personas["national"])
    invite(survey, personas["national"], ["p0@x.uk"])
    path = urlparse(smtp_sink.links()[0]).path
    page = Client().post(path, {"q1": "7", "q3": "x" * 2001})
    html = page.content.decode()
    assert page.status_code == 200 and "Choose an answer to: Would you come again?" in html
    assert not Invitation.objects.get().used and Response.objects.count() == 0
    assert Client().post(path, {"q1": "3", "q2": "0"}).status_code == 200


def test_a_contact_list_with_anyone_who_did_not_attend_is_refused_whole(course, personas):
    survey = make_survey(course, personas["national"])
    data = csv_bytes(
        [["p0@x.uk", "x"], ["stranger@x.uk", "y"], ["not-an-email", "z"], ["P0@x.uk", ""]],
        ["email", "name"],
    )
    outcome = actions.do_invite_attendees(
        survey, "who.csv", data, actor=personas["national"], base_url="http://testserver/"
    )
    problems = [str(p) for p in outcome.problems]
    assert outcome.status == "rejected" and len(problems) == 3
    assert problems[0].startswith("who.csv, row 3, column A (email): stranger@x.uk is not recorded")
    assert problems[1] == "who.csv, row 4, column A (email): 'not-an-email' is not an email address"
    assert "listed twice (as on row 2)" in problems[2]
    assert not Invitation.objects.exists()
    assert AuditEvent.objects.filter(action="reject", object_id=str(survey.pk)).exists()


def test_an_unreachable_mail_server_leaves_invitations_to_send_again(
    course, personas, smtp_sink, settings
):
    survey = make_survey(course, personas["national"])
    settings.EMAIL_PORT = 1  # nothing listens there
    outcome = invite(survey, personas["national"], ["p0@x.uk", "p1@x.uk"])
    assert outcome.status == "accepted" and outcome.sent == 0 and outcome.not_sent == 2
    assert "could not be reached" in outcome.send_error
    assert Invitation.objects.filter(token_sha256__isnull=True).count() == 2
    settings.EMAIL_PORT = smtp_sink.port
    again = invite(survey, personas["national"], ["p0@x.uk", "p1@x.uk"])
    assert again.new == 0 and again.sent == 2 and len(smtp_sink.links()) == 2


def _closed_survey_with(course: Event, unit: Any, answers: list[tuple[int, int, str]]) -> Survey:
    survey = make_survey(course, unit)
    emails = [f"p{n}@x.uk" for n in range(len(answers))]
    invite(survey, unit, emails, connection=_Capture())
    questions = list(survey.questions.all())
    for token, values in zip(_Capture.tokens, answers, strict=True):
        link = parse_token(token)
        assert link is not None
        actions.do_submit_response(link, dict(zip([q.pk for q in questions], values, strict=True)))
    actions.do_close_survey(survey, actor=unit)
    return survey


class _Capture:
    """An email connection that keeps the links instead of sending them."""

    tokens: list[str] = []

    def open(self) -> None:
        _Capture.tokens = []

    def close(self) -> None:
        pass

    def send_messages(self, messages: list[Any]) -> int:
        for m in messages:
            _Capture.tokens.append(m.body.split("/training/survey/")[1].split("/")[0])
        return len(messages)


def test_results_are_withheld_while_open_and_under_five(course, personas):
    unit = personas["national"]
    survey = _closed_survey_with(course, unit, [(5, 1, "good")] * 4)
    page = client_for(unit).get(f"/training/surveys/{survey.pk}/").content.decode()
    assert "fewer than 5 people answered" in page and "good" not in page
    assert client_for(unit).get(f"/training/surveys/{survey.pk}/results.csv").status_code == 404
    other = make_event(unit, title="Other course")
    attend(make_session(other, unit), unit, [[f"o{n}@x.uk", "kent", "staff"] for n in range(6)])
    open_survey = make_survey(other, unit)
    invite(open_survey, unit, [f"o{n}@x.uk" for n in range(6)], connection=_Capture())
    for token in _Capture.tokens:
        link = parse_token(token)
        assert link is not None
        ids = [q.pk for q in open_survey.questions.all()]
        actions.do_submit_response(link, dict(zip(ids, [5, 1, ""], strict=True)))
    page = client_for(unit).get(f"/training/surveys/{open_survey.pk}/").content.decode()
    assert "Results appear when the survey closes" in page and "data-responses>6<" in page


def test_results_show_per_cent_agreeing_with_counts_comments_and_safe_downloads(course, personas):
    unit = personas["national"]
    answers = [
        (5, 1, '=HYPERLINK("http://x")'),
        (4, 1, "More cases"),
        (3, 0, ""),
        (2, 1, ""),
        (4, 0, "Brilliant"),
        (5, 1, ""),
    ]
    survey = _closed_survey_with(course, unit, answers)
    results = survey_results(survey)
    assert results.shown and results.responses == 6
    agree, again = results.questions
    assert (agree.answered, agree.agreeing, agree.percent) == (6, 4, 67)
    assert (again.answered, again.agreeing, again.percent) == (6, 4, 67)
    kent = client_for(personas["kent"])  # Kent attended: they read the results too
    page = kent.get(f"/training/surveys/{survey.pk}/").content.decode()
    assert "67%" in page and "Brilliant" in page and "survey-spec" in page
    assert page.index("Brilliant") < page.index("More cases")  # comments sorted, not by time
    assert "Invite attendees" not in page and "Close the survey" not in page
    body = kent.get(f"/training/surveys/{survey.pk}/results.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[1] == ["The course was useful", "Five-point agreement", "6", "4", "67", ""]
    assert ["What should change?", "Free text", "", "", "", '\'=HYPERLINK("http://x")'] in rows
    xlsx = kent.get(f"/training/surveys/{survey.pk}/results.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert '\'=HYPERLINK("http://x")' in values and 67 in values
    assert client_for(personas["partner"]).get(f"/training/surveys/{survey.pk}/").status_code == 404


def test_the_survey_page_costs_the_same_however_many_responses(course, personas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    unit = personas["national"]
    survey = _closed_survey_with(
        course, unit, [(5, 1, "a"), (4, 0, "b"), (1, 1, ""), (2, 1, ""), (3, 0, "c")]
    )
    client = client_for(unit)
    client.get(f"/training/surveys/{survey.pk}/")
    with CaptureQueriesContext(connection) as few:
        client.get(f"/training/surveys/{survey.pk}/")
    response = Response.objects.create(survey=survey)
    for q in survey.questions.all():
        Answer.objects.create(
            response=response,
            question=q,
            choice=None if q.kind == "text" else 1,
            text="d" if q.kind == "text" else "",
        )
    with CaptureQueriesContext(connection) as more:
        client.get(f"/training/surveys/{survey.pk}/")
    assert len(few) == len(more) <= 13


def test_only_the_organisers_make_invite_and_close(course, personas):
    survey = make_survey(course, personas["national"])
    for who in ("kent", "eastern"):
        client = client_for(personas[who])
        assert client.post(f"/training/surveys/{survey.pk}/close/").status_code == 403
        assert client.get(f"/training/surveys/{survey.pk}/invite/").status_code == 403
    with pytest.raises(Exception, match="already has a feedback survey"):
        make_survey(course, personas["national"])


def test_check_deploy_requires_an_smtp_host_and_a_from_address(tmp_path):
    from tests.security.test_deploy_check import run_check

    proc = run_check(tmp_path, MSOIC_EMAIL_HOST="", MSOIC_EMAIL_FROM="")
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "msoic.E402" in out
    assert "MSOIC_EMAIL_HOST is not set" in out and "MSOIC_EMAIL_FROM is" in out


@pytest.mark.parametrize(
    ("starttls", "ssl", "errors"),
    [
        (True, False, []),
        (False, True, []),
        (False, False, ["msoic.E403"]),
        (True, True, ["msoic.E403"]),
    ],
)
def test_check_deploy_refuses_email_without_tls(settings, starttls, ssl, errors):
    from msoic.capability.checks import email_configured_in_deployment

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "smtp.example.police.uk"
    settings.DEFAULT_FROM_EMAIL = "insight@example.police.uk"
    settings.EMAIL_USE_TLS, settings.EMAIL_USE_SSL = starttls, ssl
    assert [e.id for e in email_configured_in_deployment()] == errors


def test_the_audit_log_names_the_survey_for_those_who_see_it(course, personas):
    from msoic.audit.names import name_events

    make_survey(course, personas["national"])
    rows = list(AuditEvent.objects.filter(object_type="capability.survey"))
    assert rows

    def labels(viewer: Any) -> set[str]:
        return {r.obj.label for r in name_events(viewer, rows) if r.obj is not None}

    assert labels(personas["national"]) == {"Feedback survey of “Investigators' course”"}
    assert labels(personas["kent"]) == {"Feedback survey of “Investigators' course”"}
    assert labels(personas["partner"]) == set()
