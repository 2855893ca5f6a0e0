"""URLs of the investigation register: investigations and people (included by
:mod:`msoic.cases.urls`)."""

from django.urls import path

from msoic.cases.register import views

urlpatterns = [
    path("", views.hub, name="investigations"),
    path("register/", views.register, name="cases-register"),
    path("register/export/", views.register_export, name="cases-register-export"),
    path("new/", views.investigation_new, name="cases-new"),
    path("<int:pk>/", views.investigation_detail, name="cases-investigation"),
    path("<int:pk>/justify/", views.investigation_justify, name="cases-investigation-justify"),
    path("<int:pk>/edit/", views.investigation_edit, name="cases-investigation-edit"),
    path("<int:pk>/close/", views.investigation_close, name="cases-investigation-close"),
    path("<int:pk>/review/", views.investigation_review, name="cases-investigation-review"),
    path("<int:pk>/people/new/", views.person_add, name="cases-person-add"),
    path("people/<int:pk>/", views.person_detail, name="cases-person"),
    path("people/<int:pk>/justify/", views.person_justify, name="cases-person-justify"),
    path("people/<int:pk>/edit/", views.person_edit, name="cases-person-edit"),
    path("people/<int:pk>/record/", views.person_record, name="cases-person-record"),
    path("import/", views.register_import, name="cases-import"),
    path(
        "import/template.xlsx",
        views.register_import_template,
        name="cases-import-template",
    ),
]
