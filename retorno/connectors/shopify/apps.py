from django.apps import AppConfig


class ShopifyConfig(AppConfig):
    name = "retorno.connectors.shopify"
    label = "shopify"
    verbose_name = "Shopify connector"
