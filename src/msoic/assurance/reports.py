"""The force benchmarking report and the national benchmarking summary, as data that both
the HTML page and the XLSX download render (so the two never disagree)."""

from __future__ import annotations

from typing import Any

from msoic.assurance.collation import collate
from msoic.assurance.models import Assessment, Campaign

FORCE_HEADER = [
    "Reference",
    "Standard",
    "Area",
    "Self-grade",
    "Agreed grade",
    "Reason for agreed grade",
    "Evidence",
    "Planned actions",
]
NATIONAL_HEADER = ["Reference", "Standard", "Area", "Mean score", "Thematic intervention"]


def force_report(assessment: Assessment) -> dict[str, Any]:
    campaign = assessment.campaign
    version = campaign.framework_version
    c = collate(campaign)
    labels = {g["code"]: g["label"] for g in version.grades}
    areas = {a["code"]: a["title"] for a in version.areas}
    grades = list(assessment.grades.select_related("standard"))
    rows = []
    for g in grades:
        counts = c.counts(g.standard_id)
        rows.append(
            [
                g.standard.reference,
                g.standard.title,
                areas.get(g.standard.area, g.standard.area),
                labels.get(g.grade, ""),
                labels.get(g.agreed_grade, ""),
                g.challenge_reason,
                g.evidence,
                g.planned_actions,
                *[counts[code] for code in c.grade_codes],
            ]
        )
    header = FORCE_HEADER + [f"{labels[code]} nationally (forces)" for code in c.grade_codes]
    # The page shows the same figures in four columns, one table per area, so it fits the
    # column (eleven columns of free text did not); the downloads keep one column each.
    sections = []
    for a in version.areas:
        items = [
            {
                "grade": g,
                "label": labels.get(g.grade, ""),
                "agreed": labels.get(g.agreed_grade, "") if g.agreed_grade else "",
                "national": [
                    {"code": code, "label": labels[code], "count": c.counts(g.standard_id)[code]}
                    for code in c.grade_codes
                ],
            }
            for g in grades
            if g.standard.area == a["code"]
        ]
        if items:
            sections.append({"code": a["code"], "title": a["title"], "items": items})
    own = c.forces.get(assessment.orgunit.code)
    area_rows = [
        [
            a["title"],
            c.area_score(a["code"], [own]) if own else None,
            c.area_score(a["code"]),
        ]
        for a in version.areas
    ]
    return {
        "title": f"{assessment.orgunit.name}: {campaign.name}",
        "assessment": assessment,
        "header": header,
        "rows": rows,
        "sections": sections,
        "area_header": ["Area", "Force mean score", "National mean score"],
        "area_rows": area_rows,
        "notes": [
            f"{assessment.orgunit.name} – {campaign.name} ({version})",
            f"Status: {assessment.get_status_display()}. National figures count "
            f"{len(c.forces)} submitted assessments. Not a league table.",
        ],
    }


def national_summary(campaign: Campaign) -> dict[str, Any]:
    version = campaign.framework_version
    c = collate(campaign)
    labels = {g["code"]: g["label"] for g in version.grades}
    areas = {a["code"]: a["title"] for a in version.areas}
    taken = {i.standard_id: i for i in campaign.interventions.all()}
    rows = []
    for s in c.standards:
        counts = c.counts(s.pk)
        item = taken.get(s.pk)
        rows.append(
            [
                s.reference,
                s.title,
                areas.get(s.area, s.area),
                *[counts[code] for code in c.grade_codes],
                c.standard_score(s.pk),
                item.get_status_display() if item else "",
            ]
        )
    header = NATIONAL_HEADER[:3] + [f"{labels[code]} (forces)" for code in c.grade_codes]
    header += NATIONAL_HEADER[3:]
    return {
        "title": f"National benchmarking summary: {campaign.name}",
        "campaign": campaign,
        "header": header,
        "rows": rows,
        "area_header": ["Area", "National mean score"],
        "area_rows": [[a["title"], c.area_score(a["code"])] for a in version.areas],
        "notes": [
            f"{campaign.name} ({version})",
            f"{len(c.forces)} forces submitted; {len(c.standards)} standards. "
            "Not a comparative league table.",
        ],
    }
