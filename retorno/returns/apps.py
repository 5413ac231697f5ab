from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "retorno.returns"
    label = "returns"

    def ready(self) -> None:
        # Imported here, not at the top: Django loads this module before the models exist.
        from retorno.connectors.shopify.services import INBOUND_KIND as SHOPIFY_INBOUND_KIND
        from retorno.connectors.shopify.sync import STORE_CREDIT_KIND
        from retorno.core.outbox import register_handler
        from retorno.logistics.services.planning import BOOK_KIND
        from retorno.money.services.charges import CHARGE_SEND_KIND
        from retorno.money.services.fulfilment import EXCHANGE_CREATED_KIND
        from retorno.money.services.refunds import SEND_KIND
        from retorno.returns import events, handlers
        from retorno.returns.workflows import charges as charge_flow
        from retorno.returns.workflows import (
            publishing,
            shipping,
            store_credit_shopify,
            storefront,
        )
        from retorno.returns.workflows import refunds as refund_flow

        events.handlers_install(handlers.HANDLERS)
        register_handler(SHOPIFY_INBOUND_KIND, storefront.inbound_deliver)
        register_handler(STORE_CREDIT_KIND, store_credit_shopify.store_credit_deliver)
        register_handler(SEND_KIND, refund_flow.refund_deliver)
        register_handler(CHARGE_SEND_KIND, charge_flow.charge_deliver)
        register_handler(shipping.ALLOCATE_KIND, shipping.allocation_deliver)
        register_handler(BOOK_KIND, shipping.booking_deliver)
        # A released exchange order also becomes the exchange.created webhook (replacing the
        # handler money registers, which only logs it for fulfilment).
        register_handler(EXCHANGE_CREATED_KIND, publishing.exchange_created_deliver)
