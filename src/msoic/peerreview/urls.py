"""URLs of peer reviews (mounted at /peer-reviews/)."""

from django.urls import path

from msoic.peerreview import views

urlpatterns = [
    path("", views.review_list, name="peer-reviews"),
    path("new/", views.review_new, name="peerreview-new"),
    path("tracker/", views.tracker, name="peerreview-tracker"),
    path("good-practice/", views.library, name="peerreview-library"),
    path("themes/", views.theme_list, name="peerreview-themes"),
    path("themes/<slug:code>/", views.theme_edit, name="peerreview-theme"),
    path(
        "good-practice/<int:pk>/publish/",
        views.good_practice_publish,
        name="peerreview-good-practice-publish",
    ),
    path(
        "good-practice/<int:pk>/withdraw/",
        views.good_practice_withdraw,
        name="peerreview-good-practice-withdraw",
    ),
    path("<int:pk>/", views.review_detail, name="peerreview-detail"),
    path("<int:pk>/edit/", views.review_edit, name="peerreview-edit"),
    path("<int:pk>/report/", views.review_report, name="peerreview-report"),
    path("<int:pk>/report.pdf", views.review_pdf, name="peerreview-report-pdf"),
    path("<int:pk>/plan.xlsx", views.plan_xlsx, name="peerreview-plan-xlsx"),
    path("<int:pk>/publish/", views.review_publish, name="peerreview-publish"),
    path("<int:pk>/recommendations/", views.recommendation_add, name="peerreview-rec-add"),
    path("<int:pk>/good-practice/", views.good_practice_add, name="peerreview-good-add"),
    path("<int:pk>/group/", views.review_group, name="peerreview-group"),
    path(
        "recommendations/<int:pk>/", views.recommendation_detail, name="peerreview-recommendation"
    ),
    path("recommendations/<int:pk>/edit/", views.recommendation_edit, name="peerreview-rec-edit"),
    path("recommendations/<int:pk>/plan/", views.recommendation_plan, name="peerreview-rec-plan"),
    path(
        "recommendations/<int:pk>/progress/",
        views.recommendation_progress,
        name="peerreview-rec-progress",
    ),
]
