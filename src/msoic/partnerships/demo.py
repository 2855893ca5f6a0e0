"""Demo partnerships: every force in at least one anti-slavery partnership, as the annual
report states. Each region has a regional partnership of all its forces, among them the
Eastern Region Anti-Slavery Partnership (ERSAP) of all seven Eastern forces, which met
quarterly in 2023/24 with every county represented; some forces also have a local one.
Partner organisations are kept by name. The names of the other partnerships and every count
of people are invented for the demo.

Everything goes through the actions (:func:`~msoic.partnerships.actions.do_create_partnership`,
``do_record_meeting``). Idempotent: partnerships already there are left as they are.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from msoic.accounts.models import Role, User
from msoic.metrics import engine
from msoic.orgunits.models import OrgUnit
from msoic.partnerships.actions import do_create_partnership, do_record_meeting
from msoic.partnerships.models import Cadence, Partnership

YEAR = "FY2023-24"
SEED = 4343
ERSAP = "Eastern Region Anti-Slavery Partnership (ERSAP)"
ERSAP_MEETINGS = [  # quarterly, 2023/24
    (date(2023, 5, 17), "Chelmsford"),
    (date(2023, 8, 16), "Online"),
    (date(2023, 11, 15), "Cambridge"),
    (date(2024, 2, 21), "Online"),
]
ERSAP_MEMBERS = [
    "Essex County Council",
    "Norfolk County Council",
    "Suffolk County Council",
    "Gangmasters and Labour Abuse Authority",
    "Home Office Immigration Enforcement",
    "The Salvation Army",
    "Unseen UK",
]
REGIONAL_NAMES = {"eastern": ERSAP}
LOCAL = [  # (force, partnership name, partner organisations)
    ("kent", "Kent and Medway Anti-Slavery Partnership", ["Kent County Council", "Medway Council"]),
    (
        "cleveland",
        "Tees Valley Modern Slavery Network",
        ["Middlesbrough Council", "Redcar and Cleveland Council"],
    ),
    ("merseyside", "Merseyside Anti-Slavery Network", ["Liverpool City Council", "Wirral Council"]),
    (
        "west-midlands",
        "Birmingham and Black Country Modern Slavery Network",
        ["Birmingham City Council", "Hope for Justice"],
    ),
]


@dataclass
class PartnershipsDemoReport:
    created: int = 0
    meetings: int = 0
    already: bool = False
    covered: int | None = None
    forces: int = 0

    def lines(self) -> list[str]:
        out = ["Anti-slavery partnerships:"]
        if self.already:
            out.append("  partnerships already there, left as they are")
        else:
            out.append(f"  {self.created} partnerships recorded, {self.meetings} meetings")
        out.append(f"  {YEAR}: {self.covered} of {self.forces} forces in a partnership (engine)")
        return out


def build_partnerships_demo(national: User) -> PartnershipsDemoReport:
    report = PartnershipsDemoReport()
    if Partnership.objects.exists():
        report.already = True
    else:
        rng = random.Random(SEED)
        regions = list(OrgUnit.objects.regions().order_by("name"))
        forces = list(OrgUnit.objects.forces().order_by("name"))
        for region in regions:
            members = [f for f in forces if f.parent_id == region.pk]
            if not members:
                continue
            coordinator = User.objects.filter(
                role=Role.REGIONAL, orgunit=region, is_active=True
            ).first()
            name = REGIONAL_NAMES.get(region.code, f"{region.name} Anti-Slavery Network")
            partnership = do_create_partnership(
                region,
                actor=national,
                name=name,
                cadence=Cadence.QUARTERLY,
                started_on=date(2019, 4, 1) if region.code == "eastern" else date(2021, 1, 1),
                forces=members,
                organisations=ERSAP_MEMBERS
                if region.code == "eastern"
                else [
                    "Home Office Immigration Enforcement",
                    "Gangmasters and Labour Abuse Authority",
                ],
                coordinator=coordinator,
            )
            report.created += 1
            meetings = ERSAP_MEETINGS if region.code == "eastern" else ERSAP_MEETINGS[1::2]
            for on, venue in meetings:
                do_record_meeting(
                    partnership,
                    actor=national,
                    on=on,
                    venue=venue if region.code == "eastern" else "Online",
                    counts={f: rng.randint(2, 6) for f in members},
                    partner_attendees=rng.randint(4, 12),
                )
                report.meetings += 1
        by_code = {f.code: f for f in forces}
        for code, name, organisations in LOCAL:
            force = by_code.get(code)
            if force is None:
                continue
            partnership = do_create_partnership(
                force,
                actor=national,
                name=name,
                cadence=Cadence.BIMONTHLY,
                started_on=date(2020, 6, 1),
                forces=[force],
                organisations=organisations,
            )
            report.created += 1
            do_record_meeting(
                partnership,
                actor=national,
                on=date(2023, 9, 12),
                counts={force: rng.randint(3, 8)},
                partner_attendees=rng.randint(5, 15),
            )
            report.meetings += 1
    nation = OrgUnit.objects.get(kind="national")
    report.covered = engine.query("partnership_coverage", nation, YEAR).value
    report.forces = OrgUnit.objects.forces().count()
    return report
