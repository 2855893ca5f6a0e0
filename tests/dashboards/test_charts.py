"""Chart specifications: titled and described, meaning not carried by colour alone."""

from __future__ import annotations

import json

from msoic.dashboards import charts

POINTS = [
    {"month": "2024-01-01", "value": 5, "returns": charts.COMPLETE},
    {"month": "2024-02-01", "value": None, "returns": charts.INCOMPLETE},
]


def test_trend_chart_has_title_description_and_marks_incomplete_months_by_shape():
    spec = charts.trend_chart("Kent Police", "Line chart of arrests.", POINTS, y_title="Arrests")
    assert spec["title"] == "Kent Police" and spec["description"] == "Line chart of arrests."
    shape = spec["layer"][1]["encoding"]["shape"]
    assert shape["field"] == "returns"
    assert shape["scale"]["domain"] == [charts.COMPLETE, charts.INCOMPLETE]
    assert len(set(shape["scale"]["range"])) == 2
    json.dumps(spec)  # embeddable as JSON


def test_series_are_told_apart_by_dash_as_well_as_colour():
    points = [dict(p, series=s) for p in POINTS for s in ("Adult", "Child", "Age unknown")]
    spec = charts.trend_chart(
        "England and Wales",
        "d",
        points,
        y_title="Referrals",
        series_title="Age group",
        series_order=["Adult", "Child", "Age unknown"],
    )
    line = spec["layer"][0]["encoding"]
    assert line["color"]["field"] == line["strokeDash"]["field"] == "series"
    dashes = line["strokeDash"]["scale"]["range"]
    assert len({tuple(d) for d in dashes}) == 3
    assert line["color"]["legend"]["symbolType"] == "stroke"


def test_bar_chart_labels_every_bar_with_text():
    bars = [
        {"label": "Eastern", "value": 10, "text": "10 (+5.0%)"},
        {"label": "Wales", "value": None, "text": "no figure"},
    ]
    spec = charts.bar_chart(
        "Year to Feb 2024", "Bar chart.", bars, label_title="Region", value_title="Crimes"
    )
    text_layer = spec["layer"][1]
    assert text_layer["mark"]["type"] == "text"
    assert text_layer["encoding"]["text"]["field"] == "text"
    assert spec["encoding"]["x"]["scale"]["domain"][1] > 10  # room for the end label


def test_palette_colours_contrast_with_white_at_least_three_to_one():
    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    for colour in charts.PALETTE:
        assert 1.05 / (luminance(colour) + 0.05) >= 3, colour
