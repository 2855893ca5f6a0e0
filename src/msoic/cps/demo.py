"""Demo CPS outcomes for the demo's registers, and their linkage run.

The demo register's suspects charged in investigations opened in 2022/23 and 2023/24 (read
through the core's linkable-records registry, as the linkage reads them) become CPS cases
as the CPS would write them (:func:`msoic.cps.synth.charge`: references reformatted,
mistyped or missing, charge dates shifted, some CPS cases with no investigation), written
to a CSV extract and imported through :func:`~msoic.cps.actions.do_import_extract`. A
linkage run then links them, leaving the uncertain pairs for review, and the engine gives
the funnel for both years. Idempotent: nothing is done when CPS cases already exist.
"""

from __future__ import annotations

import random
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from msoic.accounts.models import User
from msoic.cps import synth
from msoic.cps.actions import do_import_extract, do_request_linkage, run_linkage
from msoic.cps.models import CpsCase, RunStatus
from msoic.cps.source import CHARGED, CONVICTED, INVESTIGATIONS, PROSECUTED
from msoic.metrics import engine
from msoic.metrics.linkable import provider
from msoic.orgunits.models import OrgUnit, OrgUnitKind

SEED = 1524
START, END = date(2022, 4, 1), date(2024, 3, 31)
YEARS = ("FY2022-23", "FY2023-24")


@dataclass
class CpsDemo:
    skipped: bool = False
    cases: int = 0
    automatic: int = 0
    clerical: int = 0
    funnel: dict[str, list[int | None]] = field(default_factory=dict)

    def lines(self) -> list[str]:
        if self.skipped:
            return ["CPS outcomes: already there, left as they are"]
        out = [
            f"CPS outcomes: {self.cases} CPS cases imported and linked: {self.automatic} "
            f"automatic links, {self.clerical} pairs awaiting review"
        ]
        for year, values in self.funnel.items():
            out.append(
                f"  funnel {year}: investigations, charged, prosecuted, convicted = "
                + ", ".join("–" if v is None else str(v) for v in values)
            )
        return out


def build_cps_demo(national: User) -> CpsDemo:
    if CpsCase.objects.exists():
        return CpsDemo(skipped=True)
    rng = random.Random(SEED)
    data = synth.Synthetic()
    for s in provider().suspects():
        if s.charged_on is None or not START <= s.opened_on <= END:
            continue
        data.suspects.append(
            {
                "id": s.id,
                "force": s.force_code,
                "crime_reference": s.crime_reference,
                "exploitation_types": list(s.exploitation_types) or ["other"],
                "gender": s.gender,
                "birth_year": s.birth_year,
                "charged_on": s.charged_on,
            }
        )
    if not data.suspects:
        return CpsDemo()
    forces = sorted({s["force"] for s in data.suspects})
    synth.charge(data, rng, forces=forces, start=START, years=2, unlinked_share=0.1)
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "cps-extract-demo.csv"
        synth.write_extract(target, data.cases)
        outcome = do_import_extract(target.name, target.read_bytes(), actor=national)
    if not outcome.ok:
        raise RuntimeError(f"demo CPS extract refused: {outcome.problems[:3]}")
    run, _ = do_request_linkage(actor=national)
    run = run_linkage(run.pk)
    if run.status != RunStatus.DONE:
        raise RuntimeError(f"demo linkage run failed: {run.message}")
    report = CpsDemo(cases=outcome.rows, automatic=run.automatic, clerical=run.clerical)
    nation = OrgUnit.objects.get(kind=OrgUnitKind.NATIONAL)
    for year in YEARS:
        report.funnel[year] = [
            engine.query(m, nation, year).value
            for m in (INVESTIGATIONS, CHARGED, PROSECUTED, CONVICTED)
        ]
    return report
