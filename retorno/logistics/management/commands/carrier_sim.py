"""`retorno carrier_sim`: run the carrier simulator on 127.0.0.1 (see docs/carriers.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from retorno.integrations.carriers.simulator.config import ConfigError, load_config
from retorno.integrations.carriers.simulator.server import SimulatorServer


class Command(BaseCommand):
    help = "Run the Retorno carrier simulator (several simulated carriers) on 127.0.0.1."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="127.0.0.1 (default) or ::1")
        parser.add_argument("--port", type=int, default=8055)
        parser.add_argument("--state-dir", default=None, help="keep bookings across restarts")
        parser.add_argument("--config", default=None, help="JSON file of carriers")
        parser.add_argument("--webhook-url", default=None, help="local URL receiving events")
        parser.add_argument("--webhook-secret", default=None)
        parser.add_argument("--step-seconds", type=float, default=None)
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument(
            "--no-random-failures",
            action="store_true",
            help="no random 5xx or timeouts (failed pickups still follow the success rates)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        quiet = 0.0 if options["no_random_failures"] else None
        try:
            carriers = load_config(
                options["config"],
                webhook_url=options["webhook_url"],
                webhook_secret=options["webhook_secret"],
                step_seconds=options["step_seconds"],
                seed=options["seed"],
                error_rate=quiet,
                timeout_rate=quiet,
            )
            server = SimulatorServer(
                carriers, host=options["host"], port=options["port"], state_dir=options["state_dir"]
            )
        except (ConfigError, ValueError, OSError) as error:
            raise CommandError(str(error)) from error
        for carrier in carriers:
            self.stdout.write(
                f"  {carrier.code:<8} {carrier.name:<20} {server.url}/carriers/{carrier.code}/"
            )
        self.stdout.write(f"Carrier simulator on {server.url} (Ctrl-C to stop)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")
