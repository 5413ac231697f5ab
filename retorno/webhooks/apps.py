from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "retorno.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        # The app registry is ready only now: the outbox handlers import the models.
        from retorno.core.crypto import reencrypter_register
        from retorno.core.outbox import register_handler
        from retorno.webhooks import checks  # noqa: F401 (registers the start-up check)
        from retorno.webhooks.delivery import DELIVER_KIND, FAILING_KIND, delivery_deliver
        from retorno.webhooks.notices import failing_notice_deliver
        from retorno.webhooks.services import endpoint_secrets_reencrypt

        register_handler(DELIVER_KIND, delivery_deliver)
        reencrypter_register("webhook endpoint secrets", endpoint_secrets_reencrypt)
        register_handler(FAILING_KIND, failing_notice_deliver)
