from django.apps import AppConfig


class MoneyConfig(AppConfig):
    name = "retorno.money"
    # The label names the tables and the migration history: it stays as first released
    # (docs/adr/0010-money-is-one-context.md).
    label = "resolutions"
    verbose_name = "Money"

    def ready(self) -> None:
        # Imported here, not at the top: Django loads this module before the models exist.
        from retorno.core.outbox import register_handler
        from retorno.money.services.fulfilment import EXCHANGE_CREATED_KIND, exchange_deliver

        register_handler(EXCHANGE_CREATED_KIND, exchange_deliver)
