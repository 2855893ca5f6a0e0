"""Collating a campaign: scores per standard, area and force, the distribution of grades,
standards over the intervention threshold, and year-on-year change.

Everything is computed from one query of grades (plus the standards), so the cost does not
grow in queries with the number of forces. Drafts do not count; submitted, reviewed and
finalised assessments do, each with its final grade (the agreed grade where challenged).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from msoic.assurance.models import AssessmentStatus, Campaign, Grade, Standard

COUNTED = (AssessmentStatus.SUBMITTED, AssessmentStatus.REVIEWED, AssessmentStatus.FINALISED)


@dataclass
class ForceRow:
    code: str
    name: str
    region_id: int | None
    grades: dict[int, str] = field(default_factory=dict)  # standard id → final grade
    challenged: set[int] = field(default_factory=set)


@dataclass
class Collation:
    campaign: Campaign
    standards: list[Standard]
    forces: dict[str, ForceRow]
    grade_codes: list[str]
    scores: dict[str, float]

    # --- distribution ---------------------------------------------------------------

    def counts(self, standard_id: int, forces: Iterable[ForceRow] | None = None) -> dict[str, int]:
        out = dict.fromkeys(self.grade_codes, 0)
        for f in self.forces.values() if forces is None else forces:
            g = f.grades.get(standard_id)
            if g in out:
                out[g] += 1
        return out

    def shares(self, standard_id: int) -> dict[str, float]:
        counts = self.counts(standard_id)
        total = sum(counts.values())
        return {k: (v / total if total else 0.0) for k, v in counts.items()}

    # --- scores ---------------------------------------------------------------------

    def _mean(self, pairs: Iterable[tuple[ForceRow, int]]) -> float | None:
        values = [
            self.scores[f.grades[sid]] for f, sid in pairs if f.grades.get(sid) in self.scores
        ]
        return round(sum(values) / len(values), 2) if values else None

    def standard_score(
        self, standard_id: int, forces: Iterable[ForceRow] | None = None
    ) -> float | None:
        rows = self.forces.values() if forces is None else forces
        return self._mean((f, standard_id) for f in rows)

    def area_score(self, area: str, forces: Iterable[ForceRow] | None = None) -> float | None:
        rows = list(self.forces.values() if forces is None else forces)
        ids = [s.pk for s in self.standards if s.area == area]
        return self._mean((f, sid) for f in rows for sid in ids)

    def force_score(self, force: ForceRow) -> float | None:
        return self._mean((force, s.pk) for s in self.standards)

    # --- thematic interventions ------------------------------------------------------

    def over_threshold(self) -> list[tuple[Standard, str]]:
        """Standards that cross the framework's thresholds, each with the reason."""
        t = self.campaign.framework_version.definition.get("thresholds", {})
        worst = self.grade_codes[0]
        second = self.grade_codes[1] if len(self.grade_codes) > 2 else None
        out = []
        for s in self.standards:
            counts = self.counts(s.pk)
            total = sum(counts.values())
            if not total:
                continue
            red = counts[worst]
            weak = red + (counts[second] if second else 0)
            reasons = []
            if "red_forces" in t and red >= t["red_forces"]:
                reasons.append(f"{red} forces graded it {worst}")
            if "red_share" in t and red / total >= t["red_share"]:
                reasons.append(f"{red / total:.0%} of forces graded it {worst}")
            if second and "red_amber_share" in t and weak / total >= t["red_amber_share"]:
                reasons.append(f"{weak / total:.0%} of forces graded it {worst} or {second}")
            if reasons:
                out.append((s, "; ".join(reasons)))
        return out


def collate(campaign: Campaign) -> Collation:
    version = campaign.framework_version
    standards = list(version.standards.all())
    rows = (
        Grade.objects.filter(assessment__campaign=campaign, assessment__status__in=COUNTED)
        .values_list(
            "assessment__orgunit__code",
            "assessment__orgunit__name",
            "assessment__orgunit__parent_id",
            "standard_id",
            "grade",
            "agreed_grade",
        )
        .order_by("assessment__orgunit__name")
    )
    forces: dict[str, ForceRow] = {}
    for code, name, region_id, standard_id, grade, agreed in rows:
        f = forces.get(code)
        if f is None:
            f = forces[code] = ForceRow(code=code, name=name, region_id=region_id)
        f.grades[standard_id] = agreed or grade
        if agreed:
            f.challenged.add(standard_id)
    return Collation(
        campaign=campaign,
        standards=standards,
        forces=forces,
        grade_codes=version.grade_codes,
        scores={g["code"]: float(g["score"]) for g in version.grades},
    )


def previous_campaign(campaign: Campaign) -> Campaign | None:
    return (
        Campaign.objects.filter(
            framework_version__framework=campaign.framework_version.framework,
            deadline__lt=campaign.deadline,
        )
        .select_related("framework_version")
        .order_by("-deadline")
        .first()
    )


def _old_refs(standard: Standard) -> list[str]:
    return standard.maps_from or [standard.reference]


def year_on_year(
    now: Collation, before: Collation, forces: set[str] | None = None
) -> dict[str, Any]:
    """Change in mean score per standard and per area, following ``maps_from`` for renamed
    or split standards. ``forces`` limits both years to those forces (a region, one force)."""

    def pick(c: Collation) -> list[ForceRow]:
        return [f for code, f in c.forces.items() if forces is None or code in forces]

    now_rows, before_rows = pick(now), pick(before)
    old_by_ref = {s.reference: s for s in before.standards}
    standards = []
    for s in now.standards:
        olds = [old_by_ref[r] for r in _old_refs(s) if r in old_by_ref]
        score_now = now.standard_score(s.pk, now_rows)
        old_scores = [before.standard_score(o.pk, before_rows) for o in olds]
        known = [x for x in old_scores if x is not None]
        score_before = round(sum(known) / len(known), 2) if known else None
        change = (
            round(score_now - score_before, 2)
            if score_now is not None and score_before is not None
            else None
        )
        standards.append(
            {
                "standard": s,
                "before_refs": [o.reference for o in olds],
                "before": score_before,
                "now": score_now,
                "change": change,
            }
        )
    areas = []
    by_area: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for s, row in zip(now.standards, standards, strict=True):
        by_area[s.area].append(row)
    for area in now.campaign.framework_version.areas:
        changes = [r["change"] for r in by_area[area["code"]] if r["change"] is not None]
        areas.append(
            {
                "area": area,
                "now": now.area_score(area["code"], now_rows),
                "change": round(sum(changes) / len(changes), 2) if changes else None,
            }
        )
    return {"standards": standards, "areas": areas}
