"""Template context shared by every page: the navigation the current user may use."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from msoic.accounts import access
from msoic.assurance import access as assurance_access
from msoic.audit import access as audit_access
from msoic.capability import access as capability_access
from msoic.collection import access as collection_access
from msoic.commissioning import access as commissioning_access
from msoic.cps import access as cps_access
from msoic.documents import access as documents_access
from msoic.intel import access as intel_access
from msoic.nrmstats import access as nrm_access
from msoic.operations import access as operations_access
from msoic.partnerships import access as partnerships_access
from msoic.peerreview import access as review_access
from msoic.referrals import access as referrals_access
from msoic.reports import access as reports_access


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated:
        return {"nav": []}
    items = [
        ("home", "Home"),
        ("dashboard-ms", "Modern slavery"),
        ("dashboard-oic", "Organised immigration crime"),
    ]
    if collection_access.can_see_completeness(user):
        items.append(("completeness", "Completeness"))
    if collection_access.can_approve(user):
        items.append(("returns-approvals", "Approvals"))
    if access.writable_forces(user).exists():
        items.append(("returns", "Returns"))
    if access.can_see_investigations_hub(user):
        items.append(("investigations", "Investigations"))
    if intel_access.can_see_intel(user):
        items.append(("intel-list", "Intelligence"))
    if cps_access.can_see_cases(user):
        items.append(("cps-cases", "CPS outcomes"))
    elif cps_access.can_see_funnel(user):
        items.append(("cps-funnel", "Attrition funnel"))
    if operations_access.can_see_operations(user):
        items.append(("operations", "Operations"))
    if review_access.can_see_peer_reviews(user):
        items.append(("peer-reviews", "Peer reviews"))
    if assurance_access.can_see_benchmarking(user):
        items.append(("benchmarking", "Benchmarking"))
    if commissioning_access.can_see_commissioning(user):
        items.append(("commissioning", "Commissioning"))
    if partnerships_access.can_see_partnerships(user):
        items.append(("partnerships-list", "Partnerships"))
    if documents_access.can_see_library(user):
        items.append(("documents-list", "Documents"))
    if capability_access.can_see_training(user):
        items.append(("capability-list", "Training and events"))
    if referrals_access.can_see_referrals(user):
        items.append(("referral-list", "Referrals"))
    if referrals_access.can_see_spocs(user):
        items.append(("spoc-list", "SPOCs"))
    if reports_access.can_read_reports(user):
        items.append(("reports-list", "Reports"))
        items.append(("programme-pillars", "Programme"))  # its pillars, which reports count
    if nrm_access.can_see_nrm_statistics(user):
        items.append(("nrm-statistics", "NRM statistics"))
    if audit_access.can_browse_audit(user):
        items.append(("audit-log", "Audit log"))
    if access.can_manage_users(user):
        items.append(("admin-users", "Users"))
    items.append(("api-docs", "API"))
    path = request.path
    return {"nav": [{"url": name, "label": label, "path": path} for name, label in items]}
