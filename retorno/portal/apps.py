from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "retorno.portal"
    label = "portal"
