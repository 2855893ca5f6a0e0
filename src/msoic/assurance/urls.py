"""URLs of benchmarking (mounted at /assurance/)."""

from django.urls import path

from msoic.assurance import views

urlpatterns = [
    path("", views.hub, name="benchmarking"),
    path("campaigns/new/", views.campaign_new, name="benchmarking-campaign-new"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="benchmarking-campaign"),
    path("assessments/<int:pk>/", views.assessment_detail, name="benchmarking-assessment"),
    path(
        "assessments/<int:pk>/challenge/",
        views.assessment_challenge,
        name="benchmarking-challenge",
    ),
    path("assessments/<int:pk>/review/", views.assessment_review, name="benchmarking-review"),
    path("assessments/<int:pk>/finalise/", views.assessment_finalise, name="benchmarking-finalise"),
    path("campaigns/<int:pk>/results/", views.campaign_results, name="benchmarking-results"),
    path(
        "campaigns/<int:pk>/results.<str:fmt>",
        views.campaign_results_download,
        name="benchmarking-results-download",
    ),
    path(
        "campaigns/<int:pk>/interventions/",
        views.intervention_accept,
        name="benchmarking-intervention-accept",
    ),
    path("interventions/<int:pk>/", views.intervention_detail, name="benchmarking-intervention"),
    path("assessments/<int:pk>/support/", views.support_package, name="benchmarking-support"),
    path(
        "assessments/<int:pk>/support/items/<int:item>/",
        views.support_delivery,
        name="benchmarking-support-delivery",
    ),
    path("assessments/<int:pk>/report/", views.force_report, name="benchmarking-report"),
    path(
        "assessments/<int:pk>/report.<str:fmt>",
        views.force_report,
        name="benchmarking-report-download",
    ),
    path("campaigns/<int:pk>/summary/", views.national_summary, name="benchmarking-summary"),
    path(
        "campaigns/<int:pk>/summary.<str:fmt>",
        views.national_summary,
        name="benchmarking-summary-download",
    ),
    path("assessments/<int:pk>/attachments/", views.attachments, name="benchmarking-attachments"),
    path(
        "assessments/<int:pk>/attachments/<int:attachment>/",
        views.attachment_download,
        name="benchmarking-attachment",
    ),
]
