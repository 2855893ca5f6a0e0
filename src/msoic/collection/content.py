"""What a return holds: the merge of a correction into the current version, and its hash.

A correction replaces whole metrics (see docs/adr/0001): metrics present in a file replace
the current ones entirely, metrics absent from it are carried forward.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Protocol

Key = tuple[str, str, str]  # metric, breakdown, option
Content = dict[Key, tuple[int, str]]  # -> value, comment


class _Cell(Protocol):
    metric: str
    breakdown: str
    option: str
    value: int
    comment: str


def merge(current: Content, cells: Iterable[_Cell]) -> Content:
    cells = list(cells)
    replaced = {c.metric for c in cells}
    merged = {k: v for k, v in current.items() if k[0] not in replaced}
    for c in cells:
        merged[(c.metric, c.breakdown, c.option)] = (c.value, c.comment)
    return merged


def content_hash(content: Content) -> str:
    items = sorted([*k, v[0], v[1]] for k, v in content.items())
    return hashlib.sha256(json.dumps(items, separators=(",", ":")).encode("utf-8")).hexdigest()
