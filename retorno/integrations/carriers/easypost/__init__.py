"""EasyPost (https://docs.easypost.com): return labels and tracking through its REST API v2."""
