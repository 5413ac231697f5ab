from django.apps import AppConfig


class StoresConfig(AppConfig):
    name = "retorno.stores"
    label = "stores"
