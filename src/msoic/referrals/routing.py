"""Where a referral goes, and who covers what: the force of the place of concern (the ONS
district lookup, or the referrer's choice when the place is not known), that force's
organ-harvesting SPOC, and the SPOC coverage of every force and theme."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

from msoic.orgunits.models import OrgUnit
from msoic.referrals.models import LocalAuthority, Routing, Spoc, Theme


@dataclass(frozen=True)
class Route:
    force: OrgUnit
    routing: str  # Routing
    local_authority: LocalAuthority | None
    spoc: Spoc | None


def force_for(
    local_authority_code: str | None, force_code: str | None
) -> tuple[OrgUnit, str, LocalAuthority | None]:
    """The force for a place of concern: the district's force by the lookup, or, when the
    district is not known, the force the referrer chose. Errors name the field."""
    la_code = (local_authority_code or "").strip().upper()
    chosen = (force_code or "").strip()
    if la_code and chosen:
        raise ValidationError(
            {"force": "Choose a force only when the local authority is not known"}
        )
    if la_code:
        la = LocalAuthority.objects.select_related("force").filter(code=la_code).first()
        if la is None:
            raise ValidationError(
                {
                    "local_authority": f"Unknown local authority {la_code!r}: choose one from the list"
                }
            )
        if la.retired:
            raise ValidationError(
                {"local_authority": f"{la.name} ({la.code}) no longer exists: choose its successor"}
            )
        return la.force, Routing.LOOKUP, la
    if not chosen:
        raise ValidationError(
            {
                "local_authority": "Give the local authority of the place of concern, or choose "
                "the force when it is not known"
            }
        )
    force = OrgUnit.objects.forces().filter(code=chosen).first()
    if force is None:
        raise ValidationError({"force": f"Unknown force {chosen!r}"})
    return force, Routing.MANUAL, None


def current_spoc(force: OrgUnit, theme: str, on: date | None = None) -> Spoc | None:
    """The force's SPOC for ``theme`` in post on ``on``: the longest in post if several."""
    return (
        Spoc.objects.current(on)
        .filter(force=force, theme=theme)
        .order_by("starts_on", "pk")
        .first()
    )


def route(
    local_authority_code: str | None, force_code: str | None, on: date | None = None
) -> Route:
    force, routing, la = force_for(local_authority_code, force_code)
    return Route(force, routing, la, current_spoc(force, Theme.ORGAN_HARVESTING, on))


# --- coverage -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CoverageRow:
    force: OrgUnit
    covered: dict[str, int]  # theme -> SPOCs in post

    @property
    def gaps(self) -> list[str]:
        return [t for t in Theme.values if not self.covered.get(t)]

    @property
    def cells(self) -> list[tuple[str, int]]:
        """(theme, SPOCs in post) in the themes' order."""
        return [(t, self.covered.get(t, 0)) for t in Theme.values]


def coverage(forces: list[OrgUnit], on: date | None = None) -> list[CoverageRow]:
    """For each force, how many SPOCs are in post per theme on ``on``: one query."""
    on = on or timezone.localdate()
    counts: dict[int, dict[str, int]] = {f.pk: {} for f in forces}
    for force_id, theme in (
        Spoc.objects.current(on).filter(force__in=forces).values_list("force_id", "theme")
    ):
        counts[force_id][theme] = counts[force_id].get(theme, 0) + 1
    return [CoverageRow(f, counts[f.pk]) for f in forces]


def gap_count(forces: list[OrgUnit], on: date | None = None) -> int:
    """Forces × themes without a SPOC in post."""
    return sum(len(row.gaps) for row in coverage(forces, on))
