from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class AccountsConfig(AppConfig):
    name = "retorno.accounts"
    label = "accounts"

    def ready(self) -> None:
        from retorno.accounts import keycache  # models are ready only now
        from retorno.accounts.models import ApiKey

        post_save.connect(keycache.forget_saved, sender=ApiKey, dispatch_uid="api-key-cache-save")
        post_delete.connect(
            keycache.forget_saved, sender=ApiKey, dispatch_uid="api-key-cache-delete"
        )
