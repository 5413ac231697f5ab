from django.apps import AppConfig


class ResolutionsConfig(AppConfig):
    name = "retorno.resolutions"
    label = "resolutions"
