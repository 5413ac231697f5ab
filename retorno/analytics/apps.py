from django.apps import AppConfig
from django.conf import settings


class AnalyticsConfig(AppConfig):
    name = "retorno.analytics"
    label = "analytics"
    verbose_name = "Analytics"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, not at the top: Django loads this module before the models exist.
        from retorno.analytics.digest import DIGEST_KIND, digest_deliver
        from retorno.analytics.supplier_alerts import ALERT_KIND, alert_deliver
        from retorno.core.outbox import register_handler

        register_handler(ALERT_KIND, alert_deliver)
        register_handler(DIGEST_KIND, digest_deliver)
        if not settings.RETORNO_ANALYTICS_ROLLUPS:
            return
        # Imported here, not at the top: Django loads this module before the models exist.
        from retorno.analytics.rollups import (
            REFRESH_KIND,
            events_refresh,
            intake_observe,
            refresh_deliver,
        )
        from retorno.orders.services import intake_observer_register
        from retorno.returns.events import observer_register

        # The rollups follow every change of an order or its returns, in its transaction.
        observer_register(events_refresh)
        register_handler(REFRESH_KIND, refresh_deliver)
        intake_observer_register(intake_observe)
