"""Standards frameworks as data: the shipped file, the loader's checks, and versions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from msoic.assurance.loader import (
    SHIPPED_DIR,
    FrameworkError,
    load_framework_text,
    parse_framework,
)
from msoic.assurance.models import FrameworkVersion

SHIPPED = SHIPPED_DIR / "nsts-2023-24.yaml"

SMALL = """\
framework: test
version: "{version}"
title: Test framework
{previous}grades:
  - {{code: red, label: Red, score: 1}}
  - {{code: amber, label: Amber, score: 2}}
  - {{code: green, label: Green, score: 3}}
thresholds:
  red_forces: 2
areas:
  - {{code: A, title: Area A}}
standards:
{standards}
"""


def small(version: str = "1", standards: str = "", previous: str = "") -> str:
    body = standards or (
        "  - {ref: A1, area: A, title: One, description: D1, evidence: E1}\n"
        "  - {ref: A2, area: A, title: Two, description: D2, evidence: E2}"
    )
    prev = f'previous_version: "{previous}"\n' if previous else ""
    return SMALL.format(version=version, standards=body, previous=prev)


def test_shipped_framework_has_47_standards_in_five_areas() -> None:
    definition = parse_framework(SHIPPED.name, SHIPPED.read_text())
    assert len(definition["standards"]) == 47
    assert [a["title"] for a in definition["areas"]] == [
        "Leadership and governance",
        "Intelligence",
        "Investigations",
        "Victim care",
        "Training",
    ]
    assert "ILLUSTRATIVE CONTENT" in SHIPPED.read_text()


@pytest.mark.django_db
def test_migrate_loads_the_shipped_framework() -> None:
    version = FrameworkVersion.objects.get(framework="nsts", version="2023-24")
    assert version.standards.count() == 47
    assert version.grade_codes == ["red", "amber", "green"]


def test_duplicate_standard_reference_is_rejected_with_its_line() -> None:
    text = small(
        standards="  - {ref: A1, area: A, title: One, description: D, evidence: E}\n"
        "  - {ref: A1, area: A, title: Again, description: D, evidence: E}"
    )
    with pytest.raises(FrameworkError) as exc:
        parse_framework("bad.yaml", text)
    line = (
        text.splitlines().index("  - {ref: A1, area: A, title: Again, description: D, evidence: E}")
        + 1
    )
    assert str(exc.value).startswith(f"bad.yaml line {line}:")
    assert "duplicate standard reference 'A1'" in str(exc.value)


def test_unknown_area_is_rejected_with_its_line() -> None:
    text = small(
        standards="  - {ref: A1, area: A, title: One, description: D, evidence: E}\n"
        "  - ref: Z1\n    area: ZZ\n    title: Z\n    description: D\n    evidence: E"
    )
    with pytest.raises(FrameworkError) as exc:
        parse_framework("bad.yaml", text)
    line = text.splitlines().index("  - ref: Z1") + 1
    assert str(exc.value).startswith(f"bad.yaml line {line}:")
    assert "unknown area 'ZZ'" in str(exc.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("framework: [unclosed", "bad.yaml line 1: not valid YAML"),
        ("- a list", "must be a mapping"),
        (
            small().replace("thresholds:\n  red_forces: 2", "thresholds:\n  red_foo: 2"),
            "unknown key",
        ),
        (small().replace("score: 3", "score: high"), "score must be a number"),
        (
            small().replace("  - {ref: A1, area: A, title: One, ", "  - {ref: A1, area: A, "),
            "missing 'title'",
        ),
    ],
)
def test_malformed_framework_is_rejected(text: str, message: str) -> None:
    with pytest.raises(FrameworkError, match=message):
        parse_framework("bad.yaml", text)


@pytest.mark.django_db
def test_reloading_the_same_version_is_a_no_op_and_changed_text_is_refused() -> None:
    first, created = load_framework_text("t.yaml", small())
    assert created
    again, created = load_framework_text("t.yaml", small())
    assert (again.pk, created) == (first.pk, False)
    with pytest.raises(FrameworkError, match="already loaded with different text"):
        load_framework_text("t.yaml", small().replace("title: Two", "title: Changed"))


@pytest.mark.django_db
def test_new_version_keeps_the_old_and_maps_renamed_and_split_standards() -> None:
    old, _ = load_framework_text("t1.yaml", small("1"))
    new_standards = (
        "  - {ref: B1, area: A, title: Renamed, description: D, evidence: E, maps_from: A1}\n"
        "  - {ref: A2a, area: A, title: Split a, description: D, evidence: E, maps_from: [A2]}\n"
        "  - {ref: A2b, area: A, title: Split b, description: D, evidence: E, maps_from: [A2]}"
    )
    new, _ = load_framework_text("t2.yaml", small("2", new_standards, previous="1"))
    assert new.previous == old
    assert list(old.standards.values_list("reference", flat=True)) == ["A1", "A2"]
    assert dict(new.standards.values_list("reference", "maps_from")) == {
        "B1": ["A1"],
        "A2a": ["A2"],
        "A2b": ["A2"],
    }


@pytest.mark.django_db
def test_mapping_to_an_unknown_reference_is_refused() -> None:
    load_framework_text("t1.yaml", small("1"))
    bad = "  - {ref: B1, area: A, title: X, description: D, evidence: E, maps_from: [A9]}"
    with pytest.raises(FrameworkError, match=r"maps_from unknown reference\(s\) \['A9'\]"):
        load_framework_text("t2.yaml", small("2", bad, previous="1"))


@pytest.mark.django_db
def test_load_framework_command(tmp_path: Path, capsys: Any) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(small("7"))
    call_command("load_framework", str(good))
    assert "Loaded Test framework (7) with 2 standards" in capsys.readouterr().out
    bad = tmp_path / "bad.yaml"
    bad.write_text(small("8").replace("area: A, title: Two", "area: Q, title: Two"))
    with pytest.raises(CommandError, match=r"bad.yaml line \d+: standard A2: unknown area 'Q'"):
        call_command("load_framework", str(bad))
    assert not FrameworkVersion.objects.filter(framework="test", version="8").exists()
