from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "retorno.orders"
    label = "orders"

    def ready(self) -> None:
        # The app registry is ready only now: the import job imports the models.
        from retorno.core.outbox import register_handler
        from retorno.orders.services.csv_import import IMPORT_KIND, csv_import_deliver

        register_handler(IMPORT_KIND, csv_import_deliver)
