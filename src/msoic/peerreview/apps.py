from django.apps import AppConfig


class PeerReviewConfig(AppConfig):
    name = "msoic.peerreview"
    label = "peerreview"
    verbose_name = "OIC peer reviews"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Forces reviewed, recommendations and good practice are counted from the published
        # reviews: the engine finds them through the registry of derived sources (ADR 0011),
        # never by importing this app.
        from msoic.metrics.dates import register as date_register
        from msoic.metrics.sources import register
        from msoic.peerreview.dates import PEER_REVIEWS_ALL_FORCES
        from msoic.peerreview.source import PEER_REVIEW_SOURCE

        register(PEER_REVIEW_SOURCE)
        date_register(PEER_REVIEWS_ALL_FORCES)  # its dates, for reports (msoic.metrics.dates)
