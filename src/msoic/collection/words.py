"""Returns and figures named in words, for people: "Modern slavery monthly return, Kent
Police, October 2024"; "Live modern slavery investigations – criminal exploitation".

Codes (``ms-monthly``, ``kent``, ``2024-10``, ``exploitation_type=criminal``) stay in
URLs, the API's keys and files; pages, upload results and validation messages use these
names. Anything the catalogue no longer knows falls back to its code.
"""

from __future__ import annotations

from datetime import date

from msoic.catalogue.loader import Catalogue
from msoic.metrics.periods import MONTHLY, PeriodError, parse_period, period_label


def _lower_first(text: str) -> str:
    """'Criminal exploitation' → 'criminal exploitation'; 'NRM referrals' is kept."""
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def return_label(catalogue: Catalogue, dataset: str, orgunit_name: str, period: date) -> str:
    """ "Modern slavery monthly return, Kent Police, October 2024"."""
    ds = catalogue.datasets.get(dataset)
    label = ds.label if ds else dataset
    return f"{label}, {orgunit_name}, {period_label(ds.frequency if ds else MONTHLY, period)}"


def return_label_from_codes(
    catalogue: Catalogue, dataset: str, orgunit_name: str, period_code: str
) -> str:
    """As :func:`return_label`, for a period written as its code (``2024-10``,
    ``FY2024-25-Q1``); the code itself when it cannot be read."""
    ds = catalogue.datasets.get(dataset)
    try:
        period = parse_period(ds.frequency if ds else MONTHLY, period_code)
    except (PeriodError, ValueError):
        label = ds.label if ds else dataset
        return f"{label}, {orgunit_name}, {period_code}"
    return return_label(catalogue, dataset, orgunit_name, period)


def figure_label(catalogue: Catalogue, metric_code: str, cut: str = "") -> str:
    """A figure of a return by its label: the metric's, and the breakdown option's when the
    row is one part of it ("Live modern slavery investigations – criminal exploitation").
    '' for a metric the catalogue does not know (the problem is then the metric itself)."""
    metric = catalogue.metrics.get(metric_code.strip().lower())
    if metric is None:
        return ""
    if "=" not in cut:
        return metric.label
    name, option = (p.strip().lower() for p in cut.split("=", 1))
    breakdown = catalogue.breakdowns.get(name)
    if breakdown is None or name not in metric.breakdowns or option not in breakdown.options:
        return metric.label
    return f"{metric.label} – {_lower_first(breakdown.options[option])}"
