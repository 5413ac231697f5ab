from django.apps import AppConfig


class ShopifyConfig(AppConfig):
    name = "retorno.connectors.shopify"
    label = "shopify"
    verbose_name = "Shopify connector"

    def ready(self) -> None:
        # The app registry is ready only now: the outbox handlers import the models.
        from retorno.connectors.shopify.backfill import BACKFILL_KIND, backfill_deliver
        from retorno.connectors.shopify.sync import SYNC_KIND, sync_deliver
        from retorno.core.outbox import register_handler

        register_handler(SYNC_KIND, sync_deliver)
        register_handler(BACKFILL_KIND, backfill_deliver)
