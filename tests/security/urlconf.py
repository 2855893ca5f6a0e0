"""Walk the URLconf: every URL pattern with its full route, name and parameters."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern

# Values tried for a URL's parameters when a test only needs *a* URL of that shape.
CANDIDATES = [
    "999999",
    "kent",
    "ms",
    "oic",
    "csv",
    "xlsx",
    "ms-monthly",
    "2024-01",
    "x",
    "00000000-0000-0000-0000-000000000000",
]


@dataclass(frozen=True)
class Pattern:
    route: str
    name: str | None
    params: tuple[str, ...]  # names of the route's parameters (path converters or regex groups)
    callback: Any

    @property
    def parameterised(self) -> bool:
        return bool(self.params)


def _params(pattern: Any) -> list[str]:
    if isinstance(pattern, RegexPattern):
        return list(pattern.regex.groupindex)
    return list(getattr(pattern, "converters", {}))


def all_patterns() -> list[Pattern]:
    found: list[Pattern] = []

    def walk(patterns: list[Any], prefix: str, params: list[str], namespace: str) -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            here = params + _params(p.pattern)
            if isinstance(p, URLResolver):
                walk(
                    p.url_patterns,
                    route,
                    here,
                    namespace + (f"{p.namespace}:" if p.namespace else ""),
                )
            elif isinstance(p, URLPattern):
                name = namespace + p.name if p.name else None
                found.append(Pattern(route, name, tuple(here), p.callback))

    walk(get_resolver().url_patterns, "", [], "")
    return found


def sample_url(pattern: Pattern) -> str:
    """A URL the pattern matches, with made-up parameter values that satisfy its converters."""
    if pattern.name is None:
        raise AssertionError(f"URL {pattern.route!r} has no name: name it so tests can reach it")
    if not pattern.params:
        return reverse(pattern.name)
    for values in itertools.product(CANDIDATES, repeat=len(pattern.params)):
        try:
            return reverse(pattern.name, kwargs=dict(zip(pattern.params, values, strict=True)))
        except NoReverseMatch:
            continue
    raise AssertionError(f"no sample values fit {pattern.route!r}")
