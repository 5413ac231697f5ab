from django.apps import AppConfig


class WooCommerceConfig(AppConfig):
    name = "retorno.connectors.woocommerce"
    label = "woocommerce"
    verbose_name = "WooCommerce connector"

    def ready(self) -> None:
        # The app registry is ready only now: the outbox handlers import the models.
        from retorno.connectors.woocommerce.backfill import backfill_deliver, poll_deliver
        from retorno.connectors.woocommerce.payments import WooCommerceGateway
        from retorno.connectors.woocommerce.services import (
            BACKFILL_KIND,
            INBOUND_KIND,
            POLL_KIND,
            credentials_reencrypt,
            inbound_deliver,
        )
        from retorno.connectors.woocommerce.sync import SYNC_KIND, sync_deliver
        from retorno.core.crypto import reencrypter_register
        from retorno.core.outbox import register_handler
        from retorno.integrations.payments import registry

        register_handler(INBOUND_KIND, inbound_deliver)
        register_handler(SYNC_KIND, sync_deliver)
        register_handler(BACKFILL_KIND, backfill_deliver)
        register_handler(POLL_KIND, poll_deliver)
        # A store whose money settings name "woocommerce" refunds through its store.
        registry.register(WooCommerceGateway())
        reencrypter_register("WooCommerce credentials", credentials_reencrypt)
