"""Shippo (https://docs.goshippo.com): return labels and tracking through its REST API."""
