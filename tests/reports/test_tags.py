"""Reading templates: the tag syntax, bad tags with their lines, and the qualifier rules."""

from __future__ import annotations

from decimal import Decimal

import pytest

from msoic.reports.qualifiers import holds, printed, round_to
from msoic.reports.tags import TemplateError, parse_tag, parse_template


def test_a_template_reads_into_headings_paragraphs_lists_tiles_grids_and_charts() -> None:
    source = "\n".join(
        [
            "title: Annual report",
            "# At a glance",
            "+ [[training_people_trained]] people trained",
            "+ [[oic_disruptions id=d]] disruptions",
            "",
            "Some text with [[ms_recorded_crimes period=R12-2024-02 show=change round=1]]",
            "running on to a second line.",
            "// a note for editors, never printed [[not a tag",
            "- first point",
            "- second with [[terminus_lorry_stops]]",
            "|: Caption",
            "| Measure | Total",
            "| Crimes | [[ms_recorded_crimes]]",
            '[[chart oic_disruptions by=region title="By region"]]',
        ]
    )
    template = parse_template(source)
    assert template.title == "Annual report"
    kinds = [b.kind for b in template.blocks]
    assert kinds == ["heading", "tiles", "paragraph", "list", "grid", "chart"]
    assert len(template.blocks[1].texts) == 2
    assert template.blocks[4].caption == "Caption" and len(template.blocks[4].rows) == 2
    tags = template.tags()
    assert [t.options["metric"] for t in tags] == [
        "training_people_trained",
        "oic_disruptions",
        "ms_recorded_crimes",
        "terminus_lorry_stops",
        "ms_recorded_crimes",
        "oic_disruptions",
    ]
    assert tags[2].line == 6 and tags[2].options["show"] == "change"
    assert tags[-1].kind == "chart" and tags[-1].options["title"] == "By region"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "an empty tag"),
        ("show=value", "names no metric"),
        ("ms_arrests colour=red", "unknown option 'colour'"),
        ("ms_arrests round=two", "round='two' is not a whole number"),
        ("ms_arrests q=roughly", "unknown qualifier q='roughly'"),
        ("ms_arrests say=100", "say= states a figure for a qualifier: add q="),
        ("ms_arrests q=over say=lots", "say='lots' is not a number"),
        ("ms_arrests show=total", "show='total' is not one of"),
        ("ms_arrests show=share by=age_group", "show=share needs by= and option="),
        ("ms_arrests compare=last-year", "compare must be previous-year"),
        ('ms_arrests label="open quote', "close the quotes"),
        ("ms_arrests period=FY period=FY-1", "period given twice"),
        ("table caption=x", "a table needs rows="),
        ("chart ms_arrests", "a chart needs by="),
        ("ms_arrests show=lowest", "show=lowest needs per= (month or quarter)"),
        ("ms_arrests show=highest per=week", "show=highest needs per="),
        ("ms_arrests show=lowest per=month by=region", "takes neither by= nor compare="),
        ("ms_arrests per=quarter", "per= goes with show=lowest or show=highest"),
        ("ms_arrests words=no", "words is a flag"),
        ("ms_arrests show=change words", "words prints a count in words, not a per cent"),
        ("table rows=ms_arrests words", "'words' is not key=value"),
    ],
)
def test_a_bad_tag_is_refused_with_its_line(body: str, message: str) -> None:
    with pytest.raises(TemplateError) as caught:
        parse_tag(body, 12)
    assert any(p.startswith("line 12") and message in p for p in caught.value.problems), (
        caught.value.problems
    )


def test_every_problem_of_a_template_is_listed_with_its_line() -> None:
    source = "# Title\nGood [[ms_arrests]] and bad [[ms_arrests q=maybe]].\n\nAn unclosed [[ms_arrests\n| a | b\n| c\n"
    with pytest.raises(TemplateError) as caught:
        parse_template(source)
    problems = caught.value.problems
    assert [p.split(":")[0] for p in problems] == ["line 2", "line 4", "line 6"]
    assert "unknown qualifier" in problems[0]
    assert "unclosed tag" in problems[1]
    assert "1 cells where the table's header has 2" in problems[2]


def test_a_table_or_chart_inside_running_text_is_refused() -> None:
    with pytest.raises(TemplateError, match="line 1: .* a chart goes on a line of its own"):
        parse_template("See [[chart ms_arrests by=region]] here")


@pytest.mark.parametrize(
    ("qualifier", "value", "stated", "percent", "expected"),
    [
        ("over", "1347", "1300", False, True),
        ("over", "1300", "1300", False, False),
        ("over", "1250", "1300", False, False),
        ("just-over", "3040", "3000", False, True),
        ("just-over", "3400", "3000", False, False),  # more than 5% over
        ("just-over", "2111", "3000", False, False),
        ("around", "59.99", "60", True, True),
        ("around", "57.5", "60", True, False),  # more than 2 points away
        ("around", "3552", "4000", False, False),
        ("around", "3900", "4000", False, True),
        ("approximately", "17.0", "17", True, True),
        ("nearly", "96", "100", False, True),
        ("nearly", "100", "100", False, False),
        ("under", "99", "100", False, True),
        ("under", "100", "100", False, False),
        ("plus", "3012450", "3000000", False, True),
        ("plus", "2999999", "3000000", False, False),
        ("at-least", "2500", "2500", False, True),
        ("at-least", "2499", "2500", False, False),
        ("at-most", "2700", "2700", False, True),
        ("at-most", "2701", "2700", False, False),
    ],
)
def test_a_qualifier_holds_only_when_it_describes_the_value(
    qualifier: str, value: str, stated: str, percent: bool, expected: bool
) -> None:
    assert holds(qualifier, Decimal(value), Decimal(stated), percent=percent) is expected


@pytest.mark.parametrize(
    ("value", "places", "qualifier", "unit", "text"),
    [
        ("1347", -2, "over", "count", "over 1,300"),
        ("1399", -2, "under", "count", "under 1,400"),
        ("1351", -2, "around", "count", "around 1,400"),
        ("-8.5", 0, None, "percent", "-9%"),
        ("-10.8", 1, None, "percent", "-10.8%"),
        ("0.3", 1, None, "percent", "0.3%"),
        ("59.994", 0, "around", "percent", "around 60%"),
        ("46400", 0, None, "gbp", "£46,400"),
        ("3012450", -6, "plus", "gbp", "£3,000,000+"),
        ("2283", 0, None, "count", "2,283"),
        ("2521", -2, "at-least", "count", "2,500"),  # the ends of a range print bare
        ("2603", -2, "at-most", "count", "2,700"),
    ],
)
def test_figures_are_rounded_and_printed_per_figure(
    value: str, places: int, qualifier: str | None, unit: str, text: str
) -> None:
    stated = round_to(Decimal(value), places, qualifier)
    assert printed(stated, places, unit=unit, qualifier=qualifier) == text


@pytest.mark.parametrize(
    ("value", "qualifier", "unit", "text"),
    [
        ("0", None, "count", "zero"),
        ("3", None, "count", "three"),
        ("13", None, "count", "thirteen"),
        ("20", None, "count", "twenty"),
        ("47", None, "count", "forty-seven"),
        ("99", "nearly", "count", "nearly ninety-nine"),
        ("5", "plus", "count", "five"),  # "+" belongs to digits; the words stand bare
        ("100", None, "count", "100"),  # past ninety-nine: digits
        ("2.5", None, "count", "2.5"),
        ("-3", None, "count", "-3"),
        ("46400", None, "gbp", "£46,400"),
        ("5", None, "percent", "5%"),
    ],
)
def test_a_count_in_words_is_spelt_out_up_to_ninety_nine(
    value: str, qualifier: str | None, unit: str, text: str
) -> None:
    places = 1 if "." in value else 0
    printed_ = printed(Decimal(value), places, unit=unit, qualifier=qualifier, words=True)
    assert printed_ == text


def test_two_tags_alone_on_a_line_are_two_figures_in_a_paragraph() -> None:
    template = parse_template("[[ms_arrests]] [[ms_charges period=FY-1]]")
    assert [b.kind for b in template.blocks] == ["paragraph"]
    assert [t.options for t in template.tags()] == [
        {"metric": "ms_arrests"},
        {"metric": "ms_charges", "period": "FY-1"},
    ]
