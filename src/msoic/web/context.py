"""Template context shared by every page: the navigation the current user may use."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, Any]:
    from msoic.accounts import access

    user = request.user
    if not user.is_authenticated:
        return {"nav": []}
    items = [("dashboard-ms", "Modern slavery"), ("dashboard-oic", "Organised immigration crime")]
    if access.can_see_completeness(user):
        items.append(("completeness", "Completeness"))
    if access.writable_forces(user).exists():
        items.append(("returns", "Returns"))
    if access.can_see_investigations_hub(user):
        items.append(("investigations", "Investigations"))
    if access.can_see_operations(user):
        items.append(("operations", "Operations"))
    if access.can_see_peer_reviews(user):
        items.append(("peer-reviews", "Peer reviews"))
    if access.can_see_benchmarking(user):
        items.append(("benchmarking", "Benchmarking"))
    if access.can_see_commissioning(user):
        items.append(("commissioning", "Commissioning"))
    if access.can_browse_audit(user):
        items.append(("audit-log", "Audit log"))
    items.append(("api-docs", "API"))
    path = request.path
    return {"nav": [{"url": name, "label": label, "path": path} for name, label in items]}
