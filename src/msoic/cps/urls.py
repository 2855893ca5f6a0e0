"""URLs of CPS cases, the linkage and the funnel (mounted at /cps/)."""

from django.urls import path

from msoic.cps import views

urlpatterns = [
    path("", views.case_list, name="cps-cases"),
    path("import/", views.extract_import, name="cps-import"),
    path("cases/<int:pk>/", views.case_detail, name="cps-case"),
    path("linkage/", views.runs, name="cps-runs"),
    path("linkage/<int:pk>/restart/", views.restart_run, name="cps-run-restart"),
    path("review/", views.review_list, name="cps-review"),
    path("review/<int:pk>/", views.review_pair, name="cps-review-pair"),
    path("funnel/", views.funnel, name="cps-funnel"),
]
