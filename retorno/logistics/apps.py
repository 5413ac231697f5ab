from django.apps import AppConfig


class LogisticsConfig(AppConfig):
    name = "retorno.logistics"
    label = "logistics"
    verbose_name = "Logistics"
