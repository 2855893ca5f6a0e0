"""The benchmarking heatmap: forces as rows and standards as columns, one table per area, so
that each fits the page (47 standards side by side did not: 4,910 px in a 960 px column).

Standards are named by their short reference (LG1, INV11) with the title in a key and in
the column header for screen readers; each grade is a letter (R, A, G) on a saturated colour,
so it reads without colour too. Forces are sorted by need: most Red in the area first, then
most Amber, then by name. The unit filters by region and area; a coordinator sees their
region's forces only (the rows come from the forces the access layer shows them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms

from msoic.assurance.collation import Collation, ForceRow

# The grade's letter and CSS modifier; a scale with other codes falls back to its label.
LETTERS = {"red": "R", "amber": "A", "green": "G"}
NEED = ("red", "amber")  # the grades that count as need, worst first


class HeatmapFilterForm(forms.Form):
    """Which region's forces and which area's standards to show ('' for all)."""

    region = forms.ChoiceField(required=False, label="Region")
    area = forms.ChoiceField(required=False, label="Area")

    def __init__(
        self, data: Any, *, regions: list[tuple[str, str]], areas: list[tuple[str, str]]
    ) -> None:
        super().__init__(data)
        region = self.fields["region"]
        area = self.fields["area"]
        assert isinstance(region, forms.ChoiceField) and isinstance(area, forms.ChoiceField)
        region.choices = [("", "All regions"), *regions]
        area.choices = [("", "All areas"), *areas]
        region.error_messages["invalid_choice"] = "Select a region from the list"
        area.error_messages["invalid_choice"] = "Select an area from the list"


@dataclass
class HeatRow:
    force: ForceRow
    region: str
    cells: list[dict[str, Any]]
    need: dict[str, int] = field(default_factory=dict)  # grade code -> standards so graded

    def sort_key(self) -> tuple[int, ...] | tuple[Any, ...]:
        return (*(-self.need.get(g, 0) for g in NEED), self.force.name)


@dataclass
class HeatArea:
    code: str
    title: str
    standards: list[Any]
    rows: list[HeatRow]

    @property
    def red(self) -> int:
        return sum(r.need.get("red", 0) for r in self.rows)


def build_heatmap(
    c: Collation,
    shown: list[ForceRow],
    version: Any,
    regions: dict[str, tuple[str, str]],
    *,
    region: str = "",
    area: str = "",
) -> list[HeatArea]:
    """One :class:`HeatArea` per area of ``version`` (or only ``area``), over the forces in
    ``shown`` (only those of ``region`` if given). ``regions``: force code -> (region code,
    region name)."""
    labels = {g["code"]: g["label"] for g in version.grades}
    forces = [f for f in shown if not region or regions.get(f.code, ("", ""))[0] == region]
    out = []
    for a in version.areas:
        if area and a["code"] != area:
            continue
        standards = [s for s in c.standards if s.area == a["code"]]
        rows = []
        for f in forces:
            need = dict.fromkeys(c.grade_codes, 0)
            cells = []
            for s in standards:
                code = f.grades.get(s.pk, "")
                if code in need:
                    need[code] += 1
                cells.append(
                    {
                        "code": code,
                        "letter": LETTERS.get(code, labels.get(code, "–")[:1]) if code else "–",
                        "label": labels.get(code, "Not graded"),
                        "challenged": s.pk in f.challenged,
                        "standard": s,
                    }
                )
            rows.append(HeatRow(f, regions.get(f.code, ("", ""))[1], cells, need))
        rows.sort(key=HeatRow.sort_key)
        out.append(HeatArea(a["code"], a["title"], standards, rows))
    return out
