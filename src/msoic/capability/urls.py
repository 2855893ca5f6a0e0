"""URLs of training and events (mounted at /training/)."""

from django.urls import path

from msoic.capability import views

urlpatterns = [
    path("", views.event_list, name="capability-list"),
    path("new/", views.event_new, name="capability-new"),
    path("<int:pk>/", views.event_detail, name="capability-event"),
    path("<int:pk>/sessions/new/", views.session_new, name="capability-session-new"),
    path("sessions/<int:pk>/attendance/", views.attendance_import, name="capability-import"),
]
