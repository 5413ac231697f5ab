from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "retorno.returns"
    label = "returns"
