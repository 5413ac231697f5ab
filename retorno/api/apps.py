from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "retorno.api"
    label = "api"
    verbose_name = "API"

    def ready(self) -> None:
        # Webhook payloads show objects as the API does: the API registers how, once the models
        # are loaded (and in every process, workers too, not only where the URLs are served).
        from retorno.api.v1 import webhook_objects

        webhook_objects.renderers_register()
