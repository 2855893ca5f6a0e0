"""The attacker's tool: exact linear algebra over what was released.

Every released figure is an equation ``sum of some unknown counts = released value``. The
attacker row-reduces them (over the rationals, no rounding) and asks, for any count they
want to learn, whether it is a combination of the equations; if it is, the combination of
released values is their answer.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from fractions import Fraction

Vector = dict[Hashable, Fraction]


class Attacker:
    def __init__(self) -> None:
        self.basis: list[tuple[Hashable, Vector, Fraction]] = []  # pivot, row, value
        self.equations = 0

    def _reduce(self, row: Vector, value: Fraction) -> tuple[Vector, Fraction]:
        row = dict(row)
        for pivot, brow, bvalue in self.basis:
            factor = row.get(pivot)
            if factor:
                for k, v in brow.items():
                    row[k] = row.get(k, Fraction(0)) - factor * v
                    if not row[k]:
                        del row[k]
                value -= factor * bvalue
        return row, value

    def learn(self, unknowns: Iterable[Hashable], value: int) -> None:
        """One released figure: the sum of ``unknowns`` is ``value``."""
        self.equations += 1
        row, rhs = self._reduce({u: Fraction(1) for u in unknowns}, Fraction(value))
        if not row:
            return  # nothing new (or inconsistent: perturbation shows, but proves nothing)
        pivot = min(row, key=repr)
        scale = row[pivot]
        row = {k: v / scale for k, v in row.items()}
        rhs /= scale
        for i, (p, brow, bvalue) in enumerate(self.basis):
            factor = brow.get(pivot)
            if factor:
                new = dict(brow)
                for k, v in row.items():
                    new[k] = new.get(k, Fraction(0)) - factor * v
                    if not new[k]:
                        del new[k]
                self.basis[i] = (p, new, bvalue - factor * rhs)
        self.basis.append((pivot, row, rhs))

    def solve(self, unknowns: Iterable[Hashable]) -> Fraction | None:
        """The sum of ``unknowns`` if the released figures determine it, else None."""
        target: Vector = {u: Fraction(1) for u in unknowns}
        if not target:
            return None
        # target = sum(c_i * row_i) iff reducing it leaves nothing; then its value is the
        # same combination of the released values.
        row, value = self._reduce(target, Fraction(0))
        return -value if not row else None
