from django.apps import AppConfig


class LogisticsConfig(AppConfig):
    name = "retorno.logistics"
    label = "logistics"
    verbose_name = "Logistics"

    def ready(self) -> None:
        # The app registry is ready only now: the re-encryption reads the models.
        from retorno.core.crypto import reencrypter_register
        from retorno.logistics.services.accounts import carrier_credentials_reencrypt

        def carriers() -> tuple[int, list[str]]:
            result = carrier_credentials_reencrypt()
            return result.accounts, result.unreadable

        reencrypter_register("carrier account credentials", carriers)
