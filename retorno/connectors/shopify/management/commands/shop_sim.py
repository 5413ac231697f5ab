"""`retorno shop-sim`: run a local Shopify store (Admin GraphQL API, webhooks, a page to place
orders) on 127.0.0.1; see docs/integrations.md."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from retorno.connectors.shopify.sim.api import API_VERSION
from retorno.connectors.shopify.sim.server import ShopSimulator


class Command(BaseCommand):
    help = "Run a simulated Shopify store (Admin GraphQL API and webhooks) on 127.0.0.1."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="127.0.0.1 (default) or ::1")
        parser.add_argument("--port", type=int, default=8057)
        parser.add_argument("--state-dir", default=None, help="keep the store across restarts")
        parser.add_argument("--seed", default=None, help="JSON file: shop, locations, products")
        parser.add_argument("--domain", default="tienda-demo.myshopify.com")
        parser.add_argument("--access-token", default="shpat_demo")
        parser.add_argument("--access-token-file", default=None, help="read the token from a file")
        parser.add_argument("--webhook-url", default=None, help="local URL receiving webhooks")
        parser.add_argument("--webhook-secret", default="shop-sim-secret")
        parser.add_argument("--webhook-secret-file", default=None)
        parser.add_argument("--restore-rate", type=float, default=100.0, help="points a second")
        parser.add_argument("--bucket-size", type=float, default=2000.0)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            seed = json.loads(Path(options["seed"]).read_text()) if options["seed"] else None
            token = options["access_token"]
            if options["access_token_file"]:
                token = Path(options["access_token_file"]).read_text().strip()
            secret = options["webhook_secret"]
            if options["webhook_secret_file"]:
                secret = Path(options["webhook_secret_file"]).read_text().strip()
            sim = ShopSimulator(
                host=options["host"],
                port=options["port"],
                state_dir=options["state_dir"],
                seed=seed,
                domain=options["domain"],
                access_token=token,
                webhook_url=options["webhook_url"],
                webhook_secret=secret,
                bucket_size=options["bucket_size"],
                restore_rate=options["restore_rate"],
            )
        except (ValueError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Shopify simulator for {options['domain']} on {sim.url} (Ctrl-C to stop)"
        )
        self.stdout.write(f"  Admin API  {sim.url}/admin/api/{API_VERSION}/graphql.json")
        self.stdout.write(f"  Webhooks   {options['webhook_url'] or '(none: --webhook-url)'}")
        try:
            sim.serve_forever()
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")
