"""`retorno woo-sim`: a local stand-in for one WooCommerce store (REST API v3 and webhooks), built
from WooCommerce's published REST API documentation. Standard library only (and the shared
simulator kit); it imports nothing else of Retorno."""
