"""A labelled synthetic register and CPS extract, for measuring the linkage (``msoic cps
synth``, the benchmark, the demo and the tests).

The register has investigations with one to three suspects; a suspect charged becomes a CPS
case (so one investigation can become several cases), and the CPS writes what it knows with
realistic corruption:

- the police reference reformatted (separators dropped or changed, leading zeros dropped,
  lower case), mistyped (a digit changed or two swapped) or missing;
- the charge date shifted by days or weeks, or the register's own charge date missing;
- a year of birth off by one, a gender unknown; years of birth recorded only by some forces;
- CPS cases with no investigation on the register at all.

Everything is drawn from one seeded ``random.Random``: the same seed gives the same data.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from msoic.cps import linkage
from msoic.cps.offences import exploitation_of

EXPLOITATION = ("criminal", "sexual", "labour", "domestic_servitude", "other")
EXPLOITATION_WEIGHTS = (40, 25, 20, 10, 5)
# Offences a CPS lawyer might charge for each kind of exploitation.
OFFENCES_FOR = {
    "criminal": ("msa-s2", "msa-s1", "mda-s4"),
    "sexual": ("msa-s2", "soa-s52", "soa-s53"),
    "labour": ("msa-s1", "msa-s2"),
    "domestic_servitude": ("msa-s1", "msa-s2"),
    "other": ("msa-s2", "ia-s25"),
}
OUTCOMES = ("convicted", "acquitted", "discontinued", "ongoing")
OUTCOME_WEIGHTS = (55, 12, 18, 15)


@dataclass
class Synthetic:
    """Suspects on the register, CPS cases, and the true (CPS urn, suspect id) pairs."""

    suspects: list[dict[str, Any]] = field(default_factory=list)
    cases: list[dict[str, Any]] = field(default_factory=list)
    truth: set[tuple[str, str]] = field(default_factory=set)


def default_forces(n: int = 43) -> list[str]:
    return [f"force-{i:02d}" for i in range(1, n + 1)]


def _reference(rng: random.Random, style: int, number: int, year: int) -> str:
    if style == 0:
        return f"{rng.randint(10, 99)}/{number:06d}/{year % 100:02d}"
    if style == 1:
        return f"CR-{year}-{number:07d}"
    return f"{number:08d}{year % 100:02d}"


def _cps_writes(rng: random.Random, reference: str) -> str:
    """The reference as the CPS writes it: mostly reformatted, sometimes mistyped or lost."""
    roll = rng.random()
    if roll < 0.12:
        return ""
    text = reference
    if rng.random() < 0.5:
        text = text.replace("/", "").replace("-", " ")
    if rng.random() < 0.3:
        groups = text.replace("-", "/").split("/")
        text = "-".join(g.lstrip("0") or "0" for g in groups)
    if rng.random() < 0.2:
        text = text.lower()
    if 0.12 <= roll < 0.20:  # a typo: a digit changed or two neighbours swapped
        digits = [i for i, ch in enumerate(text) if ch.isdigit()]
        if len(digits) >= 2:
            i = rng.choice(digits[:-1])
            chars = list(text)
            if rng.random() < 0.5:
                chars[i] = str((int(chars[i]) + rng.randint(1, 9)) % 10)
            else:
                j = i + 1
                chars[i], chars[j] = chars[j], chars[i]
            text = "".join(chars)
    return text


def _shift(rng: random.Random, day: date) -> date:
    roll = rng.random()
    if roll < 0.7:
        return day
    if roll < 0.92:
        return day + timedelta(days=rng.randint(-10, 10))
    return day + timedelta(days=rng.randint(-60, 60))


def generate(
    investigations: int,
    *,
    seed: int = 15,
    forces: list[str] | None = None,
    start: date = date(2019, 4, 1),
    years: int = 5,
    unlinked_share: float = 0.15,
) -> Synthetic:
    """``investigations`` register investigations and the CPS cases of their charged
    suspects, plus about ``unlinked_share`` more CPS cases with no investigation."""
    rng = random.Random(seed)
    forces = forces or default_forces()
    style = {f: i % 3 for i, f in enumerate(forces)}
    records_birth_year = {f: i % 5 != 4 for i, f in enumerate(forces)}  # four forces in five
    out = Synthetic()
    span = years * 365
    for number in range(1, investigations + 1):
        force = rng.choice(forces)
        opened = start + timedelta(days=rng.randrange(span))
        reference = _reference(rng, style[force], number, opened.year)
        types = sorted(
            set(rng.choices(EXPLOITATION, EXPLOITATION_WEIGHTS, k=rng.choice((1, 1, 1, 2))))
        )
        for s in range(rng.choice((1, 1, 1, 2, 2, 3))):
            gender = rng.choices(("male", "female"), (75, 25))[0]
            born = opened.year - rng.randint(18, 65)
            arrested = opened + timedelta(days=rng.randint(0, 200))
            charged = arrested + timedelta(days=rng.randint(0, 300)) if rng.random() < 0.6 else None
            out.suspects.append(
                {
                    "id": f"{number}-{s + 1}",
                    "investigation": number,
                    "force": force,
                    "crime_reference": reference,
                    "opened_on": opened,
                    "exploitation_types": types,
                    "gender": gender if rng.random() < 0.92 else "unknown",
                    "birth_year": born if records_birth_year[force] else None,
                    "arrested_on": arrested,
                    # the register misses one charge date in ten
                    "charged_on": charged if rng.random() < 0.9 else None,
                    "true_gender": gender,
                    "true_birth_year": born,
                    "true_charged_on": charged,
                }
            )
    charge(out, rng, unlinked_share=unlinked_share, forces=forces, start=start, years=years)
    return out


def charge(
    out: Synthetic,
    rng: random.Random,
    *,
    unlinked_share: float = 0.15,
    forces: list[str],
    start: date,
    years: int,
    urn_prefix: str = "",
) -> None:
    """Add to ``out`` a CPS case for each of its suspects charged (``true_charged_on``, else
    ``charged_on``), as the CPS writes it, and about ``unlinked_share`` more with no suspect
    on the register; the true pairs go in ``out.truth``."""
    style = {f: i % 3 for i, f in enumerate(forces)}
    seq = len(out.cases)

    def new_urn() -> str:
        nonlocal seq
        seq += 1
        return f"{urn_prefix}{rng.randint(10, 99)}CP{seq:07d}"

    linked = 0
    for suspect in out.suspects:
        charged = suspect.get("true_charged_on", suspect["charged_on"])
        if charged is None:
            continue
        gender = suspect.get("true_gender", suspect["gender"])
        born = suspect.get("true_birth_year", suspect["birth_year"])
        if born is not None and rng.random() < 0.04:
            born += rng.choice((-1, 1))
        urn = new_urn()
        out.cases.append(
            _case(
                rng,
                urn,
                suspect["force"],
                _cps_writes(rng, suspect["crime_reference"]),
                gender if rng.random() < 0.97 else "unknown",
                born if rng.random() < 0.95 else None,
                list(suspect["exploitation_types"]) or ["other"],
                _shift(rng, charged),
            )
        )
        out.truth.add((urn, str(suspect["id"])))
        linked += 1
    span = years * 365
    for _ in range(int(linked * unlinked_share)):
        force = rng.choice(forces)
        charged = start + timedelta(days=rng.randrange(span))
        number = rng.randint(10_000_000, 99_999_999)
        out.cases.append(
            _case(
                rng,
                new_urn(),
                force,
                _reference(rng, style[force], number, charged.year) if rng.random() < 0.7 else "",
                rng.choices(("male", "female"), (75, 25))[0],
                charged.year - rng.randint(18, 65),
                [rng.choices(EXPLOITATION, EXPLOITATION_WEIGHTS)[0]],
                charged,
            )
        )


def _case(
    rng: random.Random,
    urn: str,
    force: str,
    reference: str,
    gender: str,
    birth_year: int | None,
    types: list[str],
    charged: date,
) -> dict[str, Any]:
    offences = sorted({rng.choice(OFFENCES_FOR.get(t, OFFENCES_FOR["other"])) for t in types})
    outcome = rng.choices(OUTCOMES, OUTCOME_WEIGHTS)[0]
    hearing = charged + timedelta(days=rng.randint(1, 60))
    outcome_on = hearing + timedelta(days=rng.randint(60, 500)) if outcome != "ongoing" else None
    return {
        "urn": urn,
        "force": force,
        "police_reference": reference,
        "defendant_ref": f"D{rng.randrange(16**8):08X}",
        "defendant_gender": gender,
        "defendant_birth_year": birth_year,
        "offences": offences,
        "charged_on": charged,
        "first_hearing_on": hearing,
        "outcome": outcome,
        "outcome_on": outcome_on,
        "sentence_months": rng.randint(12, 180) if outcome == "convicted" else None,
        "exploitation": exploitation_of(offences),
    }


def records(data: Synthetic) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The synthetic data as the linkage reads it."""
    cps_rows = [
        linkage.cps_record(
            c["urn"],
            force=c["force"],
            police_reference=c["police_reference"],
            charged_on=c["charged_on"],
            birth_year=c["defendant_birth_year"],
            gender=c["defendant_gender"],
            exploitation=c["exploitation"],
        )
        for c in data.cases
    ]
    register_rows = [
        linkage.register_record(
            s["id"],
            force=s["force"],
            crime_reference=s["crime_reference"],
            charged_on=s["charged_on"],
            arrested_on=s["arrested_on"],
            birth_year=s["birth_year"],
            gender=s["gender"],
            exploitation=s["exploitation_types"],
        )
        for s in data.suspects
    ]
    return cps_rows, register_rows


def write_extract(target: Path, cases: list[dict[str, Any]]) -> None:
    """A CPS extract (CSV) of synthetic cases, in the import's columns."""
    from msoic.cps.actions import COLUMNS

    with target.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(COLUMNS)
        for c in cases:
            out.writerow(
                [";".join(c[name]) if name == "offences" else _cell(c[name]) for name in COLUMNS]
            )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
