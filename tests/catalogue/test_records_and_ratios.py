"""Two kinds of catalogue entry for figures derived from records: a breakdown whose options
are the records' own (``options: records``) and a ratio of two flows (``ratio:``)."""

from __future__ import annotations

import pytest

from msoic.catalogue.loader import CatalogueError, build, parse_sources

LIBRARY = """
breakdowns:
  event:
    label: Event
    options: records
  level:
    label: Level
    options: {a: A, b: B}
dataset:
  code: lib
  label: Library
  frequency: library
  due_day: 28
  first_period: "2021-04"
metrics:
  - {code: answered, label: Answered, aggregation: flow, breakdowns: [event, level]}
  - {code: agreeing, label: Agreeing, aggregation: flow, breakdowns: [event]}
"""


def metric(text: str) -> str:
    return "  - " + text + "\n"


def test_a_breakdown_of_records_and_a_ratio_are_read():
    ratio = metric(
        "{code: pct, label: Pct, aggregation: flow, unit: percent, breakdowns: [event], "
        "ratio: {numerator: agreeing, denominator: answered}}"
    )
    cat = build(parse_sources({"lib.yaml": LIBRARY + ratio}), None)
    assert cat.breakdowns["event"].from_records and cat.breakdowns["event"].options == {}
    assert not cat.breakdowns["level"].from_records
    pct = cat.metrics["pct"]
    assert pct.is_ratio and (pct.numerator, pct.denominator) == ("agreeing", "answered")
    assert not cat.metrics["answered"].is_ratio


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        (
            metric(
                "{code: p, label: P, aggregation: flow, ratio: {numerator: nope, "
                "denominator: answered}}"
            ),
            "numerator 'nope' is not a metric",
        ),
        (
            metric(
                "{code: p, label: P, aggregation: stock, ratio: {numerator: a, denominator: b}}"
            ),
            "a ratio is of two flows",
        ),
        (
            metric(
                "{code: p, label: P, aggregation: flow, breakdowns: [level], "
                "ratio: {numerator: agreeing, denominator: answered}}"
            ),
            "numerator 'agreeing' cannot be split by level",
        ),
        (
            metric("{code: p, label: P, aggregation: flow, ratio: {numerator: agreeing}}"),
            "missing 'denominator'",
        ),
    ],
)
def test_a_ratio_names_two_flows_split_as_it_is(extra, says):
    with pytest.raises(CatalogueError, match=says):
        parse_sources({"lib.yaml": LIBRARY + extra})


def test_a_returned_metric_may_not_be_split_by_records():
    monthly = """
dataset:
  code: monthly
  label: Monthly
  frequency: monthly
  due_day: 28
  first_period: "2021-04"
  uses: [answered]
"""
    with pytest.raises(CatalogueError, match="takes its options from records"):
        parse_sources({"lib.yaml": LIBRARY, "monthly.yaml": monthly})


def test_options_are_a_mapping_or_records():
    bad = LIBRARY.replace("options: records", "options: events")
    with pytest.raises(CatalogueError, match="non-empty mapping, or 'records'"):
        parse_sources({"lib.yaml": bad})
