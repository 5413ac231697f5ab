from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "retorno.orders"
    label = "orders"
