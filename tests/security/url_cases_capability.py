"""Access cases for training and events (msoic.capability), for every persona.

The unit runs a course with a session attended from Kent and Cleveland; the Eastern region
runs a meeting attended from Essex. The unit sees and manages both; the Eastern
coordinator manages their region's and sees the unit's course too (Kent, of their region,
attended it); Kent sees the course, Essex the meeting, Cleveland the course; partners and
administrators see no training page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from msoic.capability.models import Event
from tests.capability.conftest import attend, attendance_csv, make_event, make_session
from tests.security.test_url_access import PERSONAS, Case, World

SEES_EVENT = {
    "unit": {"national", "eastern", "kent", "cleveland"},
    "eastern": {"national", "eastern", "essex"},
}
MANAGES = {"unit": {"national"}, "eastern": {"national", "eastern"}}


def _events(w: World) -> dict[str, Event]:
    cached = getattr(w, "training_events", None)
    if cached is None:
        unit = w.users["national"]
        course = make_event(unit, title="Investigators' course")
        attend(
            make_session(course, unit, date(2023, 6, 14)),
            unit,
            [["a@x.uk", "kent", "officer"], ["b@x.uk", "cleveland", "staff"]],
        )
        meeting = make_event(
            unit, owner="eastern", title="ERSAP meeting", kind="partnership_meeting"
        )
        attend(make_session(meeting, unit, date(2023, 6, 20)), unit, [["c@x.uk", "essex", "staff"]])
        cached = {"unit": course, "eastern": meeting}
        w.training_events = cached  # type: ignore[attr-defined]
    return cached  # type: ignore[no-any-return]


def _expect(p: str, which: str, ok: set[int]) -> set[int]:
    if p in MANAGES[which]:
        return ok
    return {403} if p in SEES_EVENT[which] else {404}


def listing(w: World) -> list[Case]:
    _events(w)
    readers = {"kent", "essex", "cleveland", "eastern", "national"}
    return [Case(p, "/training/", {200} if p in readers else {403}) for p in PERSONAS]


def detail(w: World) -> list[Case]:
    events = _events(w)
    return [
        Case(p, f"/training/{e.pk}/", {200} if p in SEES_EVENT[which] else {404})
        for p in PERSONAS
        for which, e in events.items()
    ]


def session_new(w: World) -> list[Case]:
    events = _events(w)
    data = {"on": "2023-07-01", "mode": "online", "delivered_by": "unit"}
    cases = []
    for p in PERSONAS:
        for which, e in events.items():
            url = f"/training/{e.pk}/sessions/new/"
            cases.append(Case(p, url, _expect(p, which, {200})))
            cases.append(Case(p, url, _expect(p, which, {302}), method="post", data=data))
    return cases


def attendance_import(w: World) -> list[Case]:
    events = _events(w)
    cases = []
    for p in PERSONAS:
        for which, e in events.items():
            session = e.sessions.get()
            url = f"/training/sessions/{session.pk}/attendance/"
            cases.append(Case(p, url, _expect(p, which, {200})))
            upload: dict[str, Any] = {
                "attendance_file": _file(attendance_csv([["z@x.uk", "essex", "staff"]]))
            }
            cases.append(Case(p, url, _expect(p, which, {302}), method="post", data=upload))
    return cases


def _file(data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("list.csv", data, content_type="text/csv")


CASES: dict[str, Callable[[World], list[Case]]] = {
    "capability-event": detail,
    "capability-session-new": session_new,
    "capability-import": attendance_import,
    "capability-list": listing,
}


# --- feedback surveys ----------------------------------------------------------------------
#
# The unit's conference (attended from Kent and Cleveland, so seen as the unit's course is)
# has a closed survey with six responses; the Eastern meeting has an open survey with the
# Essex attendee invited. Surveys are seen by whoever sees their event and managed by its
# organisers; an attendee's link answers for anyone holding it, signed in or not.


class _Links:
    """An email connection that keeps the survey links instead of sending them."""

    def __init__(self) -> None:
        self.tokens: list[str] = []

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    def send_messages(self, messages: list[Any]) -> int:
        for m in messages:
            self.tokens.append(m.body.split("/training/survey/")[1].split("/")[0])
        return len(messages)


def _surveys(w: World) -> dict[str, Any]:
    cached = getattr(w, "training_surveys", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    from msoic.capability.survey import actions
    from msoic.capability.survey.links import parse_token
    from tests.conftest import csv_bytes

    events = _events(w)
    unit = w.users["national"]
    conference = make_event(unit, title="Conference", kind="conference")
    people = [[f"k{n}@x.uk", "kent", "officer"] for n in range(5)] + [
        ["c9@x.uk", "cleveland", "staff"]
    ]
    attend(make_session(conference, unit, date(2023, 9, 1)), unit, people)
    closed = actions.do_create_survey(
        conference, actor=unit, questions=[("agreement", "Useful"), ("text", "Comments")]
    )
    links = _Links()
    emails = csv_bytes([[p[0]] for p in people], ["email"])
    actions.do_invite_attendees(
        closed, "c.csv", emails, actor=unit, base_url="http://testserver/", connection=links
    )
    questions = list(closed.questions.all())
    for token in links.tokens:
        link = parse_token(token)
        assert link is not None
        actions.do_submit_response(link, {questions[0].pk: 4, questions[1].pk: "Fine"})
    actions.do_close_survey(closed, actor=unit)
    open_survey = actions.do_create_survey(
        events["eastern"], actor=unit, questions=[("yes_no", "Was it worth it?")]
    )
    invited = _Links()
    actions.do_invite_attendees(
        open_survey,
        "m.csv",
        csv_bytes([["c@x.uk"]], ["email"]),
        actor=unit,
        base_url="http://testserver/",
        connection=invited,
    )
    cached = {"unit": closed, "eastern": open_survey, "token": invited.tokens[0]}
    w.training_surveys = cached  # type: ignore[attr-defined]
    return cached


def survey_new(w: World) -> list[Case]:
    events = _events(w)
    _surveys(w)  # the meeting has its survey (a manager is sent to it), the course none
    data = {"agreement": "It was useful", "yes_no": "", "free_text": ""}
    cases = []
    for p in PERSONAS:
        for which, e in events.items():
            url = f"/training/{e.pk}/survey/new/"
            cases.append(Case(p, url, _expect(p, which, {200, 302})))
            cases.append(Case(p, url, _expect(p, which, {302}), method="post", data=data))
    return cases


def survey_detail(w: World) -> list[Case]:
    surveys = _surveys(w)
    return [
        Case(
            p, f"/training/surveys/{surveys[which].pk}/", {200} if p in SEES_EVENT[which] else {404}
        )
        for p in PERSONAS
        for which in ("unit", "eastern")
    ]


def survey_download(w: World) -> list[Case]:
    surveys = _surveys(w)
    cases = []
    for p in PERSONAS:
        for fmt in ("csv", "xlsx"):
            closed = f"/training/surveys/{surveys['unit'].pk}/results.{fmt}"
            cases.append(Case(p, closed, {200} if p in SEES_EVENT["unit"] else {404}))
            # an open survey has no results to download yet, for anyone
            cases.append(Case(p, f"/training/surveys/{surveys['eastern'].pk}/results.{fmt}", {404}))
    return cases


def survey_invite(w: World) -> list[Case]:
    surveys = _surveys(w)
    cases = []
    for p in PERSONAS:
        for which in ("unit", "eastern"):
            url = f"/training/surveys/{surveys[which].pk}/invite/"
            cases.append(Case(p, url, _expect(p, which, {200})))
        url = f"/training/surveys/{surveys['eastern'].pk}/invite/"
        upload = {"contact_file": _file(b"email\nc@x.uk\n")}
        cases.append(Case(p, url, _expect(p, "eastern", {302}), method="post", data=upload))
    return cases


def survey_close(w: World) -> list[Case]:
    surveys = _surveys(w)
    return [
        Case(
            p,
            f"/training/surveys/{surveys[which].pk}/close/",
            _expect(p, which, {302}),
            method="post",
        )
        for p in PERSONAS
        for which in ("unit", "eastern")
    ]


def survey_respond(w: World) -> list[Case]:
    token = _surveys(w)["token"]
    tampered = token[:-2] + ("00" if not token.endswith("00") else "11")
    return [
        case
        for p in PERSONAS
        for case in (
            Case(p, f"/training/survey/{token}/", {200}, note="the link is the credential"),
            Case(p, f"/training/survey/{tampered}/", {404}),
        )
    ]


CASES.update(
    {
        "capability-survey-new": survey_new,
        "capability-survey": survey_detail,
        "capability-survey-download": survey_download,
        "capability-survey-invite": survey_invite,
        "capability-survey-close": survey_close,
        "capability-survey-respond": survey_respond,
    }
)
