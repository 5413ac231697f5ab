from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "retorno.policies"
    label = "policies"
