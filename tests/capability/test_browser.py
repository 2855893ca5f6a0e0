"""A feedback survey in a real browser, from making it to its results: the unit opens
Training and events from the navigation, makes the event's survey, invites the attendees
from a contact list (the invitations go through a real SMTP server), an attendee answers
through the link in their email without signing in, and once the survey is closed the unit
reads the results with the chart drawn. axe-core finds no WCAG 2.2 AA violation on any
page, and no console error or CSP violation happens."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlparse

import pytest

from msoic.capability.survey import actions
from msoic.capability.survey.links import parse_token
from tests.browser.helpers import check_page, log_in, wait_for_charts
from tests.capability.conftest import attend, make_event, make_session
from tests.conftest import PERSONA_PASSWORD, csv_bytes

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_unit_runs_a_survey_from_invitation_to_results(
    live_server: Any, watched: Any, personas: dict[str, Any], smtp_sink: Any, tmp_path: Any
) -> None:
    unit = personas["national"]
    event = make_event(unit, title="Intelligence workshop", kind="workshop")
    emails = [f"delegate{n}@kent.example" for n in range(6)]
    attend(
        make_session(event, unit, date(2023, 11, 15)),
        unit,
        [[e, "kent", "officer"] for e in emails],
    )
    contacts = tmp_path / "contacts.csv"
    contacts.write_bytes(csv_bytes([[e] for e in emails], ["email"]))

    page, url = watched.page, live_server.url
    log_in(page, url, unit.username, PERSONA_PASSWORD)
    page.get_by_role("link", name="Training and events", exact=True).click()
    page.get_by_role("link", name="Intelligence workshop").click()
    page.get_by_role("link", name="Make a feedback survey").click()
    check_page(page, url, watched)
    page.get_by_label("Statements to agree or disagree with").fill(
        "The workshop was useful\nThe examples fitted my work"
    )
    page.get_by_label("Questions answered in words").fill("What should we change?")
    page.get_by_role("button", name="Make the survey").click()
    page.get_by_text("Survey made and open").wait_for()
    check_page(page, url, watched)

    page.get_by_role("link", name="Invite attendees").click()
    page.get_by_label("Attendees' contact list").set_input_files(str(contacts))
    page.get_by_role("button", name="Send invitations").click()
    page.get_by_text(
        "contacts.csv: 6 people invited (0 already were); 6 invitations sent"
    ).wait_for()
    check_page(page, url, watched)
    links = smtp_sink.links()
    assert sorted(m["To"] for m in smtp_sink.messages) == sorted(emails) and len(links) == 6

    # Five delegates answer (outside the browser); the sixth opens their email's link.
    survey = event.survey
    questions = list(survey.questions.all())
    useful, fitted = [5, 4, 3, 5, 4], [4, 4, 2, 2, 4]  # 4 and 3 of the five agree
    for link, first, second in zip(links[1:], useful, fitted, strict=True):
        parsed = parse_token(urlparse(link).path.split("/")[-2])
        assert parsed is not None
        answers = dict(zip([q.pk for q in questions], [first, second, ""], strict=True))
        actions.do_submit_response(parsed, answers)
    page.get_by_role("button", name="Log out").click()
    page.goto(url + urlparse(links[0]).path)
    page.get_by_role("heading", name="Intelligence workshop").wait_for()
    check_page(page, url, watched)
    page.get_by_role("group", name="1. The workshop was useful").get_by_label(
        "Strongly agree"
    ).check()
    page.get_by_role("group", name="2. The examples fitted my work").get_by_label(
        "Disagree", exact=True
    ).check()
    page.get_by_label("3. What should we change?").fill("More time for questions")
    page.get_by_role("button", name="Send my answers").click()
    page.get_by_text("Your feedback on Intelligence workshop has been recorded").wait_for()
    check_page(page, url, watched)

    log_in(page, url, unit.username, PERSONA_PASSWORD)
    page.goto(f"{url}/training/surveys/{survey.pk}/")
    page.get_by_text("Results appear when the survey closes").wait_for()
    page.get_by_role("button", name="Close the survey").click()
    page.get_by_text("the contact details of 6 people were erased").wait_for()
    assert wait_for_charts(page) == 1
    check_page(page, url, watched)
    shown = [page.locator(f"tr[data-question='{n}'] [data-percent]").text_content() for n in (1, 2)]
    assert shown == ["83%", "50%"]  # 5 of 6 with the browser's "strongly agree"; 3 of 6
    page.get_by_text("More time for questions").wait_for()
