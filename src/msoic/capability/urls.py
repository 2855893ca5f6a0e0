"""URLs of training and events (mounted at /training/)."""

from django.urls import path

from msoic.capability import views
from msoic.capability.survey import views as survey_views

urlpatterns = [
    path("", views.event_list, name="capability-list"),
    path("new/", views.event_new, name="capability-new"),
    path("<int:pk>/", views.event_detail, name="capability-event"),
    path("<int:pk>/sessions/new/", views.session_new, name="capability-session-new"),
    path("sessions/<int:pk>/attendance/", views.attendance_import, name="capability-import"),
    path("<int:pk>/survey/new/", survey_views.survey_new, name="capability-survey-new"),
    path("surveys/<int:pk>/", survey_views.survey_detail, name="capability-survey"),
    path("surveys/<int:pk>/invite/", survey_views.survey_invite, name="capability-survey-invite"),
    path("surveys/<int:pk>/close/", survey_views.survey_close, name="capability-survey-close"),
    path(
        "surveys/<int:pk>/results.<str:fmt>",
        survey_views.survey_download,
        name="capability-survey-download",
    ),
    # An attendee's single-use link: public, the token is the credential.
    path("survey/<str:token>/", survey_views.respond, name="capability-survey-respond"),
]
