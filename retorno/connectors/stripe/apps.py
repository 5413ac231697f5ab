from django.apps import AppConfig


class StripeConfig(AppConfig):
    name = "retorno.connectors.stripe"
    label = "stripe_payments"
    verbose_name = "Stripe payments"

    def ready(self) -> None:
        # The app registry is ready only now: the adapter reads the models.
        from retorno.connectors.stripe.payments import StripeGateway
        from retorno.connectors.stripe.services import credentials_reencrypt
        from retorno.core.crypto import reencrypter_register
        from retorno.integrations.payments import registry

        # A store whose money settings name "stripe" refunds through its Stripe account.
        registry.register(StripeGateway())
        reencrypter_register("Stripe credentials", credentials_reencrypt)
