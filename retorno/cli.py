"""The `retorno` command: Django's management commands with Retorno's settings.

retorno migrate | serve [--host H] [--port P] | worker | demo | createstore SLUG --api-key KEY |
classify "texto" | insight train [--store SLUG] | comments-sweep [--store SLUG]
"""

from __future__ import annotations

import os
import sys

from django.core.management import execute_from_command_line


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    if args:
        # Commands are spelt with hyphens on the command line, as Django names them with underscores.
        args[0] = ALIASES.get(args[0], args[0])
    execute_from_command_line(["retorno", *args])


ALIASES = {
    "carrier-sim": "carrier_sim",
    "comments-sweep": "comments_sweep",
    "demo-summary": "demo_summary",
    "import-csv": "import_csv",
    "reencrypt-secrets": "reencrypt_secrets",
    "shop-sim": "shop_sim",
    "shopify-backfill": "shopify_backfill",
    "stripe-sim": "stripe_sim",
    "webhook-sink": "webhook_sink",
    "woo-sim": "woo_sim",
}


if __name__ == "__main__":
    main()
