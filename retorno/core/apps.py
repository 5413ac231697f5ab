from django.apps import AppConfig
from django.conf import settings

from retorno.core.scheduler import start_if_enabled


class CoreConfig(AppConfig):
    name = "retorno.core"
    label = "core"

    def ready(self) -> None:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            start_if_enabled()
