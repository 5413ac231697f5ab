from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "retorno.returns"
    label = "returns"

    def ready(self) -> None:
        from retorno.core.outbox import register_handler
        from retorno.resolutions.services import SEND_KIND
        from retorno.returns.refunding import refund_deliver

        register_handler(SEND_KIND, refund_deliver)
