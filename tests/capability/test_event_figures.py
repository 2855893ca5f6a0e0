"""Figures by event and feedback surveys through the metric engine: the ``training_event``
and ``survey_question`` breakdowns (options from the records), attendees of each event, and
survey results as metrics (``survey_percent_agree``, a ratio of the catalogue), with small
surveys withheld by disclosure control."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from msoic.capability.models import Event
from msoic.capability.survey import actions
from msoic.capability.survey.links import parse_token
from msoic.metrics import engine
from msoic.metrics.engine import Ask
from msoic.metrics.periods import Period
from msoic.orgunits.models import OrgUnit
from msoic.reports.resolve import build
from msoic.reports.tags import parse_template as parse
from tests.capability.conftest import attend, make_event, make_session

pytestmark = pytest.mark.django_db

FY = "FY2023-24"


def ou(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


def rows(metric: str, code: str, by: str, period: str = FY) -> dict[str, int | None]:
    result = engine.query(metric, ou(code), period, by=by)
    return {r.key: r.value for r in result.rows}


@pytest.fixture
def events(personas: dict[str, Any]) -> dict[str, Event]:
    """Workshops (national): Ann and Bo (Kent) in June, Ann again and Cy (Essex) in July, Di
    (NCA, a partner) in June. A course (Eastern region) in August: Ann and Cy."""
    unit = personas["national"]
    workshops = make_event(unit, title="NRP workshops", kind="workshop")
    june, july = (
        make_session(workshops, unit, date(2023, 6, 7)),
        make_session(workshops, unit, date(2023, 7, 5)),
    )
    attend(
        june,
        unit,
        [["ann@x.uk", "kent", "officer"], ["bo@x.uk", "kent", "staff"]]
        + [["di@x.uk", "nca", "partner"]],
    )
    attend(july, unit, [["ann@x.uk", "kent", "officer"], ["cy@x.uk", "essex", "officer"]])
    course = make_event(unit, owner="eastern", title="First responder course")
    attend(
        make_session(course, unit, date(2023, 8, 9)),
        unit,
        [["ann@x.uk", "kent", "officer"], ["cy@x.uk", "essex", "officer"]],
    )
    return {"workshops": workshops, "course": course}


def test_an_event_has_a_stable_code_made_from_its_title_or_given(personas, events):
    unit = personas["national"]
    assert events["workshops"].code == "nrp-workshops"
    again = make_event(unit, title="NRP workshops", kind="workshop")
    assert again.code == "nrp-workshops-2"
    given = actions_create(unit, "Intelligence conference", code="intel-conf-2023")
    assert given.code == "intel-conf-2023"
    with pytest.raises(ValidationError, match="already recorded"):
        actions_create(unit, "Another", code="intel-conf-2023")
    with pytest.raises(ValidationError, match="lower-case letters"):
        actions_create(unit, "Another", code="Intel Conf")


def actions_create(unit: Any, title: str, code: str) -> Event:
    from msoic.capability.actions import do_create_event

    return do_create_event(ou("national"), actor=unit, kind="conference", title=title, code=code)


def test_attendances_and_attendees_by_event(events):
    # Attendances: every person at every session, forces only.
    assert rows("training_attendances", "national", "training_event") == {
        "nrp-workshops": 4,
        "first-responder-course": 2,
    }
    # Attendees: each person once per event (Ann at two workshops is one attendee).
    assert rows("training_event_attendees", "national", "training_event") == {
        "nrp-workshops": 3,
        "first-responder-course": 2,
    }
    assert engine.query("training_event_attendees", ou("national"), FY).value == 5
    # By force: Kent's people at the workshops (Ann, Bo), Essex's (Cy).
    assert rows("training_event_attendees", "kent", "training_event") == {
        "nrp-workshops": 2,
        "first-responder-course": 1,
    }
    assert rows("training_event_attendees", "essex", "training_event")["nrp-workshops"] == 1
    # A month lists only the events held in it, and counts who was first there then.
    assert rows("training_event_attendees", "national", "training_event", "2023-07") == {
        "nrp-workshops": 1  # Cy; Ann was first at the workshops in June
    }
    # The year before: no events, no rows.
    assert rows("training_event_attendees", "national", "training_event", "FY2022-23") == {}


def test_query_many_and_series_agree_with_query(events):
    nation = ou("national")
    ask = Ask("training_event_attendees", Period.parse(FY), by="training_event")
    many = engine.query_many(nation, [ask]).query(ask)
    assert {r.key: r.value for r in many.rows} == rows(
        "training_event_attendees", "national", "training_event"
    )
    points = engine.series(
        "training_attendances", nation, date(2023, 6, 1), date(2023, 8, 1), by="training_event"
    )
    by_month = {(p.month, p.option): p.value for p in points if p.value}
    assert by_month == {
        (date(2023, 6, 1), "nrp-workshops"): 2,
        (date(2023, 7, 1), "nrp-workshops"): 2,
        (date(2023, 8, 1), "first-responder-course"): 2,
    }


def _closed_survey(event: Event, unit: Any, answers: list[tuple[int, int]]) -> Any:
    """A survey of ``event`` with an agreement statement and a yes/no question, one response
    per pair of answers, closed."""
    survey = actions.do_create_survey(
        event,
        actor=unit,
        questions=[
            ("agreement", "The workshop was useful"),
            ("yes_no", "Would you come again?"),
            ("text", "Anything else?"),
        ],
    )
    emails = [f"s{n}@x.uk" for n in range(len(answers))]
    session = event.sessions.first()
    assert session is not None
    attend(session, unit, [[e, "kent", "officer"] for e in emails], name="more.csv")
    tokens: list[str] = []

    class Capture:
        def open(self) -> None:
            pass

        def close(self) -> None:
            pass

        def send_messages(self, messages: list[Any]) -> int:
            tokens.extend(m.body.split("/training/survey/")[1].split("/")[0] for m in messages)
            return len(messages)

    actions.do_invite_attendees(
        survey,
        "contacts.csv",
        ("email\n" + "\n".join(emails) + "\n").encode(),
        actor=unit,
        base_url="http://testserver/",
        connection=Capture(),
    )
    questions = list(survey.questions.order_by("position"))
    for token, (agree, yes) in zip(tokens, answers, strict=True):
        link = parse_token(token)
        assert link is not None
        actions.do_submit_response(
            link, {questions[0].pk: agree, questions[1].pk: yes, questions[2].pk: ""}
        )
    actions.do_close_survey(survey, actor=unit)
    return survey


def test_survey_results_are_metrics_by_question(personas, events):
    unit = personas["national"]
    # 8 responses: 6 agree (5 or 4) of 8 = 75%; 3 yes of 8 = 38% (37.5 rounded half up).
    answers = [(5, 1), (4, 1), (5, 1), (4, 0), (5, 0), (4, 0), (3, 0), (1, 0)]
    _closed_survey(events["workshops"], unit, answers)
    assert rows("survey_percent_agree", "national", "survey_question") == {
        "nrp-workshops.q1": 75,
        "nrp-workshops.q2": 38,
    }
    assert rows("survey_answered", "national", "survey_question") == {
        "nrp-workshops.q1": 8,
        "nrp-workshops.q2": 8,
    }
    assert rows("survey_agreeing", "national", "survey_question") == {
        "nrp-workshops.q1": 6,
        "nrp-workshops.q2": 3,
    }
    assert rows("survey_responses", "national", "training_event") == {
        "nrp-workshops": 8,
        "first-responder-course": None,  # held, but no survey
    }
    # The total: 9 agreeing of 16 answers.
    assert engine.query("survey_percent_agree", ou("national"), FY).value == 56
    # The unit's figures: no force's, nor a region's (the workshops are the unit's).
    assert engine.query("survey_responses", ou("kent"), FY).value == 0
    assert rows("survey_percent_agree", "eastern", "survey_question") == {
        "nrp-workshops.q1": None,
        "nrp-workshops.q2": None,
    }
    # Counted in the month of the event's last session (July), whenever it closed.
    assert engine.query("survey_responses", ou("national"), "2023-07").value == 8
    assert engine.query("survey_responses", ou("national"), "2023-06").value == 0
    # query_many, as the report asks, gives the same.
    ask = Ask("survey_percent_agree", Period.parse(FY), by="survey_question")
    many = engine.query_many(ou("national"), [ask]).query(ask)
    assert [(r.key, r.value) for r in many.rows] == [
        ("nrp-workshops.q1", 75),
        ("nrp-workshops.q2", 38),
    ]
    assert many.value == 56


def test_a_survey_with_fewer_than_5_responses_is_withheld_everywhere(personas, events):
    unit = personas["national"]
    _closed_survey(events["course"], unit, [(5, 1), (5, 1), (4, 1), (1, 0)])
    assert rows("survey_percent_agree", "national", "survey_question") == {
        "first-responder-course.q1": None,
        "first-responder-course.q2": None,
    }
    # In no total either: nothing to read off by subtraction.
    for metric in ("survey_responses", "survey_answered", "survey_agreeing"):
        assert engine.query(metric, ou("national"), FY).value == 0, metric
    assert engine.query("survey_percent_agree", ou("national"), FY).value is None


def test_an_open_survey_gives_no_figure(personas, events):
    unit = personas["national"]
    actions.do_create_survey(events["workshops"], actor=unit, questions=[("agreement", "Useful")])
    assert rows("survey_percent_agree", "national", "survey_question") == {}
    assert engine.query("survey_responses", ou("national"), FY).value == 0


def test_msoic_query_answers_a_survey_question(personas, events):
    _closed_survey(events["workshops"], personas["national"], [(5, 1)] * 5 + [(2, 0)] * 2)
    out = io.StringIO()
    call_command(
        "query",
        "survey_percent_agree",
        "--orgunit",
        "national",
        "--period",
        FY,
        "--by",
        "survey_question",
        stdout=out,
    )
    text = out.getvalue()
    assert "nrp-workshops.q1" in text and "71" in text  # 5 of 7


def test_a_report_tag_names_an_event_and_an_unknown_code_is_an_error(personas, events):
    _closed_survey(events["workshops"], personas["national"], [(5, 1)] * 6)
    text = (
        "title: Test\n\n"
        "Workshops: [[training_event_attendees by=training_event option=nrp-workshops "
        "id=w]]; agreeing [[survey_percent_agree by=survey_question "
        "option=nrp-workshops.q1 id=a]].\n\n"
        "Bad: [[training_event_attendees by=training_event option=no-such-event id=b]].\n"
    )
    built = build(parse(text), Period.parse(FY))
    assert built.figures["w"]["value"] == 9 and built.figures["w"]["text"] == "9"
    assert built.figures["a"]["value"] == 100 and built.figures["a"]["text"] == "100%"
    assert len(built.errors) == 1
    assert "'no-such-event' is not an option of training_event" in built.errors[0]
    assert "nrp-workshops" in built.errors[0]
