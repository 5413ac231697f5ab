from django.apps import AppConfig


class ShopifyConfig(AppConfig):
    name = "retorno.connectors.shopify"
    label = "shopify"
    verbose_name = "Shopify connector"

    def ready(self) -> None:
        # The app registry is ready only now: the outbox handlers import the models.
        from retorno.connectors.shopify.backfill import BACKFILL_KIND, backfill_deliver
        from retorno.connectors.shopify.payments import ShopifyGateway
        from retorno.connectors.shopify.services import credentials_reencrypt
        from retorno.connectors.shopify.sync import SYNC_KIND, sync_deliver
        from retorno.core.crypto import reencrypter_register
        from retorno.core.outbox import register_handler
        from retorno.integrations.payments import registry

        register_handler(SYNC_KIND, sync_deliver)
        register_handler(BACKFILL_KIND, backfill_deliver)
        # A store whose money settings name "shopify" refunds through its shop.
        registry.register(ShopifyGateway())
        reencrypter_register("Shopify credentials", credentials_reencrypt)
