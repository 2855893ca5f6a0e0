"""Demo benchmarking: a 2022/23 and a 2023/24 campaign against the national standards, as
the annual report describes them (38 forces took part in 2023/24, 47 standards), with a
realistic spread of grades – a few standards weak in many forces, improvement year on year,
some grades challenged by coordinators – thematic interventions and support packages.

Made through the actions from a fixed seed, so the audit log holds it. The figures are not
stored anywhere: :class:`BenchmarkingDemo` counts them from the records. Idempotent: a
campaign that already exists is left as it is.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from typing import Any

from msoic.accounts.models import Role, User
from msoic.assurance import actions
from msoic.assurance.collation import collate
from msoic.assurance.loader import SHIPPED_DIR, load_framework_text
from msoic.assurance.models import (
    Assessment,
    AssessmentStatus,
    Campaign,
    FrameworkVersion,
    Grade,
    InterventionStatus,
    SupportPackage,
)
from msoic.orgunits.models import OrgUnit

SEED = 2324
CURRENT = ("Benchmarking 2023/24", date(2024, 3, 31), 38)
EARLIER = ("Benchmarking 2022/23", date(2023, 3, 31), 33)
# Standards many forces found hard: the chance of Red and of Amber in 2023/24.
WEAK = {
    "VC2": (0.45, 0.35),
    "INT5": (0.35, 0.4),
    "INV6": (0.3, 0.45),
    "TR4": (0.3, 0.4),
    "INT7": (0.25, 0.45),
    "VC10": (0.25, 0.4),
}
USUAL = (0.06, 0.3)
# The demo users' forces take part, so their accounts have something to see.
ALWAYS = ("kent", "essex")
# 2022/23 used an earlier version without the two newest investigation standards.
NEW_IN_2023_24 = ("INV10", "INV11")


@dataclass
class BenchmarkingDemo:
    created: list[str]
    forces_2023_24: int
    standards_2023_24: int
    challenged: int
    interventions: int
    packages: int

    def lines(self) -> list[str]:
        made = ", ".join(self.created) if self.created else "none new, both kept as they were"
        return [
            f"Benchmarking: campaigns created: {made}.",
            f"  2023/24, counted from the records: {self.forces_2023_24} forces took part, "
            f"{self.standards_2023_24} standards; {self.challenged} grades challenged; "
            f"{self.interventions} thematic interventions; {self.packages} support packages",
        ]


def earlier_framework() -> FrameworkVersion:
    """The 2022/23 version: the shipped text less the standards added in 2023/24."""
    text = (SHIPPED_DIR / "nsts-2023-24.yaml").read_text(encoding="utf-8")
    text = text.replace('version: "2023-24"', 'version: "2022-23"').replace(
        "Standards 2023/24", "Standards 2022/23"
    )
    lines = [
        line
        for line in text.splitlines()
        if not any(f"{{ref: {r}," in line for r in NEW_IN_2023_24)
    ]
    version, _ = load_framework_text("nsts-2022-23 (demo)", "\n".join(lines) + "\n")
    return version


def _pick(rng: random.Random, reference: str, year_offset: float) -> str:
    red, amber = WEAK.get(reference, USUAL)
    red, amber = min(red + year_offset, 0.9), amber
    x = rng.random()
    return "red" if x < red else ("amber" if x < red + amber else "green")


def _run_campaign(
    rng: random.Random,
    version: FrameworkVersion,
    spec: tuple[str, date, int],
    forces: list[OrgUnit],
    national: User,
    coordinators: dict[int, User],
    *,
    year_offset: float,
    current: bool,
) -> Campaign:
    name, deadline, count = spec
    always = [f for f in forces if f.code in ALWAYS]
    others = [f for f in forces if f.code not in ALWAYS]
    taking_part = always + rng.sample(others, count - len(always))
    campaign = actions.do_open_campaign(
        version, name, deadline, taking_part, actor=national, start_from_previous=True
    )
    standards = list(version.standards.all())
    assessments = list(campaign.assessments.select_related("orgunit"))
    for a in assessments:
        entries = {}
        for s in standards:
            grade = _pick(rng, s.reference, year_offset)
            evidence = (
                ""
                if grade == "green" and rng.random() < 0.04
                else f"{s.evidence.split(';')[0]} ({a.orgunit.name}, {deadline.year - 1}/{deadline:%y})."
            )
            plan = (
                ""
                if grade == "green"
                else f"Action plan for {s.reference} owned by the force lead."
            )
            entries[s.pk] = actions.GradeEntry(grade, evidence, plan)
        actions.do_save_grades(a, entries, actor=national)
        actions.do_submit_assessment(a, actor=national, acknowledge_warnings=True)
        coordinator = coordinators.get(a.orgunit.parent_id or 0, national)
        greens = [
            g
            for g in a.grades.select_related("standard", "assessment__campaign__framework_version")
            if g.grade == "green"
        ]
        for g in rng.sample(greens, min(len(greens), rng.choice([0, 0, 1, 2]))):
            actions.do_challenge_grade(
                g,
                "amber",
                "Evidence seen at the review meeting does not yet show this in practice.",
                actor=coordinator,
            )
        if current and a.orgunit.code == "kent":
            continue  # left with its coordinator to review in the demo
        actions.do_review_assessment(a, actor=coordinator)
        if not (current and a.orgunit.code == "essex"):
            actions.do_finalise_assessment(a, actor=national)
    return campaign


def _interventions(campaign: Campaign, national: User, done: bool) -> None:
    statuses = [
        InterventionStatus.IN_PROGRESS,
        InterventionStatus.PLANNED,
        InterventionStatus.ACCEPTED,
    ]
    for i, (standard, _) in enumerate(collate(campaign).over_threshold()):
        item = actions.do_accept_intervention(campaign, standard, actor=national)
        status = InterventionStatus.COMPLETED if done else statuses[i % len(statuses)]
        if status != InterventionStatus.ACCEPTED:
            actions.do_update_intervention(
                item,
                status=status,
                plan=f"Regional workshops and a practice guide on {standard.title.lower()}.",
                lead="Modern Slavery and Organised Immigration Crime Unit",
                due=date(campaign.deadline.year, 9, 30),
                actor=national,
            )


def _packages(
    rng: random.Random, campaign: Campaign, national: User, coordinators: dict[int, User]
) -> None:
    for a in campaign.assessments.select_related("orgunit").exclude(status=AssessmentStatus.DRAFT):
        if a.orgunit.code == "kent":
            continue  # proposed once its coordinator has reviewed it
        coordinator = coordinators.get(a.orgunit.parent_id or 0, national)
        package = actions.do_propose_support_package(a, actor=coordinator)
        if not package.items.exists() or rng.random() < 0.15:
            continue  # still being discussed with the force
        actions.do_agree_support_package(package, actor=coordinator)
        for item in package.items.select_related("package", "offer"):
            if rng.random() < 0.45:
                day = date(2024, rng.randint(4, 9), rng.randint(1, 28))
                actions.do_record_support_delivery(item, "delivered", day, actor=coordinator)


def build_benchmarking_demo(national: User) -> BenchmarkingDemo:
    rng = random.Random(SEED)
    forces = list(OrgUnit.objects.forces().order_by("code"))
    coordinators = {
        u.orgunit_id: u
        for u in User.objects.filter(role=Role.REGIONAL, is_active=True).order_by("pk")
        if u.orgunit_id
    }
    current_version = FrameworkVersion.objects.get(framework="nsts", version="2023-24")
    created = []
    if not Campaign.objects.filter(name=EARLIER[0]).exists():
        earlier = _run_campaign(
            rng,
            earlier_framework(),
            EARLIER,
            forces,
            national,
            coordinators,
            year_offset=0.06,
            current=False,
        )
        _interventions(earlier, national, done=True)
        created.append(EARLIER[0])
    if not Campaign.objects.filter(name=CURRENT[0]).exists():
        current = _run_campaign(
            rng,
            current_version,
            CURRENT,
            forces,
            national,
            coordinators,
            year_offset=0.0,
            current=True,
        )
        _interventions(current, national, done=False)
        _packages(rng, current, national, coordinators)
        created.append(CURRENT[0])
    return summary(created)


def summary(created: list[str]) -> BenchmarkingDemo:
    campaign: Any = Campaign.objects.select_related("framework_version").get(name=CURRENT[0])
    return BenchmarkingDemo(
        created=created,
        forces_2023_24=Assessment.objects.filter(campaign=campaign).count(),
        standards_2023_24=campaign.framework_version.standards.count(),
        challenged=Grade.objects.filter(assessment__campaign=campaign)
        .exclude(agreed_grade="")
        .count(),
        interventions=campaign.interventions.count(),
        packages=SupportPackage.objects.filter(assessment__campaign=campaign).count(),
    )
