"""`retorno stripe-sim`: run a local Stripe (payment intents, refunds, signed webhooks) on
127.0.0.1; see docs/integrations.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from retorno.connectors.stripe.sim.server import StripeSimulator


class Command(BaseCommand):
    help = "Run a local Stripe (Refunds API and its webhooks) on 127.0.0.1."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="127.0.0.1 (default) or ::1")
        parser.add_argument("--port", type=int, default=8058)
        parser.add_argument("--secret-key", default="sk_test_retorno_demo")
        parser.add_argument("--webhook-url", default=None, help="local URL receiving events")
        parser.add_argument("--webhook-secret", default="whsec_retorno_demo")
        parser.add_argument("--webhook-url-file", default=None, help="read the URL from a file")

    def handle(self, *args: Any, **options: Any) -> None:
        url = options["webhook_url"]
        try:
            if options["webhook_url_file"]:
                url = Path(options["webhook_url_file"]).read_text().strip() or None
            sim = StripeSimulator(
                host=options["host"],
                port=options["port"],
                secret_key=options["secret_key"],
                webhook_url=url,
                webhook_secret=options["webhook_secret"],
            )
        except (ValueError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Local Stripe on {sim.url} (Ctrl-C to stop)")
        self.stdout.write(f"  Refunds    {sim.url}/v1/refunds")
        self.stdout.write(f"  Webhooks   {url or '(none: --webhook-url)'}")
        try:
            sim.serve_forever()
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")
