"""The WooCommerce connector (docs/integrations.md): orders in from a WooCommerce store over its REST
API v3 and webhooks, refunds, restocks and exchange orders out to it."""
