"""URLs of the investigation register (mounted at /investigations/): each capability of
the register adds its own patterns with one ``include``, in this order."""

from django.urls import include, path

urlpatterns = [
    path("", include("msoic.cases.register.urls")),
    path("", include("msoic.cases.exchange.urls")),
    path("", include("msoic.cases.cleanse.urls")),
    path("", include("msoic.cases.marker.urls")),
    path("", include("msoic.cases.nrm.urls")),
]
