from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "retorno.returns"
    label = "returns"

    def ready(self) -> None:
        from retorno.core.outbox import register_handler
        from retorno.resolutions.services import CHARGE_SEND_KIND, SEND_KIND
        from retorno.returns.refunding import charge_deliver, refund_deliver

        register_handler(SEND_KIND, refund_deliver)
        register_handler(CHARGE_SEND_KIND, charge_deliver)
