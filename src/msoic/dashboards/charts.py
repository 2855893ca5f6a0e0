"""Vega-Lite chart specifications, built on the server from figures the engine returned.

The specs are plain JSON-able dicts: the page embeds each in a
``<script type="application/json">`` block and ``static/msoic/charts.js`` draws it with
vega-embed (using Vega's expression interpreter, so the page needs no ``eval``). Reports
can reuse the same specs (``vl-convert`` renders them to SVG or PNG on the server).

Accessibility: every spec carries a title and a ``description`` (Vega turns it into the
SVG's accessible name); a series is told apart by line dash and point shape as well as
colour; bars carry their value as text; incomplete months are marked by shape.
"""

from __future__ import annotations

from typing import Any

# Colours with at least 3:1 contrast against white (WCAG 2.2, 1.4.11 non-text contrast).
PALETTE = ["#1d70b8", "#912b88", "#00703c", "#505a5f", "#b1560f", "#0b0c0c"]
DASHES = [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3], [1, 4], [10, 2]]
SHAPES = ["circle", "square", "triangle-up", "diamond", "cross", "triangle-down"]
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
TEXT = "#0b0c0c"
MUTED = "#505a5f"

COMPLETE = "All expected returns received"
INCOMPLETE = "Some returns missing"


def _config() -> dict[str, Any]:
    return {
        "font": FONT,
        "view": {"stroke": None},
        "axis": {
            "labelFontSize": 13,
            "titleFontSize": 13,
            "labelColor": TEXT,
            "titleColor": TEXT,
            "titleFontWeight": "normal",
            "gridColor": "#e5e6e7",
            "domainColor": MUTED,
            "tickColor": MUTED,
        },
        "legend": {
            "labelFontSize": 13,
            "titleFontSize": 13,
            "labelColor": TEXT,
            "titleColor": TEXT,
            "orient": "bottom",
            "direction": "vertical",
            "labelLimit": 320,
        },
        "header": {
            "labelFontSize": 14,
            "titleFontSize": 14,
            "labelColor": TEXT,
            "labelFontWeight": "bold",
        },
        "title": {"fontSize": 16, "anchor": "start", "color": TEXT, "offset": 12},
        "text": {"font": FONT, "fontSize": 12, "color": TEXT},
    }


def _base(title: str, description: str) -> dict[str, Any]:
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "title": title,
        "description": description,
        "config": _config(),
        "autosize": {"type": "fit-x", "contains": "padding"},
        "background": "#ffffff",
    }


def _largest_first(bars: list[dict[str, Any]]) -> list[str]:
    """Labels by value, largest first, bars without a figure last (then by label)."""
    ranked = sorted(
        bars, key=lambda b: (b.get("value") is None, -(b.get("value") or 0), b["label"])
    )
    return [b["label"] for b in ranked]


def _month_axis() -> dict[str, Any]:
    return {
        "title": None,
        "format": "%b %Y",
        "labelAngle": 0,
        "tickCount": {"interval": "month", "step": 6},
        "labelOverlap": True,
    }


def trend_chart(
    title: str,
    description: str,
    points: list[dict[str, Any]],
    *,
    y_title: str,
    series_title: str | None = None,
    series_order: list[str] | None = None,
) -> dict[str, Any]:
    """Monthly values as a line, or one line per series.

    ``points``: dicts with ``month`` (``YYYY-MM-01``), ``value``, ``returns`` (COMPLETE or
    INCOMPLETE, shown by the point's shape) and, with ``series_title``, ``series`` (one
    line each, told apart by colour, dash and in the table alternative).
    """
    spec = _base(title, description)
    x = {
        "field": "month",
        "type": "temporal",
        "timeUnit": "utcyearmonth",
        "axis": _month_axis(),
        "title": "Month",
        "scale": {"padding": 8},  # room for the first and last points' markers
    }
    y = {
        "field": "value",
        "type": "quantitative",
        "title": y_title,
        "axis": {"format": ",d", "tickMinStep": 1},
        "scale": {"zero": True},
    }
    tooltip: list[dict[str, Any]] = [
        {
            "field": "month",
            "type": "temporal",
            "timeUnit": "utcyearmonth",
            "title": "Month",
            "format": "%B %Y",
        },
        {"field": "value", "type": "quantitative", "title": y_title, "format": ","},
        {"field": "returns", "type": "nominal", "title": "Returns"},
    ]
    line: dict[str, Any] = {"x": x, "y": y}
    point: dict[str, Any] = {
        "x": x,
        "y": y,
        "tooltip": tooltip,
        "shape": {
            "field": "returns",
            "type": "nominal",
            "title": "Returns",
            "scale": {"domain": [COMPLETE, INCOMPLETE], "range": ["circle", "triangle-down"]},
        },
    }
    if all(p["returns"] == COMPLETE for p in points):
        point["shape"]["legend"] = None  # nothing missing: no triangles to explain
    if series_title:
        order = series_order or sorted({p["series"] for p in points})
        colour = {
            "field": "series",
            "type": "nominal",
            "title": series_title,
            "scale": {"domain": order, "range": PALETTE[: len(order)]},
            "sort": order,
        }
        dash = {
            "field": "series",
            "type": "nominal",
            "title": series_title,
            "scale": {"domain": order, "range": DASHES[: len(order)]},
            "sort": order,
        }
        # One legend for the series, drawn with each line's own colour and dash.
        colour["legend"] = {
            "symbolType": "stroke",
            "symbolStrokeWidth": 2,
            "symbolSize": 300,
            "titleLimit": 400,
        }
        line.update({"color": colour, "strokeDash": dash})
        point.update({"color": colour})
        tooltip.insert(1, {"field": "series", "type": "nominal", "title": series_title})
    spec.update(
        {
            "data": {"values": points},
            "width": "container",
            "height": 240,
            "layer": [
                {"mark": {"type": "line", "strokeWidth": 2, "color": PALETTE[0]}, "encoding": line},
                {
                    "mark": {
                        "type": "point",
                        "filled": True,
                        "size": 36,
                        "color": PALETTE[0],
                        "opacity": 1,
                    },
                    "encoding": point,
                },
            ],
        }
    )
    return spec


def bar_chart(
    title: str,
    description: str,
    bars: list[dict[str, Any]],
    *,
    label_title: str,
    value_title: str,
    percent: bool = False,
    sort: list[str] | None = None,
) -> dict[str, Any]:
    """Horizontal bars, each labelled with its value as text.

    ``bars``: dicts with ``label``, ``value`` (a number, or None for no figure),
    ``text`` (what the bar's end label says; a bar without a figure shows it at zero) and
    optionally ``href`` (where selecting the bar or its label goes: Vega-Lite's ``href``
    channel, which vega-embed follows on click without any inline script). Largest first
    unless ``sort`` gives the order.
    """
    spec = _base(title, description)
    # The end label sits at the bar's end, or at zero when there is no bar to end.
    bars = [{**b, "at": b.get("value") or 0} for b in bars]
    fmt = ".0%" if percent else ",d"
    x: dict[str, Any] = {
        "field": "value",
        "type": "quantitative",
        "title": value_title,
        "axis": {"format": fmt, "tickMinStep": 0.01 if percent else 1, "tickCount": 5},
    }
    top = max((b["value"] for b in bars if b.get("value") is not None), default=0)
    # Head room for the end labels of the longest bar.
    x["scale"] = {"domain": [0, 1 if percent else max(1, top * 1.18)], "nice": not percent}
    spec.update(
        {
            "data": {"values": bars},
            "width": "container",
            "height": 22 * max(1, len(bars)),
            "encoding": {
                "y": {
                    "field": "label",
                    "type": "nominal",
                    "title": None,
                    "sort": sort or _largest_first(bars),
                    "axis": {"labelLimit": 260},
                },
                "x": x,
                "tooltip": [
                    {"field": "label", "type": "nominal", "title": label_title},
                    {"field": "text", "type": "nominal", "title": value_title},
                ],
            },
            "layer": [
                # The chart's description names it and a table beside it holds every
                # figure: the marks are hidden from assistive technology, and a layer whose
                # bars are all withheld (no value to draw) leaves no unnamed container.
                {"mark": {"type": "bar", "color": PALETTE[0], "aria": False}},
                {
                    "mark": {
                        "type": "text",
                        "align": "left",
                        "dx": 4,
                        "color": TEXT,
                        "aria": False,
                    },
                    "encoding": {
                        "text": {"field": "text"},
                        "x": {**x, "field": "at"},
                    },
                },
            ],
        }
    )
    if any(b.get("href") for b in bars):
        # Keyboard and screen reader users follow the same links from the table's row
        # headers: the chart is an image to assistive technology.
        spec["encoding"]["href"] = {"field": "href", "type": "nominal"}
    return spec
