"""URLs of MSOIC Insight. Every URL that takes an org unit or an object id is listed in
tests/security/test_url_access.py, which fails when a new one appears without an access test."""

from django.urls import include, path

urlpatterns = [
    path("", include("msoic.web.urls")),
    path("dashboards/", include("msoic.dashboards.urls")),
    path("returns/", include("msoic.collection.urls")),
    path("audit/", include("msoic.audit.urls")),
    path("assurance/", include("msoic.assurance.urls")),
    path("peer-reviews/", include("msoic.peerreview.urls")),
    path("commissioning/", include("msoic.commissioning.urls")),
    path("investigations/", include("msoic.cases.urls")),
    path("operations-supported/", include("msoic.support.urls")),
    path("cca-tasking/", include("msoic.tasking.urls")),
    path("operations/terminus/", include("msoic.terminus.urls")),
    path("operations/", include("msoic.operations.urls")),
    path("training/", include("msoic.capability.urls")),
    path("documents/", include("msoic.documents.urls")),
    path("partnerships/", include("msoic.partnerships.urls")),
    path("cps/", include("msoic.cps.urls")),
    path("intelligence/", include("msoic.intel.urls")),
    path("referrals/", include("msoic.referrals.urls")),
    path("spocs/", include("msoic.referrals.urls_spocs")),
    path("nrm-statistics/", include("msoic.nrmstats.urls")),
    path("programme/", include("msoic.programme.urls")),
    path("reports/", include("msoic.reports.urls")),
    path("api/v1/", include("msoic.api.urls")),
    path("", include("msoic.accounts.urls")),
]

# The GOV.UK pages for refused and failed requests (JSON under /api/): msoic.web.errors.
handler400 = "msoic.web.errors.bad_request"
handler403 = "msoic.web.errors.permission_denied"
handler404 = "msoic.web.errors.page_not_found"
handler500 = "msoic.web.errors.server_error"
