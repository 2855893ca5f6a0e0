"""What a user sees of a campaign's collated results, scoped by role: the unit every force,
a coordinator their region's forces, a force its own results; everyone the national
distribution as counts and shares (never another named force)."""

from __future__ import annotations

from typing import Any

from msoic.accounts import access
from msoic.assurance.collation import Collation, collate, previous_campaign, year_on_year
from msoic.assurance.heatmap import HeatmapFilterForm, build_heatmap
from msoic.assurance.models import Campaign

GRADE_TAGS = {"red": "govuk-tag--red", "amber": "govuk-tag--orange", "green": "govuk-tag--green"}


def visible_orgunits(user: Any) -> dict[str, tuple[str, str]]:
    """Code -> (region code, region name) of every org unit the user may see in detail
    (regions and the nation have no region: ('', ''))."""
    rows = access.detail_orgunits(user).values_list("code", "parent__code", "parent__name")
    return {code: (parent or "", name or "") for code, parent, name in rows}


def results_for(user: Any, campaign: Campaign, filters: Any = None) -> dict[str, Any]:
    """The results page's context; ``filters`` (the query string) picks the heatmap's region
    and area."""
    c = collate(campaign)
    version = campaign.framework_version
    labels = {g["code"]: g["label"] for g in version.grades}
    regions = visible_orgunits(user)
    codes = set(regions)
    shown = [f for f in c.forces.values() if f.code in codes]
    national = access.is_national(user)
    standards = []
    for s in c.standards:
        counts = c.counts(s.pk)
        shares = c.shares(s.pk)
        standards.append(
            {
                "standard": s,
                "distribution": [
                    {
                        "code": g,
                        "label": labels[g],
                        "count": counts[g],
                        "share": shares[g],
                        "pct": round(shares[g] * 100),
                        "tag": GRADE_TAGS.get(g, ""),
                    }
                    for g in c.grade_codes
                ],
                "score": c.standard_score(s.pk),
                "cells": [
                    {
                        "force": f.name,
                        "code": f.grades.get(s.pk, ""),
                        "label": labels.get(f.grades.get(s.pk, ""), "–"),
                        "tag": GRADE_TAGS.get(f.grades.get(s.pk, ""), ""),
                        "challenged": s.pk in f.challenged,
                    }
                    for f in shown
                ],
            }
        )
    areas = [
        {
            "area": a,
            "national": c.area_score(a["code"]),
            "yours": c.area_score(a["code"], shown) if shown and not national else None,
        }
        for a in version.areas
    ]
    context: dict[str, Any] = {
        "campaign": campaign,
        "collation": c,
        "taking_part": len(c.forces),
        "shown": shown,
        "force_scores": [{"force": f, "score": c.force_score(f)} for f in shown],
        "standards": standards,
        "areas": areas,
        "is_national": national,
        "scope": "national" if national else ("region" if len(codes) > 1 else "force"),
    }
    if context["scope"] != "force":
        context.update(_heatmap(c, shown, version, regions, filters))
    before = previous_campaign(campaign)
    if before is not None:
        prior = collate(before)
        context["previous"] = before
        context["yoy"] = year_on_year(c, prior)
        if not national:
            context["yoy_yours"] = year_on_year(c, prior, forces=codes)
    if national:
        context["proposals"] = _proposals(c)
    return context


def _heatmap(
    c: Collation,
    shown: list[Any],
    version: Any,
    regions: dict[str, tuple[str, str]],
    filters: Any,
) -> dict[str, Any]:
    region_choices = sorted({regions[f.code] for f in shown if regions.get(f.code, ("", ""))[0]})
    form = HeatmapFilterForm(
        filters or None,
        regions=[(code, name) for code, name in sorted(region_choices, key=lambda r: r[1])],
        areas=[(a["code"], a["title"]) for a in version.areas],
    )
    picked = form.cleaned_data if form.is_bound and form.is_valid() else {}
    return {
        "heatmap": build_heatmap(
            c,
            shown,
            version,
            regions,
            region=picked.get("region", ""),
            area=picked.get("area", ""),
        ),
        "heatmap_form": form,
        "heatmap_regions": len(region_choices),
    }


def _proposals(c: Collation) -> list[dict[str, Any]]:
    taken = {i.standard_id: i for i in c.campaign.interventions.all()}
    return [
        {"standard": s, "reason": reason, "intervention": taken.get(s.pk)}
        for s, reason in c.over_threshold()
    ]


def export_rows(context: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """The results table as rows for CSV/XLSX: distribution, then the user's visible forces."""
    c: Collation = context["collation"]
    header = ["Reference", "Standard", "Area"]
    header += [f"{g} (forces)" for g in c.grade_codes]
    header += ["National mean score"] + [f.name for f in context["shown"]]
    rows = []
    for row in context["standards"]:
        s = row["standard"]
        rows.append(
            [s.reference, s.title, s.area]
            + [d["count"] for d in row["distribution"]]
            + [row["score"]]
            + [cell["label"] + (" (agreed)" if cell["challenged"] else "") for cell in row["cells"]]
        )
    return header, rows
