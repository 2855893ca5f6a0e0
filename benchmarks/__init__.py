"""Benchmarks for MSOIC Insight: ``python -m benchmarks`` (``make bench``) prints a table.

Each benchmark is a module that builds a throwaway SQLite database in a temporary
directory, loads the data it needs and measures one thing:

- :mod:`benchmarks.import_returns`: one month's XLSX returns from all 43 forces through the
  full collection pipeline, against only reading the same files with python-calamine;
- :mod:`benchmarks.dashboard_queries`: the national dashboard's metric-engine calls and the
  values API over ten years of returns.

``python -m benchmarks --quick`` is a smaller, faster run of both.
"""
