"""Disclosure control for partner-visible and published outputs (ADR 0010).

Sits after the metric engine in the layers: it may import metrics, catalogue, orgunits and
accounts, never a feature app. Its callers (the API, the dashboards, the NRM picture, the
annual report) ask :func:`msoic.disclosure.control.controlled` whether a user gets figures
through it, and pass counts of people through :class:`msoic.disclosure.control.Release`
or :func:`msoic.disclosure.values.controlled_dict`.
"""
