from django.apps import AppConfig


class WooCommerceConfig(AppConfig):
    name = "retorno.connectors.woocommerce"
    label = "woocommerce"
    verbose_name = "WooCommerce connector"
