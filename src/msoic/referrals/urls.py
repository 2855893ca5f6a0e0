"""URLs of the referral pathway (mounted at /referrals/; the SPOC network's are in urls_spocs)."""

from django.urls import path

from msoic.referrals import views

urlpatterns = [
    path("", views.referral_list, name="referral-list"),
    path("new/", views.referral_new, name="referral-new"),
    path("<int:pk>/", views.referral_detail, name="referral-detail"),
    path("<int:pk>/acknowledge/", views.referral_acknowledge, name="referral-acknowledge"),
    path("<int:pk>/assign/", views.referral_assign, name="referral-assign"),
    path("<int:pk>/outcome/", views.referral_outcome, name="referral-outcome"),
    path("<int:pk>/reroute/", views.referral_reroute, name="referral-reroute"),
]
