from django.apps import AppConfig


class PeerReviewConfig(AppConfig):
    name = "msoic.peerreview"
    label = "peerreview"
    verbose_name = "OIC peer reviews"
    default_auto_field = "django.db.models.BigAutoField"
