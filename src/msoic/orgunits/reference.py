"""Loads the reference org units (nation, regions, forces, partners) from the shipped CSV."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

NATIONAL_CODE = "national"
PARTNERS = [
    ("nca", "National Crime Agency"),
    ("home-office", "Home Office"),
    ("immigration-enforcement", "Immigration Enforcement"),
    ("cps", "Crown Prosecution Service"),
]
FORCES_CSV = Path(__file__).resolve().parent / "data" / "forces.csv"
# The reference CSV uses data.police.uk's force codes, and the West Midlands region shares
# its code with West Midlands Police. Codes are unique, so the region gets its own.
REGION_CODES = {"west-midlands": "west-midlands-region"}


def load_reference_orgunits(OrgUnit: Any) -> int:  # noqa: N803 - a model class, also from migrations
    """Create or update every reference org unit; returns how many were created."""
    created = 0
    national, was_created = OrgUnit.objects.update_or_create(
        code=NATIONAL_CODE,
        defaults={"name": "England and Wales", "kind": "national", "parent": None},
    )
    created += int(was_created)
    with FORCES_CSV.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            region, was_created = OrgUnit.objects.update_or_create(
                code=REGION_CODES.get(row["region_code"], row["region_code"]),
                defaults={"name": row["region_name"], "kind": "region", "parent": national},
            )
            created += int(was_created)
            _, was_created = OrgUnit.objects.update_or_create(
                code=row["force_code"],
                defaults={"name": row["force_name"], "kind": "force", "parent": region},
            )
            created += int(was_created)
    for code, name in PARTNERS:
        _, was_created = OrgUnit.objects.update_or_create(
            code=code, defaults={"name": name, "kind": "partner", "parent": national}
        )
        created += int(was_created)
    return created
