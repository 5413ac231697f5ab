"""`retorno webhook-sink`: a signed-webhook receiver on 127.0.0.1 for development and the demo
(retorno.webhooks.sink)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from retorno.webhooks.sink import sink_server


class Command(BaseCommand):
    help = (
        "Receive webhooks on 127.0.0.1: verify each signature with the secrets in --secret-file "
        "and append what arrived to --log (JSON lines)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", type=int, default=8056)
        parser.add_argument("--secret-file", default="var/webhook-sink/secret")
        parser.add_argument("--log", default="var/webhook-sink/events.jsonl")

    def handle(self, *args: Any, **options: Any) -> None:
        server = sink_server(options["port"], Path(options["secret_file"]), Path(options["log"]))
        self.stdout.write(
            f"Webhook sink on http://127.0.0.1:{options['port']}/ (log: {options['log']})"
        )
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
