"""URLs of anti-slavery partnerships (mounted at /partnerships/)."""

from django.urls import path

from msoic.partnerships import views

urlpatterns = [
    path("", views.partnership_list, name="partnerships-list"),
    path("new/", views.partnership_new, name="partnerships-new"),
    path("<int:pk>/", views.partnership_detail, name="partnerships-partnership"),
    path("<int:pk>/members/", views.members_edit, name="partnerships-members"),
    path("<int:pk>/details/", views.details_edit, name="partnerships-details"),
    path("<int:pk>/meetings/new/", views.meeting_new, name="partnerships-meeting-new"),
]
