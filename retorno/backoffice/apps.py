from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "retorno.backoffice"
    label = "backoffice"
