from django.apps import AppConfig
from django.conf import settings


class AnalyticsConfig(AppConfig):
    name = "retorno.analytics"
    label = "analytics"
    verbose_name = "Analytics"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        if not settings.RETORNO_ANALYTICS_ROLLUPS:
            return
        # Imported here, not at the top: Django loads this module before the models exist.
        from retorno.analytics.rollups import events_refresh, intake_observe
        from retorno.orders.services import intake_observer_register
        from retorno.returns.events import observer_register

        # The rollups follow every change of an order or its returns, in its transaction.
        observer_register(events_refresh)
        intake_observer_register(intake_observe)
