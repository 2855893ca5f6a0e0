"""Helpers for the CPS tests: a small labelled synthetic register written to the database,
its CPS extract as a file, and the extract's columns."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from msoic.cases.models import Category, Investigation, Person
from msoic.cps import synth
from msoic.cps.actions import COLUMNS
from msoic.orgunits.models import OrgUnit

FORCES = ["kent", "essex", "cleveland", "durham", "bedfordshire", "suffolk"]


def extract_csv(rows: list[dict[str, Any]] | list[list[Any]]) -> bytes:
    """An extract: dict rows (missing columns blank) or rows of cells in COLUMNS order."""
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    out.writerow(COLUMNS)
    for row in rows:
        if isinstance(row, dict):
            out.writerow([_cell(row.get(c)) for c in COLUMNS])
        else:
            out.writerow(row)
    return buffer.getvalue().encode()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(value)
    return value.isoformat() if isinstance(value, date) else str(value)


def case_row(**overrides: Any) -> dict[str, Any]:
    """One good CPS row (Kent, convicted), changed by ``overrides``."""
    row: dict[str, Any] = {
        "urn": "01KT0000001",
        "force": "kent",
        "police_reference": "46/001234/23",
        "defendant_ref": "D0001",
        "defendant_gender": "male",
        "defendant_birth_year": 1980,
        "offences": ["msa-s2"],
        "charged_on": date(2023, 5, 2),
        "first_hearing_on": date(2023, 5, 30),
        "outcome": "convicted",
        "outcome_on": date(2024, 1, 15),
        "sentence_months": 60,
    }
    row.update(overrides)
    return row


def write_register(data: synth.Synthetic) -> dict[str, int]:
    """The synthetic suspects (and their investigations) on the register; synthetic suspect
    id -> the Person's primary key."""
    forces = {f.code: f for f in OrgUnit.objects.filter(code__in=FORCES)}
    investigations: dict[int, Investigation] = {}
    for s in data.suspects:
        if s["investigation"] in investigations:
            continue
        investigations[s["investigation"]] = Investigation(
            force=forces[s["force"]],
            crime_reference=s["crime_reference"],
            opened_on=s["opened_on"],
            exploitation_types=list(s["exploitation_types"]),
            primary_exploitation=s["exploitation_types"][0],
        )
    Investigation.objects.bulk_create(investigations.values())
    people = [
        Person(
            investigation=investigations[s["investigation"]],
            force=forces[s["force"]],
            reference=f"T-{s['id']}",
            category=Category.SUSPECT,
            age_group="adult",
            gender=s["gender"],
            birth_year=s["birth_year"],
            arrested_on=s["arrested_on"],
            charged_on=s["charged_on"],
        )
        for s in data.suspects
    ]
    Person.objects.bulk_create(people)
    return {s["id"]: p.pk for s, p in zip(data.suspects, people, strict=True)}


def synthetic(investigations: int = 400, seed: int = 7) -> synth.Synthetic:
    return synth.generate(investigations, seed=seed, forces=FORCES, start=date(2021, 4, 1), years=3)
