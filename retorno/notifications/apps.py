from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "retorno.notifications"
    label = "notifications"
