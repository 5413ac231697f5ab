from django.apps import AppConfig


class ResolutionsConfig(AppConfig):
    name = "retorno.resolutions"
    label = "resolutions"
    verbose_name = "Money and resolutions"

    def ready(self) -> None:
        # Imported here, not at the top: Django loads this module before the models exist.
        from retorno.core.outbox import register_handler
        from retorno.resolutions.services import EXCHANGE_CREATED_KIND, exchange_deliver

        register_handler(EXCHANGE_CREATED_KIND, exchange_deliver)
