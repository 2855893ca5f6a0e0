"""The one access layer: who may read or write data owned by which org unit.

Every view, command, export and API endpoint that touches org-unit-owned data asks here.
Rules:

- a force user reads and writes their own force; reads national aggregates;
- a regional coordinator reads their region and its forces; writes nothing of a force's
  returns (they review);
- a national analyst reads and writes everything, and approves;
- a partner reads national aggregates only;
- an administrator manages users and configuration and reads national aggregates only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from msoic.accounts.models import Role
from msoic.orgunits.models import OrgUnit, OrgUnitKind

if TYPE_CHECKING:
    from msoic.accounts.models import User
    from msoic.cases.models import Investigation, Person
    from msoic.collection.models import ImportJob, Submission, SubmissionVersion
    from msoic.peerreview.models import GoodPractice, PeerReview, Recommendation


def _role(user: object) -> str | None:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return None
    return getattr(user, "role", None)


def is_national(user: object) -> bool:
    return _role(user) == Role.NATIONAL


def detail_orgunits(user: User) -> QuerySet[OrgUnit]:
    """Org units whose own (non-aggregate) figures and records the user may read."""
    role = _role(user)
    if role == Role.NATIONAL:
        return OrgUnit.objects.filter(
            kind__in=[OrgUnitKind.NATIONAL, OrgUnitKind.REGION, OrgUnitKind.FORCE]
        )
    if role == Role.REGIONAL and user.orgunit_id:
        return OrgUnit.objects.filter(Q(pk=user.orgunit_id) | Q(parent_id=user.orgunit_id))
    if role == Role.FORCE and user.orgunit_id:
        return OrgUnit.objects.filter(pk=user.orgunit_id)
    return OrgUnit.objects.none()


def can_read_orgunit(user: User, orgunit: OrgUnit) -> bool:
    """May the user see figures for this org unit (national aggregates count for all roles)?"""
    role = _role(user)
    if role is None:
        return False
    if orgunit.kind == OrgUnitKind.NATIONAL:
        return True
    if orgunit.kind == OrgUnitKind.PARTNER:
        return False
    if role == Role.NATIONAL:
        return True
    if role == Role.REGIONAL:
        return orgunit.pk == user.orgunit_id or orgunit.parent_id == user.orgunit_id
    if role == Role.FORCE:
        return orgunit.pk == user.orgunit_id
    return False


def can_break_down_by_orgunit(user: User, orgunit: OrgUnit) -> bool:
    """May the user see ``orgunit`` split into its regions or forces?"""
    role = _role(user)
    if role == Role.NATIONAL:
        return orgunit.kind in (OrgUnitKind.NATIONAL, OrgUnitKind.REGION)
    if role == Role.REGIONAL:
        return orgunit.kind == OrgUnitKind.REGION and orgunit.pk == user.orgunit_id
    return False


def can_write_orgunit(user: User, orgunit: OrgUnit) -> bool:
    """May the user submit returns for this org unit?"""
    role = _role(user)
    if orgunit.kind != OrgUnitKind.FORCE:
        return False
    if role == Role.NATIONAL:
        return True
    if role == Role.FORCE:
        return orgunit.pk == user.orgunit_id
    return False


def can_approve(user: User) -> bool:
    return _role(user) == Role.NATIONAL


def can_browse_audit(user: User) -> bool:
    return _role(user) == Role.NATIONAL


def can_see_completeness(user: User) -> bool:
    return _role(user) in {Role.NATIONAL, Role.REGIONAL, Role.FORCE}


def get_orgunit_for_user(user: User, code: str) -> OrgUnit:
    """The org unit with ``code`` if the user may read it; 404 if unknown, 403 if not theirs."""
    try:
        orgunit = OrgUnit.objects.select_related("parent").get(code=code)
    except OrgUnit.DoesNotExist as exc:
        raise Http404(f"No org unit {code!r}") from exc
    if not can_read_orgunit(user, orgunit):
        raise PermissionDenied(f"You may not see figures for {orgunit.name}")
    return orgunit


def submissions_visible_to(user: User) -> QuerySet[Submission]:
    from msoic.collection.models import Submission

    return Submission.objects.filter(orgunit__in=detail_orgunits(user))


def get_submission_for_user(user: User, pk: int) -> Submission:
    """A submission the user may see, or 404 (never reveals that another force's exists)."""
    try:
        return submissions_visible_to(user).select_related("orgunit", "current_version").get(pk=pk)
    except (ValueError, TypeError) as exc:
        raise Http404("No such return") from exc
    except Exception as exc:
        from msoic.collection.models import Submission

        if isinstance(exc, Submission.DoesNotExist):
            raise Http404("No such return") from exc
        raise


def writable_forces(user: User) -> QuerySet[OrgUnit]:
    role = _role(user)
    if role == Role.NATIONAL:
        return OrgUnit.objects.forces()
    if role == Role.FORCE and user.orgunit_id:
        return OrgUnit.objects.filter(pk=user.orgunit_id, kind=OrgUnitKind.FORCE)
    return OrgUnit.objects.none()


def get_import_job_for_user(user: User, pk: int) -> ImportJob:
    """An upload job, for its creator or a national user; 404 for anyone else."""
    from msoic.collection.models import ImportJob

    if _role(user) is None:
        raise Http404("No such upload")
    jobs = ImportJob.objects.select_related("created_by")
    if not is_national(user):
        jobs = jobs.filter(created_by_id=user.pk)
    try:
        return jobs.get(pk=pk)
    except (ValueError, TypeError, ImportJob.DoesNotExist) as exc:
        raise Http404("No such upload") from exc


def can_download_original(user: User, version: SubmissionVersion) -> bool:
    """May the user download the file a version came from (the user can see the version)?

    A force user's file holds only their own force's rows (the pipeline refuses a file with
    another force's), so whoever sees that force's return may have it. A file sent by anyone
    else (a national user, a command, the demo) may cover many forces: national users only."""
    if version.file_id is None or _role(user) is None:
        return False
    if is_national(user):
        return True
    uploader = version.submitted_by
    return (
        uploader is not None
        and uploader.role == Role.FORCE
        and uploader.orgunit_id == version.submission.orgunit_id
        and can_read_orgunit(user, version.submission.orgunit)
    )


# --- peer reviews (msoic.peerreview) -------------------------------------------------------


def can_manage_peer_reviews(user: User) -> bool:
    """The unit's peer review team (national users) schedules, writes, publishes, verifies."""
    return _role(user) == Role.NATIONAL


def can_see_peer_reviews(user: User) -> bool:
    """Forces, coordinators and the unit use peer reviews (partners and admins do not)."""
    return _role(user) in {Role.NATIONAL, Role.REGIONAL, Role.FORCE}


def peer_reviews_visible_to(user: User) -> QuerySet[PeerReview]:
    """National: every review at every stage. Force and regional users: their forces'
    reviews once published. Partners and administrators: none."""
    from msoic.peerreview.models import PeerReview, Stage

    role = _role(user)
    if role == Role.NATIONAL:
        return PeerReview.objects.all()
    if role in (Role.FORCE, Role.REGIONAL):
        return PeerReview.objects.filter(
            force__in=detail_orgunits(user).filter(kind=OrgUnitKind.FORCE),
            stage=Stage.PUBLISHED,
        )
    return PeerReview.objects.none()


def get_peer_review_for_user(user: User, pk: int) -> PeerReview:
    from msoic.peerreview.models import PeerReview

    try:
        return peer_reviews_visible_to(user).select_related("force__parent").get(pk=pk)
    except (ValueError, TypeError, PeerReview.DoesNotExist) as exc:
        raise Http404("No such peer review") from exc


def recommendations_visible_to(user: User) -> QuerySet[Recommendation]:
    from msoic.peerreview.models import Recommendation

    return Recommendation.objects.filter(review__in=peer_reviews_visible_to(user))


def get_recommendation_for_user(user: User, pk: int) -> Recommendation:
    from msoic.peerreview.models import Recommendation

    try:
        return recommendations_visible_to(user).select_related("review__force__parent").get(pk=pk)
    except (ValueError, TypeError, Recommendation.DoesNotExist) as exc:
        raise Http404("No such recommendation") from exc


def can_progress_recommendation(user: User, rec: Recommendation) -> bool:
    """The force that owns it, or the unit, may record progress (once the report is out)."""
    role = _role(user)
    if not rec.review.is_published:
        return False
    if role == Role.NATIONAL:
        return True
    return role == Role.FORCE and user.orgunit_id == rec.review.force_id


def good_practice_visible_to(user: User) -> QuerySet[GoodPractice]:
    """The library: every published item for force, regional and national users; national
    users also see items not yet published to the library."""
    from msoic.peerreview.models import GoodPractice

    role = _role(user)
    if role == Role.NATIONAL:
        return GoodPractice.objects.all()
    if role in (Role.FORCE, Role.REGIONAL):
        return GoodPractice.objects.filter(library_published=True)
    return GoodPractice.objects.none()


def get_good_practice_for_user(user: User, pk: int) -> GoodPractice:
    from msoic.peerreview.models import GoodPractice

    try:
        return good_practice_visible_to(user).select_related("review__force").get(pk=pk)
    except (ValueError, TypeError, GoodPractice.DoesNotExist) as exc:
        raise Http404("No such good practice item") from exc


# --- benchmarking (msoic.assurance) ----------------------------------------------------


def can_see_benchmarking(user: User) -> bool:
    return _role(user) in {Role.NATIONAL, Role.REGIONAL, Role.FORCE}


def assessments_visible_to(user: User) -> QuerySet[Any]:
    """Benchmarking assessments: a force its own, a coordinator their region's, national all."""
    from msoic.assurance.models import Assessment

    return Assessment.objects.filter(orgunit__in=detail_orgunits(user))


def get_assessment_for_user(user: User, pk: int) -> Any:
    """An assessment the user may see, or 404 (never reveals that another force's exists)."""
    from msoic.assurance.models import Assessment

    try:
        return (
            assessments_visible_to(user)
            .select_related("orgunit", "campaign__framework_version")
            .get(pk=pk)
        )
    except (ValueError, TypeError, Assessment.DoesNotExist) as exc:
        raise Http404("No such assessment") from exc


def can_edit_assessment(user: User, assessment: Any) -> bool:
    """The force itself (or the unit) fills in a draft; nobody edits once submitted."""
    return assessment.is_editable and can_write_orgunit(user, assessment.orgunit)


def can_review_assessment(user: User, assessment: Any) -> bool:
    """The force's regional coordinator (or the unit) reviews a submitted assessment."""
    role = _role(user)
    if role == Role.NATIONAL:
        return True
    return role == Role.REGIONAL and assessment.orgunit.parent_id == user.orgunit_id


def can_manage_benchmarking(user: User) -> bool:
    """Open campaigns, finalise assessments, run thematic interventions: the unit."""
    return _role(user) == Role.NATIONAL


# --- commissioning (msoic.commissioning) -----------------------------------------------


def can_see_commissioning(user: User) -> bool:
    """Envelopes, positions and bid windows: the unit, coordinators and forces."""
    return _role(user) in {Role.NATIONAL, Role.REGIONAL, Role.FORCE}


def can_manage_commissioning(user: User) -> bool:
    """Open envelopes and windows, decide bids, set allocations: the unit's commissioning team."""
    return _role(user) == Role.NATIONAL


def bidding_orgunit(user: User) -> OrgUnit | None:
    """The org unit a user bids for: a force user their force, a coordinator their ROCU."""
    role = _role(user)
    if role == Role.FORCE and user.orgunit_id:
        return OrgUnit.objects.filter(pk=user.orgunit_id, kind=OrgUnitKind.FORCE).first()
    if role == Role.REGIONAL and user.orgunit_id:
        return OrgUnit.objects.filter(pk=user.orgunit_id, kind=OrgUnitKind.REGION).first()
    return None


def envelopes_visible_to(user: User) -> QuerySet[Any]:
    from msoic.commissioning.models import FundingEnvelope

    if can_see_commissioning(user):
        return FundingEnvelope.objects.all()
    return FundingEnvelope.objects.none()


def get_envelope_for_user(user: User, pk: Any) -> Any:
    from msoic.commissioning.models import FundingEnvelope

    try:
        return envelopes_visible_to(user).get(pk=pk)
    except (ValueError, TypeError, FundingEnvelope.DoesNotExist) as exc:
        raise Http404("No such funding envelope") from exc


def get_bid_window_for_user(user: User, pk: Any) -> Any:
    from msoic.commissioning.models import BidWindow

    try:
        return BidWindow.objects.select_related("envelope").get(
            pk=pk, envelope__in=envelopes_visible_to(user)
        )
    except (ValueError, TypeError, BidWindow.DoesNotExist) as exc:
        raise Http404("No such bid window") from exc


def bids_visible_to(user: User) -> QuerySet[Any]:
    """National: every bid. A coordinator: their ROCU's and their forces' bids. A force: its
    own. Partners and administrators: none."""
    from msoic.commissioning.models import Bid

    role = _role(user)
    if role == Role.NATIONAL:
        return Bid.objects.all()
    if role in (Role.REGIONAL, Role.FORCE):
        return Bid.objects.filter(orgunit__in=detail_orgunits(user))
    return Bid.objects.none()


def get_bid_for_user(user: User, pk: Any) -> Any:
    """A bid the user may see, or 404 (never reveals that another force's bid exists)."""
    from msoic.commissioning.models import Bid

    try:
        return (
            bids_visible_to(user)
            .select_related("window__envelope", "orgunit", "region", "submitted_by", "decided_by")
            .get(pk=pk)
        )
    except (ValueError, TypeError, Bid.DoesNotExist) as exc:
        raise Http404("No such bid") from exc


def can_record_spend(user: User, bid: Any) -> bool:
    """The bidder (the force, or the ROCU's coordinator) or the unit reports spend."""
    if _role(user) == Role.NATIONAL:
        return True
    own = bidding_orgunit(user)
    return own is not None and own.pk == bid.orgunit_id


# --- Investigation register (msoic.cases): personal data ---------------------------------
# Force users keep their own force's register; regional coordinators read their region's
# forces; the unit reads every force (cleanse, PNC marker coverage). Partners and
# administrators read no record-level data, only suppressed aggregates.


def register_forces_readable(user: User) -> QuerySet[OrgUnit]:
    role = _role(user)
    if role in (Role.NATIONAL, Role.REGIONAL, Role.FORCE):
        return detail_orgunits(user).filter(kind=OrgUnitKind.FORCE)
    return OrgUnit.objects.none()


def register_forces_writable(user: User) -> QuerySet[OrgUnit]:
    """Only a force's own users change its register."""
    if _role(user) == Role.FORCE and user.orgunit_id:
        return OrgUnit.objects.filter(pk=user.orgunit_id, kind=OrgUnitKind.FORCE)
    return OrgUnit.objects.none()


def can_see_register(user: User) -> bool:
    return _role(user) in {Role.NATIONAL, Role.REGIONAL, Role.FORCE}


def can_see_investigations_hub(user: User) -> bool:
    """The Investigations hub: the register's users, and partners (who see only the
    suppressed NRM picture linked from it)."""
    return _role(user) in {Role.NATIONAL, Role.REGIONAL, Role.FORCE, Role.PARTNER}


def investigations_visible_to(user: User) -> QuerySet[Investigation]:
    from msoic.cases.models import Investigation

    role = _role(user)
    if role == Role.NATIONAL:
        return Investigation.objects.all()
    if role in (Role.REGIONAL, Role.FORCE):
        return Investigation.objects.filter(force__in=register_forces_readable(user))
    return Investigation.objects.none()


def _refuse_record(user: User, model_label: str, pk: Any) -> None:
    """A record outside the user's scope was asked for: 404, and a row in the audit log
    (whether or not such a record exists, so the log does not reveal it either); rate
    limited per user, beyond which refusals are counted in a summary row."""
    from msoic.audit.log import record_denied

    record_denied(
        actor=user,
        object_type=model_label,
        object_id=str(pk)[:64],
        orgunit=getattr(user, "orgunit", None),
        detail={"reason": "outside the user's scope"},
    )


def get_investigation_for_user(user: User, pk: Any) -> Investigation:
    from msoic.cases.models import Investigation

    try:
        return investigations_visible_to(user).select_related("force__parent").get(pk=pk)
    except (ValueError, TypeError, Investigation.DoesNotExist) as exc:
        if user.is_authenticated:
            _refuse_record(user, "cases.investigation", pk)
        raise Http404("No such investigation") from exc


def can_edit_investigation(user: User, investigation: Investigation) -> bool:
    return register_forces_writable(user).filter(pk=investigation.force_id).exists()


def people_visible_to(user: User) -> QuerySet[Person]:
    from msoic.cases.models import Person

    role = _role(user)
    if role == Role.NATIONAL:
        return Person.objects.all()
    if role in (Role.REGIONAL, Role.FORCE):
        return Person.objects.filter(force__in=register_forces_readable(user))
    return Person.objects.none()


def get_person_for_user(user: User, pk: Any) -> Person:
    from msoic.cases.models import Person

    try:
        return people_visible_to(user).select_related("investigation", "force").get(pk=pk)
    except (ValueError, TypeError, Person.DoesNotExist) as exc:
        if user.is_authenticated:
            _refuse_record(user, "cases.person", pk)
        raise Http404("No such person") from exc


# --- data cleanse, PNC marker and NRM picture (msoic.cases) ------------------------------


def can_open_cleanse(user: User) -> bool:
    return _role(user) == Role.NATIONAL


def cleanses_visible_to(user: User) -> QuerySet[Any]:
    """Cleanses are the unit's campaigns: everyone who keeps or reads a register sees them
    (each only their forces' worklists and progress)."""
    from msoic.cases.models import Cleanse

    return Cleanse.objects.all() if can_see_register(user) else Cleanse.objects.none()


def get_cleanse_for_user(user: User, pk: Any) -> Any:
    from msoic.cases.models import Cleanse

    try:
        return cleanses_visible_to(user).get(pk=pk)
    except (ValueError, TypeError, Cleanse.DoesNotExist) as exc:
        raise Http404("No such cleanse") from exc


def cleanse_items_visible_to(user: User) -> QuerySet[Any]:
    from msoic.cases.models import CleanseItem

    if _role(user) == Role.NATIONAL:
        return CleanseItem.objects.all()
    return CleanseItem.objects.filter(force__in=register_forces_readable(user))


def get_cleanse_item_for_user(user: User, pk: Any) -> Any:
    from msoic.cases.models import CleanseItem

    try:
        return (
            cleanse_items_visible_to(user)
            .select_related("cleanse", "investigation", "force")
            .get(pk=pk)
        )
    except (ValueError, TypeError, CleanseItem.DoesNotExist) as exc:
        if user.is_authenticated:
            _refuse_record(user, "cases.cleanseitem", pk)
        raise Http404("No such worklist item") from exc


def can_work_cleanse_item(user: User, item: Any) -> bool:
    """Only the force's own users confirm, update or close the cases on its worklist."""
    return register_forces_writable(user).filter(pk=item.force_id).exists()


def marker_people_visible_to(user: User) -> QuerySet[Person]:
    """Potential victims with a positive conclusive grounds decision (the PNC marker list)."""
    return people_visible_to(user).filter(category="victim", cg_decision="positive")


def can_record_marker(user: User, person: Person) -> bool:
    return register_forces_writable(user).filter(pk=person.force_id).exists()


def nrm_picture_orgunits(user: User) -> QuerySet[OrgUnit]:
    """Whose NRM picture the user may open: a force its own, a coordinator their region
    and its forces, the unit any; partners and administrators the nation (suppressed)."""
    role = _role(user)
    if role in (Role.NATIONAL, Role.REGIONAL, Role.FORCE):
        units = detail_orgunits(user)
        return units.exclude(kind=OrgUnitKind.NATIONAL) if role != Role.NATIONAL else units
    if role in (Role.PARTNER, Role.ADMIN):
        return OrgUnit.objects.filter(kind=OrgUnitKind.NATIONAL)
    return OrgUnit.objects.none()


def nrm_suppressed_for(user: User) -> bool:
    """Small counts are withheld from anyone who reads no record-level data."""
    return not can_see_register(user)


# --- operations supported (msoic.support) ------------------------------------------------


def can_see_operations_supported(user: User) -> bool:
    return _role(user) in {Role.NATIONAL, Role.REGIONAL, Role.FORCE}


def supported_operations_visible_to(user: User) -> QuerySet[Any]:
    """A force sees its own operations, a coordinator their region's forces', the unit all."""
    from msoic.support.models import SupportedOperation

    if is_national(user):  # every entry is a force's: no join needed
        return SupportedOperation.objects.all()
    forces = detail_orgunits(user).filter(kind=OrgUnitKind.FORCE)
    return SupportedOperation.objects.filter(force__in=forces)


def get_supported_operation_for_user(user: User, pk: int) -> Any:
    """An operation supported that the user may see, or 404 (another force's is not revealed)."""
    from msoic.support.models import SupportedOperation

    try:
        return supported_operations_visible_to(user).select_related("force__parent").get(pk=pk)
    except (ValueError, TypeError, SupportedOperation.DoesNotExist) as exc:
        raise Http404("No such operation supported") from exc


def support_log_forces(user: User) -> QuerySet[OrgUnit]:
    """Forces whose operations the user may log support for: the unit any force, a regional
    coordinator the forces of their region; force users read their entries only."""
    role = _role(user)
    if role == Role.NATIONAL:
        return OrgUnit.objects.forces()
    if role == Role.REGIONAL and user.orgunit_id:
        return OrgUnit.objects.forces().filter(parent_id=user.orgunit_id)
    return OrgUnit.objects.none()


def can_log_support_for(user: User, force: OrgUnit) -> bool:
    role = _role(user)
    if force.kind != OrgUnitKind.FORCE:
        return False
    if role == Role.NATIONAL:
        return True
    return role == Role.REGIONAL and force.parent_id == user.orgunit_id


# --- CCA tasking (msoic.tasking) ---------------------------------------------------------


def can_see_cca_tasking(user: User) -> bool:
    return _role(user) in {Role.NATIONAL, Role.REGIONAL, Role.FORCE}


def can_manage_cca_tasking(user: User) -> bool:
    """The unit revises thresholds and records that the NCA discharged a measure."""
    return _role(user) == Role.NATIONAL


def measure_progress_visible_to(user: User) -> QuerySet[Any]:
    """Progress rows (org unit x measure): a force its own, a coordinator their ROCU's and
    their forces', the unit every one."""
    from msoic.tasking.models import MeasureProgress

    if is_national(user):  # every row is a force's or a ROCU's: no join needed
        return MeasureProgress.objects.all()
    return MeasureProgress.objects.filter(orgunit__in=detail_orgunits(user))


def get_measure_progress_for_user(user: User, pk: int) -> Any:
    """A progress row (status, evidence, commentary) the user may see, or 404."""
    from msoic.tasking.models import MeasureProgress

    try:
        return (
            measure_progress_visible_to(user)
            .select_related("orgunit__parent", "measure__tasking")
            .get(pk=pk)
        )
    except (ValueError, TypeError, MeasureProgress.DoesNotExist) as exc:
        raise Http404("No such tasking progress") from exc


def can_update_measure_progress(user: User, progress: Any) -> bool:
    """The org unit itself (a force user their force, a coordinator their ROCU) or the unit."""
    role = _role(user)
    if role == Role.NATIONAL:
        return True
    if role in (Role.FORCE, Role.REGIONAL):
        return bool(user.orgunit_id) and progress.orgunit_id == user.orgunit_id
    return False


# --- Operations: intensifications (msoic.operations) ---------------------------------------
# Operation records are the unit's: every role may read them and their national totals;
# only the unit creates and edits them. Figures by force follow detail_orgunits (a force
# its own, a coordinator their region's forces); the split by region is for the unit.


def can_see_operations(user: User) -> bool:
    return _role(user) is not None


def can_manage_operations(user: User) -> bool:
    return _role(user) == Role.NATIONAL


def operations_visible_to(user: User) -> QuerySet[Any]:
    from msoic.operations.models import Operation

    if _role(user) is None:
        return Operation.objects.none()
    return Operation.objects.all()


def get_operation_for_user(user: User, pk: Any) -> Any:
    from msoic.operations.models import Operation

    try:
        return operations_visible_to(user).get(pk=pk)
    except (ValueError, TypeError, Operation.DoesNotExist) as exc:
        raise Http404("No such operation") from exc


def operation_forces_detail(user: User) -> QuerySet[OrgUnit]:
    """Forces whose own operation returns and figures the user may see."""
    return detail_orgunits(user).filter(kind=OrgUnitKind.FORCE)
