"""Loads the local authority districts and their forces (``data/lad_to_force.csv``, from the
ONS lookup; see ``data/README.md``) and the Human Tissue Authority's org unit."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from msoic.referrals.models import HTA_CODE, HTA_NAME

LOOKUP_CSV = Path(__file__).resolve().parent / "data" / "lad_to_force.csv"


def lookup_rows() -> list[dict[str, str]]:
    with LOOKUP_CSV.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_local_authorities(LocalAuthority: Any, OrgUnit: Any) -> int:  # noqa: N803 - model classes, also from migrations
    """Create or update every district from the file; districts no longer in it are marked
    retired (referrals may name them). Returns how many were created."""
    forces = {u.code: u for u in OrgUnit.objects.filter(kind="force")}
    created = 0
    codes = []
    for row in lookup_rows():
        force = forces.get(row["force_code"])
        if force is None:
            raise ValueError(
                f"{LOOKUP_CSV.name}: {row['lad_code']} names unknown force {row['force_code']!r}"
            )
        _, was_created = LocalAuthority.objects.update_or_create(
            code=row["lad_code"],
            defaults={"name": row["lad_name"], "force": force, "retired": False},
        )
        created += int(was_created)
        codes.append(row["lad_code"])
    LocalAuthority.objects.exclude(code__in=codes).update(retired=True)
    return created


def ensure_hta(OrgUnit: Any) -> Any:  # noqa: N803
    """The Human Tissue Authority, a partner agency under the nation."""
    national = OrgUnit.objects.get(kind="national")
    unit, _ = OrgUnit.objects.update_or_create(
        code=HTA_CODE, defaults={"name": HTA_NAME, "kind": "partner", "parent": national}
    )
    return unit
