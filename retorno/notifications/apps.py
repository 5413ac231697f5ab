from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "retorno.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # Imported here, not at the top: Django loads this module before the models exist.
        from retorno.core.outbox import register_handler
        from retorno.notifications import checks  # noqa: F401 (registers the start-up check)
        from retorno.notifications.services import OUTBOX_KIND, message_deliver

        register_handler(OUTBOX_KIND, message_deliver)
