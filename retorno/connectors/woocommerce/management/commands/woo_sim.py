"""`retorno woo-sim`: run a local WooCommerce store (REST API v3, webhooks, a page to place orders)
on 127.0.0.1; see docs/integrations.md."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from retorno.connectors.woocommerce.sim.server import PREFIX, WooSimulator


def _value(options: dict[str, Any], name: str) -> str:
    path = options.get(f"{name}_file")
    return Path(path).read_text().strip() if path else str(options[name])


class Command(BaseCommand):
    help = "Run a simulated WooCommerce store (REST API v3 and webhooks) on 127.0.0.1."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="127.0.0.1 (default) or ::1")
        parser.add_argument("--port", type=int, default=8058)
        parser.add_argument("--state-dir", default=None, help="keep the store across restarts")
        parser.add_argument("--seed", default=None, help="JSON file: store, products")
        parser.add_argument("--consumer-key", default="ck_demo")
        parser.add_argument("--consumer-key-file", default=None)
        parser.add_argument("--consumer-secret", default="cs_demo")
        parser.add_argument("--consumer-secret-file", default=None)
        parser.add_argument(
            "--webhook-url", default=None, help="local URL receiving order.created/updated"
        )
        parser.add_argument("--webhook-secret", default="woo-sim-secret")
        parser.add_argument("--webhook-secret-file", default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            seed = json.loads(Path(options["seed"]).read_text()) if options["seed"] else None
            sim = WooSimulator(
                host=options["host"],
                port=options["port"],
                state_dir=options["state_dir"],
                seed=seed,
                consumer_key=_value(options, "consumer_key"),
                consumer_secret=_value(options, "consumer_secret"),
                webhook_url=options["webhook_url"],
                webhook_secret=_value(options, "webhook_secret"),
            )
        except (ValueError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"WooCommerce simulator on {sim.url} (Ctrl-C to stop)")
        self.stdout.write(f"  REST API   {sim.url}{PREFIX}")
        self.stdout.write(f"  Webhooks   {options['webhook_url'] or '(none: --webhook-url)'}")
        try:
            sim.serve_forever()
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")
