"""Demo CCA tasking: the 2022/23 tasking loaded from its YAML file (nine measures, one
disruption threshold revised with its reason), with progress recorded through the actions
so that by 31 March 2023 seven measures are discharged and two remain areas of focus.

The plan is ``demo.yaml``; the report lines are counted back by the tracker
(:func:`msoic.tasking.tracker.build_tracker`). Idempotent: the loader skips versions
already loaded and a progress row with any update is left as it is.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

from msoic.tasking.actions import do_update_measure_progress
from msoic.tasking.loader import SHIPPED_DIR, load_tasking_file
from msoic.tasking.models import MeasureProgress, Status, Tasking
from msoic.tasking.tracker import Tracker, build_tracker

DEMO_FILE = Path(__file__).resolve().parent / "demo.yaml"
EVIDENCE = {
    "M1": "OIC lead named; regional tactical plan agreed with the NCA and signed off by the ROCU head.",
    "M2": "Hashtag applied to OIC intelligence reports; dip sample of a month's reports shared with the ROCU.",
    "M3": "Monthly returns record OIC disruptions by level (major, moderate, minor).",
    "M4": "OIC disruptions from the monthly returns at or above the revised threshold; claims reviewed by the ROCU.",
    "M5": "Single point of contact trained and named to the ROCU and the unit.",
    "M6": "OCG mapping complete; one group offered for national tasking.",
    "M7": "First responder briefing delivered; NRM and Duty to Notify referrals audited.",
    "M8": "Financial investigator assigned to qualifying OIC investigations.",
    "M9": "Encounter intelligence shared with Immigration Enforcement within 24 hours.",
}


def load_plan(path: Path = DEMO_FILE) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        plan: dict[str, Any] = yaml.safe_load(handle)
    return plan


@dataclass
class TaskingDemoReport:
    tasking: Tasking
    tracker: Tracker
    targets: dict[str, int]
    updated: int
    already: int

    def figures(self) -> dict[str, int]:
        return {
            "measures": len(self.tracker.measures),
            "discharged": len(self.tracker.discharged),
            "areas_of_focus": len(self.tracker.areas_of_focus),
            "threshold_revisions": self.tracker.revisions,
        }

    def lines(self) -> list[str]:
        got = self.figures()
        out = [f"CCA tasking ({self.tasking.title}), as at {self.tracker.as_of:%d %B %Y}:"]
        out += [f"  {k.replace('_', ' ')}: {got[k]} (target {v})" for k, v in self.targets.items()]
        if self.already:
            out.append(f"  progress already recorded for {self.already} org unit measures")
        return out


def build_tasking_demo(national: Any, plan: dict[str, Any] | None = None) -> TaskingDemoReport:
    plan = plan or load_plan()
    rng = random.Random(plan["seed"])
    tasking, _ = load_tasking_file(SHIPPED_DIR / plan["tasking_file"], actor=national)
    rows = list(
        MeasureProgress.objects.filter(measure__tasking=tasking)
        .select_related("measure", "orgunit")
        .order_by("measure__position", "orgunit__code")
    )
    touched = set(
        MeasureProgress.objects.filter(measure__tasking=tasking, updates__isnull=False)
        .values_list("pk", flat=True)
        .distinct()
    )
    start = tasking.period.start
    updated = already = 0
    for row in rows:
        code = row.measure.code
        evidence = EVIDENCE.get(code, "")
        if code in plan["discharged"]:
            discharged_on: date = plan["discharged"][code]
            met_on = discharged_on - timedelta(days=rng.randint(7, 40))
            started = max(start, met_on - timedelta(days=rng.randint(20, 90)))
            steps = [
                (Status.IN_PROGRESS, started, "", "Work under way."),
                (Status.MET, met_on, evidence, "Submitted to the NCA for discharge."),
                (Status.DISCHARGED, discharged_on, "", "Discharged by the NCA."),
            ]
        elif code in plan["focus"]:
            shares = plan["focus"][code]
            draw = rng.random()
            year_end: date = plan["as_of"]
            if draw < shares["met"]:
                steps = [
                    (Status.IN_PROGRESS, start + timedelta(days=rng.randint(30, 150)), "", ""),
                    (Status.MET, year_end - timedelta(days=rng.randint(5, 60)), evidence, ""),
                ]
            elif draw < shares["met"] + shares["in_progress"]:
                steps = [
                    (
                        Status.IN_PROGRESS,
                        start + timedelta(days=rng.randint(30, 250)),
                        "",
                        "Plan agreed; not yet in place for every case.",
                    )
                ]
            else:
                steps = []
        else:
            steps = []
        # The plan is drawn for every row, in order, so a second run draws the same.
        if row.pk in touched:
            already += 1
            continue
        for status, on, ev, note in steps:
            do_update_measure_progress(
                row, actor=national, status=status, on=on, evidence=ev, commentary=note or ""
            )
        updated += bool(steps)
    tracker = build_tracker(tasking, plan["as_of"])
    return TaskingDemoReport(tasking, tracker, dict(plan["targets"]), updated, already)
