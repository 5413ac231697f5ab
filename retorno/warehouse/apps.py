from django.apps import AppConfig


class WarehouseConfig(AppConfig):
    name = "retorno.warehouse"
    label = "warehouse"
