"""Validation is a table from rule kind to check: every kind the catalogue's YAML names has
a check, a kind without one is refused when the catalogue is loaded, and each check finds
the problem it is for, where it is."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from msoic.catalogue.loader import (
    DEFINITIONS_DIR,
    RULE_KINDS,
    CatalogueError,
    build,
    load_catalogue,
    parse_sources,
    read_sources,
)
from msoic.catalogue.models import CatalogueRevision
from msoic.collection.readers import RawRow
from msoic.collection.validation import CHECKS, Context, validate_rows
from tests.operations.conftest import make_operation

COLUMNS = {"force": "A", "period": "B", "metric": "C", "breakdown": "D", "value": "E"}
COLUMNS |= {"comment": "F", "dataset": "G"}


def rule_kinds_named(sources: dict[str, str]) -> dict[str, str]:
    """{rule kind: the file that names it} for every rule in the YAML texts."""
    named = {}
    for name, text in sources.items():
        for rule in yaml.safe_load(text).get("rules") or []:
            named[rule["kind"]] = name
    return named


@pytest.mark.django_db
def test_every_rule_kind_in_the_shipped_and_generated_yaml_has_a_check(national_analyst):
    make_operation(national_analyst)  # so the operations app generates a dataset file
    sources = read_sources(generated=True)
    shipped = {p.name for p in DEFINITIONS_DIR.rglob("*.y*ml")}
    assert shipped <= set(sources) and any(n.startswith("operation-") for n in sources)
    named = rule_kinds_named(sources)
    assert "period_not_before_first" in named
    missing = {kind: name for kind, name in named.items() if kind not in CHECKS.kinds()}
    assert missing == {}


def test_every_check_is_for_a_rule_the_catalogue_defines():
    """The other way round: a check whose kind no rule names would report with no message."""
    named = rule_kinds_named(read_sources())
    assert CHECKS.kinds() - set(named) == set()
    assert CHECKS.kinds() <= RULE_KINDS  # each registration told the loader


def copy_with_rule(tmp_path: Path, rule: dict[str, Any]) -> Path:
    directory = tmp_path / "definitions"
    shutil.copytree(DEFINITIONS_DIR, directory)
    (directory / "extra-rules.yaml").write_text(yaml.safe_dump({"rules": [rule]}))
    return directory


def test_a_rule_kind_without_a_check_is_refused_naming_the_file_and_rule(tmp_path):
    rule = {"code": "too_round", "kind": "round_numbers", "importance": "warning"}
    directory = copy_with_rule(tmp_path, {**rule, "message": "Suspiciously round"})
    with pytest.raises(CatalogueError) as refused:
        parse_sources(read_sources(directory))
    message = str(refused.value)
    assert message.startswith("extra-rules.yaml: rule 1 (too_round): no check for rule kind ")
    assert "'round_numbers'" in message and "period_not_before_first" in message


@pytest.mark.django_db
def test_loading_a_catalogue_with_an_unknown_rule_kind_stores_no_revision(tmp_path):
    before = CatalogueRevision.objects.count()
    rule = {"code": "x", "kind": "nope", "importance": "error", "message": "Never"}
    with pytest.raises(CatalogueError, match=r"extra-rules.yaml: rule 1 \(x\)"):
        load_catalogue(directory=copy_with_rule(tmp_path, rule))
    assert CatalogueRevision.objects.count() == before


OPERATION = """
dataset:
  code: op-aidant-33
  label: Op Aidant 33 return
  frequency: operation
  participants: [kent, essex]
  due_day: 28
  first_period: 2024-05
  uses: [op_disruptions, op_arrests]
"""


def context(**changes: Any) -> Context:
    catalogue = build(parse_sources({**read_sources(), "operation-x.yaml": OPERATION}), None)
    values: dict[str, Any] = {
        "catalogue": catalogue,
        "forces": {"kent": "Kent", "essex": "Essex", "norfolk": "Norfolk"},
        "writable": {"kent", "essex"},
        "today": date(2024, 7, 10),
    }
    return Context(**{**values, **changes})


def row(number: int = 2, **cells: Any) -> RawRow:
    given = {"force": "kent", "period": "2024-05", "metric": "ms_arrests", "value": 3} | cells
    return RawRow(sheet="Return", row=number, cells=given, columns=COLUMNS)


KENT_APRIL = ("ms-monthly", "kent", date(2024, 4, 1))
HISTORY = {("kent", "ms_arrests"): {date(2023, m, 1): 4 for m in range(5, 13)}}
# (rule kind, rows, context changes, the rule code reported, row, column, words of the message)
CASES = [
    ("whole_number", [row(value="2.5")], {}, "value_whole_number", 2, "E", "not a whole"),
    (
        "money",
        [row(metric="terminus_cash_seized", period="FY2024-25-Q1", value="£1.234")],
        {},
        "value_money",
        2,
        "E",
        "penny",
    ),
    ("known_force", [row(force="atlantis")], {}, "known_force", 2, "A", "'atlantis'"),
    ("may_write_force", [row(force="norfolk")], {}, "may_write_force", 2, "A", "'norfolk'"),
    ("valid_period", [row(period="2024-13")], {}, "valid_period", 2, "B", "2024-13"),
    ("valid_period", [row(period="FY2024-25-Q1")], {}, "valid_period", 2, "B", "monthly"),
    ("known_metric", [row(metric="ms_guesses")], {}, "known_metric", 2, "C", "'ms_guesses'"),
    ("known_breakdown", [row(breakdown="age")], {}, "known_breakdown", 2, "D", "name=option"),
    (
        "dataset_for_metric",
        [row(metric="op_arrests")],
        {},
        "dataset_for_metric",
        2,
        "G",
        "name its return",
    ),
    (
        "participating_force",
        [row(metric="op_arrests", dataset="op-aidant-33", force="norfolk")],
        {"writable": {"norfolk"}},
        "participating_force",
        2,
        "A",
        "not taking part",
    ),
    (
        "operation_period",
        [row(metric="op_arrests", dataset="op-aidant-33", period="2024-06")],
        {},
        "operation_period",
        2,
        "B",
        "2024-05 only",
    ),
    (
        "period_not_before_first",
        [row(period="2009-03")],
        {},
        "period_not_before_first",
        2,
        "B",
        "the first period of",
    ),
    ("period_not_future", [row(period="2024-07")], {}, "period_not_future", 2, "B", "2024-06"),
    (
        "from_register",
        [row()],
        {"register": {("kent", "ms_arrests"): date(2024, 1, 1)}},
        "figure_from_register",
        2,
        "C",
        "investigation register",
    ),
    ("unique_key", [row(2), row(3)], {}, "one_row_per_key", 3, "C", "also on row 2"),
    (
        "period_not_locked",
        [row(period="2024-04")],
        {"locked": {KENT_APRIL}},
        "period_not_locked",
        2,
        "B",
        "unlock",
    ),
    (
        "breakdown_sum",
        [row(2, metric="ms_nrm_referrals", breakdown="age_group=adult")],
        {},
        "breakdown_adds_up",
        2,
        "D",
        "no total row",
    ),
    ("outlier_high", [row(value=90)], {"history": HISTORY}, "unusually_high", 2, "E", "median"),
]


def test_the_table_of_cases_covers_every_kind_with_a_check():
    assert {case[0] for case in CASES} == CHECKS.kinds()


@pytest.mark.parametrize(
    ("kind", "rows", "changes", "code", "at_row", "column", "words"),
    CASES,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)],
)
def test_each_check_finds_its_problem_where_it_is(kind, rows, changes, code, at_row, column, words):
    entries, problems = validate_rows(rows, context(**changes))
    assert [(p.rule, p.sheet, p.row, p.column) for p in problems] == [
        (code, "Return", at_row, column)
    ]
    assert words in problems[0].message
    warning = code == "unusually_high"
    assert problems[0].severity == ("warning" if warning else "error")
    assert len(entries) == (1 if kind in {"unique_key", "breakdown_sum", "outlier_high"} else 0)


def test_a_row_with_several_problems_reports_them_in_the_tables_order():
    bad = row(force="atlantis", period="2024-13", metric="ms_guesses", value="x")
    _, problems = validate_rows([bad, row(3, force="norfolk", period="2024-07")], context())
    assert [(p.rule, p.row, p.column) for p in problems] == [
        ("value_whole_number", 2, "E"),
        ("known_force", 2, "A"),
        ("valid_period", 2, "B"),
        ("known_metric", 2, "C"),
        ("may_write_force", 3, "A"),
        ("period_not_future", 3, "B"),
    ]


def test_a_blank_value_is_not_provided_and_not_checked():
    entries, problems = validate_rows([row(force="atlantis", value="")], context())
    assert (entries, problems) == ([], [])
