"""Disclosure control: the one layer every partner-visible or published count of people
passes through (ADR 0010).

Three parts, applied together:

1. **Fixed periods.** A partner asks for a count of people over the policy's periods only
   (financial years), which never overlap, so no figure is a difference of two others over
   time (:func:`check_period`).
2. **Cell-key perturbation** (the method of the ONS for Census 2021). Every released count
   gets a small noise chosen by the cell's *key*: for counts from records, a keyed hash of
   the records in the cell (their number and the sum of their ids), so the same people give
   the same figure in every table, chart, download and request; for counts from returns, a
   keyed hash of (metric, org unit, period, breakdown, option). Asking again returns the
   same figure, so averaging many answers learns nothing. The key is
   ``settings.MSOIC_DISCLOSURE_KEY`` (or one derived from ``SECRET_KEY``).
3. **Primary and secondary suppression, checked by linear algebra.** A :class:`Release`
   holds linked tables as *cells* over *atoms* (the finest groups the figures are sums
   of). A count under the threshold is withheld (``<5``); then, while any withheld count
   or any atom under the threshold can be written as a combination of the shown cells
   (solved exactly, over the rationals), the smallest shown cell in that combination is
   withheld too (``[c]``). So no sum or difference of what a page shows gives a small
   count, whichever lines of whichever tables are combined.

Forces, coordinators and the unit read exact figures: :func:`controlled` says who does not.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from itertools import combinations

from django.conf import settings
from django.utils import timezone

from msoic.accounts import access
from msoic.disclosure.policy import Policy, get_policy
from msoic.metrics.periods import Period, last_complete_month

PRIMARY = "<5"
SECONDARY = "[c]"
NOTE = (
    "Figures of people are rounded at random by a small amount (the same figure every time "
    "it is shown); counts under 5 are shown as <5, and figures shown as [c] are withheld so "
    "that no sum or difference reveals a small count."
)
PERIOD_NAMES = {
    "fy": "financial years (e.g. FY2023-24)",
    "quarter": "financial-year quarters (e.g. FY2023-24-Q1)",
    "year": "calendar years (e.g. 2023)",
    "month": "months (e.g. 2024-02)",
    "r12": "rolling twelve months (e.g. R12-2024-02)",
}


class DisclosureError(ValueError):
    """A request that disclosure control refuses (e.g. a period partners may not ask for)."""


def controlled(user: object) -> bool:
    """Does ``user`` get figures through disclosure control? Everyone who reads no
    record-level data: partners, administrators, and anyone not signed in (published)."""
    return not access.can_see_register(user)  # type: ignore[arg-type]


def check_period(period: Period, what: str = "figures of people") -> None:
    """Refuse a period a partner may not ask for, saying which they may: one of the
    policy's kinds, and over (a year to date would overlap the whole year later)."""
    policy = get_policy()
    if period.kind not in policy.partner_periods:
        allowed = " or ".join(PERIOD_NAMES[k] for k in policy.partner_periods)
        raise DisclosureError(
            f"{period.code}: {what} are released to partners for {allowed} only, so that no "
            f"two periods overlap and no small count can be found by subtraction"
        )
    if period.end > last_complete_month(timezone.localdate()):
        raise DisclosureError(
            f"{period.code} is not over yet: {what} are released to partners once the period "
            f"has ended"
        )


@lru_cache(maxsize=4)
def _secret(configured: str, fallback: str) -> bytes:
    if configured:
        return configured.encode()
    return hmac.new(fallback.encode(), b"msoic-disclosure-cell-key", hashlib.sha256).digest()


def cell_key(*parts: object) -> int:
    """A 64-bit key for a cell, keyed with the disclosure secret (unguessable without it)."""
    secret = _secret(getattr(settings, "MSOIC_DISCLOSURE_KEY", ""), settings.SECRET_KEY)
    text = "\x1f".join(str(p) for p in parts).encode()
    return int.from_bytes(hmac.new(secret, text, hashlib.sha256).digest()[:8], "big")


def value_key(
    metric: str, orgunit: str, period: str, breakdown: str, option: str, count: int
) -> int:
    """The key of a cell of figures from returns: its identity and its true count, so the
    same contents get the same noise every time (no averaging) and any revision (a late
    return, a correction) redraws it: two releases never differ by the change exactly."""
    return cell_key("value", metric, orgunit, period, breakdown, option, int(count))


def records_key(count: int, id_sum: int) -> int:
    """The key of a cell counted from records: the same records, the same key."""
    return cell_key("records", count, id_sum)


def noise(key: int, policy: Policy | None = None) -> int:
    policy = policy or get_policy()
    at = key % policy.noise_weights
    for value, weight in policy.noise:
        if at < weight:
            return value
        at -= weight
    raise AssertionError("noise weights exhausted")  # pragma: no cover


def perturb(value: int, key: int, policy: Policy | None = None) -> int:
    """The released figure for a count of ``value`` in a cell with ``key``: never under the
    threshold (a count under it is withheld, not perturbed)."""
    policy = policy or get_policy()
    if value < policy.threshold:
        return value
    return max(policy.threshold, value + noise(key, policy))


@dataclass(frozen=True)
class Shown:
    """One released cell: ``value`` None when withheld, ``text`` as displayed."""

    value: int | None
    text: str

    @property
    def withheld(self) -> bool:
        return self.value is None


@dataclass
class _Cell:
    atoms: frozenset[str]
    key: int
    fixed: bool  # shown in other releases too (a grand total): never withheld as secondary


@dataclass
class Release:
    """Linked tables released together: atoms (the finest groups, with their counts) and
    cells (sums of atoms, each with its cell key). :meth:`resolve` says what each cell
    shows."""

    policy: Policy = field(default_factory=get_policy)
    atoms: dict[str, int] = field(default_factory=dict)
    cells: dict[str, _Cell] = field(default_factory=dict)
    # Also protect every sum of withheld cells (over disjoint atoms) under the threshold:
    # two operations of 1 and 3 must not be found together as a total minus the rest.
    protect_sums: bool = False

    def atom(self, name: str, count: int) -> str:
        self.atoms[name] = self.atoms.get(name, 0) + int(count)
        return name

    def cell(self, name: str, atoms: Iterable[str], *, key: int, fixed: bool = False) -> str:
        members = frozenset(atoms)
        unknown = members - self.atoms.keys()
        if unknown:
            raise KeyError(f"cell {name!r}: unknown atoms {sorted(unknown)}")
        self.cells[name] = _Cell(members, key, fixed)
        return name

    def total(self, name: str, parts: Iterable[str], total: int, *, key: int) -> str:
        """A grand-total cell over ``parts`` (atoms) and whatever ``total`` holds beyond them
        (an ``unallocated`` atom: e.g. a return without a breakdown): fixed, as it is shown
        in other releases too."""
        members = list(parts)
        allocated = sum(self.atoms[a] for a in members)
        members.append(self.atom("unallocated", max(0, int(total) - allocated)))
        return self.cell(name, members, key=key, fixed=True)

    def value(self, name: str) -> int:
        return sum(self.atoms[a] for a in self.cells[name].atoms)

    def resolve(self) -> dict[str, Shown]:
        threshold = self.policy.threshold
        # An empty atom counts as known to the attacker (they may know no one of that kind
        # was referred): it is left out of the equations, which makes them stronger.
        order = sorted(a for a, n in self.atoms.items() if n)
        index = {a: i for i, a in enumerate(order)}

        def vector(atoms: Iterable[str]) -> tuple[int, ...]:
            v = [0] * len(order)
            for a in atoms:
                if a in index:
                    v[index[a]] = 1
            return tuple(v)

        vectors = {name: vector(c.atoms) for name, c in self.cells.items()}
        primary = {name for name in self.cells if self.value(name) < threshold}
        targets = [vectors[name] for name in sorted(primary) if any(vectors[name])]
        targets += [vector([a]) for a in order if self.atoms[a] < threshold]
        if self.protect_sums:
            targets += self._small_sums(sorted(primary), threshold, vector)
        hidden = set(primary)
        while True:
            shown = [n for n in sorted(self.cells) if n not in hidden]
            combo = _first_determined(targets, [(n, vectors[n]) for n in shown])
            if combo is None:
                break
            candidates = [n for n in combo if not self.cells[n].fixed]
            if not candidates:
                # Nothing left to withhold but figures other tables show: withhold it all.
                hidden.update(self.cells)
                break
            hidden.add(min(candidates, key=lambda n: (self.value(n), n)))

        out: dict[str, Shown] = {}
        for name, c in self.cells.items():
            if name in primary:
                out[name] = Shown(None, PRIMARY)
            elif name in hidden:
                out[name] = Shown(None, SECONDARY)
            else:
                released = perturb(self.value(name), c.key, self.policy)
                out[name] = Shown(released, str(released))
        return out

    def _small_sums(
        self,
        withheld: list[str],
        threshold: int,
        vector: Callable[[Iterable[str]], tuple[int, ...]],
    ) -> list[tuple[int, ...]]:
        """Sums of two or more withheld non-empty cells with disjoint atoms whose count is
        under the threshold (each holds at least one, so at most ``threshold - 1`` cells)."""
        cells = [n for n in withheld if self.value(n) > 0]
        out: list[tuple[int, ...]] = []
        for size in range(2, threshold):
            for group in combinations(cells, size):
                members = [self.cells[n].atoms for n in group]
                union = frozenset().union(*members)
                if len(union) != sum(len(m) for m in members):
                    continue  # overlapping cells: not one count of people
                if sum(self.value(n) for n in group) < threshold:
                    out.append(vector(union))
        return out


def _first_determined(
    targets: list[tuple[int, ...]], rows: list[tuple[str, tuple[int, ...]]]
) -> list[str] | None:
    """The shown cells in a combination giving the first target exactly, or None when no
    target lies in the span of the shown cells (Gaussian elimination over the rationals)."""
    basis: list[tuple[int, list[Fraction], dict[str, Fraction]]] = []  # (pivot, row, combo)

    def reduce(
        vec: list[Fraction], combo: dict[str, Fraction]
    ) -> tuple[list[Fraction], dict[str, Fraction]]:
        for pivot, row, row_combo in basis:
            factor = vec[pivot]
            if factor:
                vec = [x - factor * y for x, y in zip(vec, row, strict=True)]
                for n, c in row_combo.items():
                    combo[n] = combo.get(n, Fraction(0)) - factor * c
        return vec, combo

    for name, raw in rows:
        vec, combo = reduce([Fraction(x) for x in raw], {name: Fraction(1)})
        pivot = next((i for i, x in enumerate(vec) if x), None)
        if pivot is None:
            continue
        scale = vec[pivot]
        vec = [x / scale for x in vec]
        combo = {n: c / scale for n, c in combo.items()}
        # Keep the basis fully reduced so one pass of ``reduce`` is exact.
        for k, (p, row, row_combo) in enumerate(basis):
            factor = row[pivot]
            if factor:
                new_row = [x - factor * y for x, y in zip(row, vec, strict=True)]
                new_combo = dict(row_combo)
                for n, c in combo.items():
                    new_combo[n] = new_combo.get(n, Fraction(0)) - factor * c
                basis[k] = (p, new_row, new_combo)
        basis.append((pivot, vec, combo))

    for target in targets:
        vec, combo = reduce([Fraction(x) for x in target], {})
        if not any(vec):
            # target - sum(factor * rows) == 0, so target == -combo . rows
            return sorted(n for n, c in combo.items() if c)
    return None
