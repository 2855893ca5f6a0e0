"""URLs of commissioning (mounted at /commissioning/)."""

from django.urls import path

from msoic.commissioning import views

urlpatterns = [
    path("", views.hub, name="commissioning"),
    path("envelopes/new/", views.envelope_new, name="commissioning-envelope-new"),
    path("envelopes/<int:pk>/", views.envelope_detail, name="commissioning-envelope"),
    path(
        "envelopes/<int:pk>/approved-by-region.<str:fmt>",
        views.envelope_regions_download,
        name="commissioning-envelope-regions",
    ),
    path("envelopes/<int:pk>/windows/new/", views.window_new, name="commissioning-window-new"),
    path("windows/<int:pk>/bid/", views.bid_new, name="commissioning-bid-new"),
    path("allocations/new/", views.allocation_new, name="commissioning-allocation-new"),
    path("bids/", views.bid_list, name="commissioning-bids"),
    path("bids/<int:pk>/", views.bid_detail, name="commissioning-bid"),
    path("bids/<int:pk>/decide/", views.bid_decide, name="commissioning-bid-decide"),
    path("bids/<int:pk>/spend/", views.bid_spend, name="commissioning-bid-spend"),
]
