from django.apps import AppConfig
from django.conf import settings


class CoreConfig(AppConfig):
    name = "retorno.core"
    label = "core"

    def ready(self) -> None:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            # Imported here, not at the top: Django loads this module before the models exist.
            from retorno.core.scheduler import start_if_enabled

            start_if_enabled()
