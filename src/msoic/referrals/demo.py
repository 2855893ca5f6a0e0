"""Demo referrals and SPOCs.

- **SPOCs:** every force has a single point of contact in post for every theme, except two
  gaps: Dyfed-Powys's organ-harvesting SPOC left on 31 October 2024 with nobody after them,
  and Cumbria has never named a PNC marker SPOC. The names are synthetic (a rank and a
  surname drawn from a fixed list; addresses end in ``.demo``). Forces would each enter
  their own; the demo loads them in one step, with one audit row saying so.
- **Referrals:** seven from the Human Tissue Authority (``hta.demo``) in 2024, at every
  stage, through the actions (routing by the ONS district lookup, the force's steps, the
  escalation): three closed (crime recorded, linked to an investigation, no crime), one
  assigned, two acknowledged (one whose place of concern was not known, so the referrer
  chose the force), and one never acknowledged, escalated to the unit 48 hours after it
  was sent. They go to Kent and Essex, whose demo users work them.

Idempotent: SPOCs are loaded when there are none; referrals when the HTA has none in 2024.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from msoic.accounts.models import User
from msoic.audit.log import record
from msoic.audit.models import AuditAction
from msoic.orgunits.models import OrgUnit
from msoic.referrals.actions import (
    do_acknowledge_referral,
    do_assign_referral,
    do_escalate_overdue_referrals,
    do_record_referral_outcome,
    do_submit_referral,
)
from msoic.referrals.models import HTA_CODE, Referral, Spoc, Theme
from msoic.referrals.routing import gap_count

if TYPE_CHECKING:
    from collections.abc import Sequence

HTA_USER = "hta.demo"
SPOCS_FROM = date(2023, 4, 1)
# (force, theme): the demo's two gaps
ENDED = ("dyfed-powys", Theme.ORGAN_HARVESTING.value, date(2024, 10, 31))
NEVER = ("cumbria", Theme.PNC_MARKER.value)
RANKS = ("DI", "DS", "DCI", "PS", "Insp", "DC")
SURNAMES = (
    "Ashworth", "Bennett", "Carver", "Dalton", "Ellison", "Fairbairn", "Garside", "Holloway",
    "Ingram", "Jarvis", "Kendrick", "Lomax", "Marsden", "Norcross", "Oakley", "Pickering",
    "Quinlan", "Radcliffe", "Sefton", "Thornber", "Underhill", "Varley", "Whitfield", "Yardley",
)  # fmt: skip


@dataclass
class ReferralsDemoReport:
    spocs: int = 0
    spocs_already: bool = False
    gaps: int = 0
    referrals: list[Referral] = field(default_factory=list)
    referrals_already: bool = False
    note: str = ""

    def lines(self) -> list[str]:
        out = ["Organ-harvesting referrals and SPOCs:"]
        if self.spocs_already:
            out.append(f"  SPOCs already there, left as they are; {self.gaps} gaps in coverage")
        else:
            out.append(
                f"  {self.spocs} SPOCs for 43 forces and 6 themes; {self.gaps} gaps in coverage"
            )
        if self.note:
            out.append(f"  {self.note}")
        elif self.referrals_already:
            out.append("  2024 referrals from the HTA already there, left as they are")
        else:
            stages = ", ".join(f"{r.reference} {r.status}" for r in self.referrals)
            out.append(f"  {len(self.referrals)} referrals from {HTA_USER} in 2024: {stages}")
        return out


def _spocs(actor: User) -> int:
    forces = list(OrgUnit.objects.forces().order_by("code"))
    rows = []
    n = 0
    for force in forces:
        for theme in Theme.values:
            if (force.code, theme) == NEVER:
                continue
            rank = RANKS[n % len(RANKS)]
            surname = SURNAMES[(n * 7) % len(SURNAMES)]
            ends_on = ENDED[2] if (force.code, theme) == ENDED[:2] else None
            rows.append(
                Spoc(
                    force=force,
                    theme=theme,
                    name=f"{rank} {surname[0]}. {surname}",
                    role=f"{Theme(theme).label} single point of contact",
                    email=f"{theme.replace('_', '.')}.spoc@{force.code}.demo",
                    starts_on=SPOCS_FROM + timedelta(days=(n * 11) % 200),
                    ends_on=ends_on,
                    created_by=actor,
                )
            )
            n += 1
    Spoc.objects.bulk_create(rows)
    record(
        actor=actor,
        action=AuditAction.COLLECTION,
        object_type="referrals.spoc",
        detail={
            "step": "referrals.demo_spocs",
            "source": "demo",
            "new": len(rows),
            "reason": "demo data: each force's SPOCs, loaded at once",
        },
    )
    return len(rows)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


@dataclass(frozen=True)
class _Planned:
    sent: datetime
    place: str  # a district's ONS code, or "" when not known
    force: str  # the referrer's choice when the place is not known
    indicators: Sequence[str]
    narrative: str
    donor: str
    recipient: str
    hospital: str
    stage: str  # escalated | acknowledged | assigned | crime_recorded | linked | no_crime
    reference: str = ""
    note: str = ""


PLANNED = (
    _Planned(
        _at(date(2024, 2, 12), 10, 20),
        "E07000110",
        "",
        ("transplant_abroad", "payment", "broker"),
        "Recipient returned from a kidney transplant abroad and said a 'coordinator' arranged "
        "the donor for a fee. Follow-up clinic noticed no donor details in the discharge papers.",
        "D-2024-0031",
        "R-2024-0117",
        "Maidstone Hospital",
        "crime_recorded",
        reference="46/31877/24",
    ),
    _Planned(
        _at(date(2024, 4, 8), 14, 5),
        "E07000071",
        "",
        ("relationship_unclear", "donor_controlled"),
        "Proposed living donor described as a cousin; accounts of the relationship differ and "
        "a third party answered every question put to the donor at assessment.",
        "D-2024-0058",
        "R-2024-0163",
        "Colchester General Hospital",
        "linked",
        reference="ES-INV-2023-0117",
    ),
    _Planned(
        _at(date(2024, 6, 17), 9, 45),
        "E06000035",
        "",
        ("records_missing",),
        "Consent form and identity document for a donor work-up did not match. The hospital "
        "later confirmed a clerical error; no other indicator.",
        "D-2024-0087",
        "",
        "Medway Maritime Hospital",
        "no_crime",
        note="Hospital records reconciled: a transcription error, donor and recipient related "
        "as declared. No offence disclosed.",
    ),
    _Planned(
        _at(date(2024, 9, 3), 16, 30),
        "E07000106",
        "",
        ("unexplained_surgery", "donor_vulnerable"),
        "Patient presenting with a nephrectomy scar and no record of surgery, recently arrived "
        "in the UK and in debt to the person who brought them.",
        "D-2024-0121",
        "",
        "Kent and Canterbury Hospital",
        "assigned",
    ),
    _Planned(
        _at(date(2024, 10, 14), 11, 0),
        "E06000033",
        "",
        ("cash_funding", "transplant_abroad"),
        "Recipient's family paid a clinic abroad in cash; the recipient would not say where the "
        "kidney came from.",
        "",
        "R-2024-0207",
        "Southend University Hospital",
        "acknowledged",
    ),
    _Planned(
        _at(date(2024, 11, 25), 9, 10),
        "E07000114",
        "",
        ("payment", "donor_vulnerable", "broker"),
        "A would-be donor asked staff how much a kidney was 'worth here' and said a man had "
        "promised to clear their debts if they went abroad for tests.",
        "D-2024-0149",
        "",
        "Queen Elizabeth The Queen Mother Hospital",
        "escalated",
    ),
    _Planned(
        _at(date(2024, 12, 9), 13, 25),
        "",
        "essex",
        ("other",),
        "A transplant coordinator received an anonymous offer of a 'guaranteed donor'; the caller "
        "gave no location but mentioned Essex. Recorded for the force to assess.",
        "",
        "R-2024-0233",
        "NHS Blood and Transplant (coordinator's report)",
        "acknowledged",
    ),
)


def _referrals(hta: User) -> list[Referral]:
    made = []
    for plan in PLANNED:
        referral = do_submit_referral(
            actor=hta,
            clinician="Transplant coordinator (demo)",
            hospital=plan.hospital,
            concern_on=(plan.sent - timedelta(days=2)).date(),
            indicators=list(plan.indicators),
            narrative=plan.narrative,
            donor_ref=plan.donor,
            recipient_ref=plan.recipient,
            local_authority=plan.place,
            force=plan.force,
            at=plan.sent,
            notify=False,  # 2024's referrals: nobody is told now
        )
        officer = User.objects.get(username=f"{referral.force.code}.demo")
        if plan.stage == "escalated":
            do_escalate_overdue_referrals(now=plan.sent + timedelta(hours=49), notify=False)
        else:
            do_acknowledge_referral(referral, actor=officer, at=plan.sent + timedelta(hours=20))
            if plan.stage in ("assigned", "crime_recorded", "linked", "no_crime"):
                do_assign_referral(
                    referral, officer, actor=officer, at=plan.sent + timedelta(days=2)
                )
            if plan.stage in ("crime_recorded", "linked", "no_crime"):
                do_record_referral_outcome(
                    referral,
                    actor=officer,
                    outcome=plan.stage,
                    reference=plan.reference,
                    note=plan.note,
                    at=plan.sent + timedelta(days=30),
                )
        referral.refresh_from_db()
        made.append(referral)
    return made


def build_referrals_demo(national: User) -> ReferralsDemoReport:
    report = ReferralsDemoReport()
    if Spoc.objects.exists():
        report.spocs_already = True
    else:
        report.spocs = _spocs(national)
    report.gaps = gap_count(list(OrgUnit.objects.forces()))
    hta = User.objects.filter(username=HTA_USER, orgunit__code=HTA_CODE).first()
    missing = [
        u for u in ("kent.demo", "essex.demo") if not User.objects.filter(username=u).exists()
    ]
    if hta is None or missing:
        report.note = (
            f"no referrals: the demo accounts {HTA_USER}, kent.demo and essex.demo are needed"
        )
        return report
    if Referral.objects.filter(referrer__code=HTA_CODE, submitted_at__year=2024).exists():
        report.referrals_already = True
        return report
    report.referrals = _referrals(hta)
    return report
