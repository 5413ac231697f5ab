from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "retorno.insight"
    label = "insight"
    verbose_name = "Insight"

    def ready(self) -> None:
        # The app registry is ready only now: the outbox handler imports the models.
        from retorno.core.outbox import register_handler
        from retorno.insight.services import CLASSIFY_KIND, classification_deliver

        register_handler(CLASSIFY_KIND, classification_deliver)
