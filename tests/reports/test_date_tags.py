"""Date tags: ``[[date SOURCE ...]]`` answered by the registry of dated facts
(msoic.metrics.dates), printed as the template asks, their qualifiers checked, with the same
provenance as figures, and every bad tag refused with its line."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from msoic.metrics import dates
from msoic.metrics.dates import DatedFact, DateError
from msoic.metrics.periods import Period
from msoic.reports import actions, qualifiers, render
from msoic.reports.resolve import PUBLICATION, build
from msoic.reports.tags import TemplateError, parse_tag, parse_template
from tests.reports.conftest import publish, small_world

FY = Period.parse("FY2023-24")


@dataclass
class Launches:
    """A date source of the test's own: the launch of a named thing, at a precision."""

    name: str = "test_launch"
    label: str = "test launches"
    options: Mapping[str, str] = field(
        default_factory=lambda: {"thing": "what was launched", "period": "a financial year"}
    )
    days: dict[str, date] = field(default_factory=dict)
    precision: str = "day"
    asked: list[dict[str, str]] = field(default_factory=list)

    def fact(self, options: Mapping[str, str]) -> DatedFact:
        self.asked.append(dict(options))
        thing = options.get("thing", "")
        if thing not in self.days:
            raise DateError(f"thing={thing!r} was never launched")
        on = dates.span(self.days[thing], self.precision)[0]
        return DatedFact(on, self.precision, f"Launch of {thing}", 3, "/capability/")


@pytest.fixture
def launches() -> Iterator[Launches]:
    source = Launches(days={"hashtag": date(2023, 8, 14), "plan": date(2025, 3, 31)})
    dates.register(source)
    yield source
    dates.unregister(source)


# --- the registry ---------------------------------------------------------------------------


def test_the_registry_refuses_what_is_no_date_source_and_a_name_taken_twice(
    launches: Launches,
) -> None:
    with pytest.raises(dates.DateSourceError, match="does not implement"):
        dates.register(object())  # type: ignore[arg-type]
    dates.register(launches)  # the same object again: nothing happens
    with pytest.raises(dates.DateSourceError, match="'test_launch' is test launches's"):
        dates.register(Launches(label="other launches"))
    assert launches in dates.date_sources()


def test_the_apps_register_their_dates() -> None:
    names = {s.name for s in dates.date_sources()}
    assert {
        "intel_hashtag_first_log",
        "event_held",
        "peer_reviews_all_forces",
        "tasking_issued",
        "allocations_end",
    } <= names


def test_an_unknown_date_or_option_is_named(launches: Launches) -> None:
    with pytest.raises(DateError, match=r"unknown date 'test_lunch' \(known: .*test_launch"):
        dates.fact("test_lunch", {})
    with pytest.raises(DateError, match=r"unknown option 'colour' \(allowed: period, thing\)"):
        dates.fact("test_launch", {"thing": "hashtag", "colour": "red"})
    assert launches.asked == []  # refused before the source is asked


@pytest.mark.parametrize(
    ("on", "precision", "first", "last"),
    [
        (date(2024, 2, 10), "day", date(2024, 2, 10), date(2024, 2, 10)),
        (date(2024, 2, 10), "month", date(2024, 2, 1), date(2024, 2, 29)),
        (date(2024, 2, 10), "quarter", date(2024, 1, 1), date(2024, 3, 31)),
        (date(2024, 2, 10), "financial-year", date(2023, 4, 1), date(2024, 3, 31)),
        (date(2024, 2, 10), "year", date(2024, 1, 1), date(2024, 12, 31)),
    ],
)
def test_a_precision_spans_its_period(on: date, precision: str, first: date, last: date) -> None:
    assert dates.span(on, precision) == (first, last)


def test_a_fact_is_the_first_day_of_its_period_and_shown_no_finer() -> None:
    with pytest.raises(ValueError, match="not the first day of its month"):
        DatedFact(date(2023, 8, 14), "month", "x", 1)
    assert dates.can_show("month", "quarter") and dates.can_show("day", "year")
    assert not dates.can_show("month", "day") and not dates.can_show("year", "financial-year")


# --- printing and qualifiers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "show", "text"),
    [
        (date(2025, 3, 31), "day", "31 March 2025"),
        (date(2023, 8, 1), "month", "August 2023"),
        (date(2023, 4, 1), "quarter", "Q1 of 2023/24"),
        (date(2024, 1, 1), "quarter", "Q4 of 2023/24"),
        (date(2023, 4, 1), "financial-year", "2023/24"),
        (date(2015, 1, 1), "year", "2015"),
    ],
)
def test_a_date_prints_as_the_template_asks(on: date, show: str, text: str) -> None:
    assert qualifiers.date_text(on, show) == text


@pytest.mark.parametrize(
    ("qualifier", "value", "say", "show", "holds"),
    [
        ("by-end-of", date(2024, 9, 30), "2024-09", "month", True),
        ("by-end-of", date(2024, 10, 1), "2024-09", "month", False),
        ("by-end-of", date(2024, 9, 30), "FY2024-25-Q2", "quarter", True),
        ("by", date(2024, 3, 31), "2024-03-31", "day", True),
        ("by", date(2024, 4, 1), "2024-03-31", "day", False),
        ("before", date(2015, 12, 31), "2016", "year", True),
        ("before", date(2016, 1, 1), "2016", "year", False),
        ("after", date(2023, 4, 1), "FY2022-23", "financial-year", True),
        ("after", date(2023, 3, 31), "FY2022-23", "financial-year", False),
    ],
)
def test_a_date_qualifier_is_checked_against_the_date(
    qualifier: str, value: date, say: str, show: str, holds: bool
) -> None:
    stated = qualifiers.said_date(say, show)
    assert qualifiers.date_holds(qualifier, value, stated, show) is holds


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("date", "names no date"),
        ("date test_launch show=week", "show='week' is not one of day, month"),
        ("date test_launch q=soon say=2024-09", "unknown date qualifier q='soon'"),
        ("date test_launch say=2024-09", "say= states a date for a qualifier: add q="),
        ("date test_launch q=by say=Sept", "say='Sept' is not a date written like"),
        ("date test_launch q=by say=2024-09 show=day", "is a month, but show=day"),
        ("date test_launch q=by say=2024-13", "say='2024-13' is not a date"),
        ("date test_launch q=by-end-of say=2024-09-30", "q=by-end-of needs show=month"),
        ("date test_launch id=Bad", "id='Bad'"),
    ],
)
def test_a_bad_date_tag_is_refused_with_its_line(body: str, message: str) -> None:
    with pytest.raises(TemplateError) as caught:
        parse_tag(body, 7)
    assert any(p.startswith("line 7: ") and message in p for p in caught.value.problems), (
        caught.value.problems
    )


# --- building -------------------------------------------------------------------------------

TEXT = """title: Dates
# When
The hashtag came in [[date test_launch thing=hashtag show=month id=launch]], the plan ends on
[[date test_launch thing=plan id=plan-end label="The plan's end"]], and everything was due by the
[[date test_launch thing=hashtag q=by-end-of say=2023-07 id=due]].
"""


@pytest.mark.django_db
def test_a_date_tag_is_stated_with_its_provenance_and_its_qualifier_checked(
    launches: Launches,
) -> None:
    built = build(parse_template(TEXT), FY)
    assert built.errors == []
    launch, end, due = (built.figures[i] for i in ("launch", "plan-end", "due"))
    assert (launch["text"], launch["value"], launch["unit"]) == (
        "August 2023",
        "2023-08-14",
        "date",
    )
    assert (end["text"], end["label"], end["show"]) == ("31 March 2025", "The plan's end", "day")
    assert due["text"] == "end of July 2023" and due["qualifier_holds"] is False
    assert launch["qualifier_holds"] is None
    assert built.warnings == [
        "line 5: [[date test_launch thing=hashtag q=by-end-of say=2023-07 id=due]]: "
        '"end of July 2023" no longer holds: the date is 14 August 2023'
    ]
    p = launch["provenance"]
    assert p["query"] == "msoic query date test_launch thing=hashtag"
    assert (p["records"], p["as_at"], launch["link"]) == (3, built.built_at, "/capability/")

    html = render.render(built, "html").decode()
    assert '<a class="govuk-link report-figure" href="/capability/" id="fig-launch"' in html
    assert "3 records" in html
    figures = {f["id"]: f for f in json.loads(render.render(built, "json"))["figures"]}
    assert figures["plan-end"]["value"] == "2025-03-31" and figures["plan-end"]["unit"] == "date"
    render.render(built, "xlsx")
    render.render(built, "docx")


@pytest.mark.django_db
def test_a_period_option_is_the_reports_period_resolved(launches: Launches) -> None:
    text = "# When\n[[date test_launch thing=hashtag period=FY-1 id=x]]\n"
    built = build(parse_template(text), FY)
    assert built.errors == [] and launches.asked == [{"thing": "hashtag", "period": "FY2022-23"}]
    query = built.figures["x"]["provenance"]["query"]
    assert query == "msoic query date test_launch thing=hashtag period=FY2022-23"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("tag", "message"),
    [
        ("[[date test_lunch]]", "unknown date 'test_lunch'"),
        ("[[date test_launch thing=hashtag colour=red]]", "unknown option 'colour'"),
        ("[[date test_launch thing=rocket]]", "thing='rocket' was never launched"),
        ("[[date test_launch thing=hashtag period=FY2023]]", "FY2023"),
    ],
)
def test_an_unknown_date_or_bad_option_stops_the_build_naming_the_tag_and_line(
    launches: Launches, tag: str, message: str
) -> None:
    built = build(parse_template(f"# When\n\nText.\n{tag}\n"), FY)
    assert len(built.errors) == 1
    assert built.errors[0].startswith(f"line 4: {tag}: ") and message in built.errors[0]


@pytest.mark.django_db
def test_a_date_is_shown_no_finer_than_the_records_know_it(launches: Launches) -> None:
    launches.precision = "month"
    built = build(parse_template("# When\n[[date test_launch thing=hashtag show=day]]\n"), FY)
    assert built.errors == [
        "line 2: [[date test_launch thing=hashtag show=day]]: show=day asks for more than "
        "the records give: test_launch is known to the month"
    ]
    built = build(parse_template("# When\n[[date test_launch thing=hashtag id=m]]\n"), FY)
    assert built.figures["m"]["text"] == "August 2023"


@pytest.mark.django_db
def test_a_published_date_stays_and_a_later_correction_is_listed(
    launches: Launches, personas: dict[str, Any]
) -> None:
    national = personas["national"]
    text = (
        "title: Small\n# When\nLaunched [[date test_launch thing=hashtag show=month id=launch]].\n"
    )
    _, edition = small_world(national, text)
    edition = publish(edition, national)
    snapshot = actions.published(edition)
    assert snapshot.mode == PUBLICATION and snapshot.figures["launch"]["text"] == "August 2023"
    launches.days["hashtag"] = date(2023, 9, 2)  # a correction to the records
    changed = actions.changes_since_publication(edition)
    assert [(c["id"], c["published_value"], c["now_value"]) for c in changed] == [
        ("launch", "2023-08-14", "2023-09-02")
    ]
    assert actions.published(edition).figures["launch"]["text"] == "August 2023"


# --- msoic query date -----------------------------------------------------------------------


@pytest.mark.django_db
def test_msoic_query_answers_a_date(launches: Launches) -> None:
    out = io.StringIO()
    call_command("query", "date", "test_launch", "thing=plan", stdout=out)
    data = json.loads(out.getvalue())
    assert {k: data[k] for k in ("source", "options", "value", "precision", "records")} == {
        "source": "test_launch",
        "options": {"thing": "plan"},
        "value": "2025-03-31",
        "precision": "day",
        "records": 3,
    }
    out = io.StringIO()
    call_command("query", "date", "test_launch", "thing=plan", "--format", "csv", stdout=out)
    assert out.getvalue().splitlines()[1].startswith("test_launch,2025-03-31,day,Launch of plan,3,")
    with pytest.raises(CommandError, match="thing='rocket' was never launched"):
        call_command("query", "date", "test_launch", "thing=rocket")
    with pytest.raises(CommandError, match="'thing' is not key=value"):
        call_command("query", "date", "test_launch", "thing")
    with pytest.raises(CommandError, match="--period is required"):
        call_command("query", "ms_arrests")
