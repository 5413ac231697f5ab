"""`retorno demo`: the demo store behind `make run` (see retorno.demo.generator)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from retorno.core.errors import RetornoError
from retorno.demo.connectors import demo_stripe_connect, demo_woo_connect
from retorno.demo.generator import (
    DEFAULT_CUSTOMERS,
    DEFAULT_ORDERS,
    DEFAULT_SEED,
    DEMO_SLUG,
    demo_create,
    demo_history_create,
)
from retorno.demo.shop import demo_shop_connect
from retorno.demo.summary import demo_summary, summary_lines
from retorno.demo.webhook_endpoint import demo_webhook_endpoint
from retorno.logistics.demo import DEMO_SIMULATOR_URL


class Command(BaseCommand):
    help = (
        "Create the demo store (catalog, customers, orders, returns in every state), the admin "
        "and staff users and an API key. Safe to run again: existing data is kept."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--api-key", default=None, help="Use this API key for the store.")
        parser.add_argument("--customers", type=int, default=DEFAULT_CUSTOMERS)
        parser.add_argument("--orders", type=int, default=DEFAULT_ORDERS)
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument(
            "--slug", "--store", default=DEMO_SLUG, help="Store slug (default: demo)."
        )
        parser.add_argument(
            "--returns",
            type=int,
            default=None,
            help="Instead of the small demo, load this many returns of generated history (~18 "
            "months: orders, items, events, shipments, tracking, inspections, refunds, "
            "messages), in bulk. Deterministic for a seed.",
        )
        parser.add_argument(
            "--orders-ratio",
            type=float,
            default=1.0,
            help="With --returns: orders without a return per return (0-3, default 1).",
        )
        parser.add_argument(
            "--processes",
            type=int,
            default=1,
            help="With --returns on PostgreSQL: load chunks in this many processes.",
        )
        parser.add_argument(
            "--no-summary",
            action="store_true",
            help="Leave out the closing summary (`make run` prints it once the server is up).",
        )
        parser.add_argument(
            "--simulator-url",
            default=None,
            help="Where the carrier simulator listens (`make run` passes its SIM_PORT). Default: "
            f"the address the demo's carriers have, {DEMO_SIMULATOR_URL} for new ones.",
        )

        parser.add_argument(
            "--webhook-url",
            default=None,
            help="Give the store a webhook endpoint here (`make run` passes `retorno "
            "webhook-sink`'s address) and write its secret to --webhook-secret-file.",
        )
        parser.add_argument("--webhook-secret-file", default="var/webhook-sink/secret")
        parser.add_argument(
            "--shop-sim-url",
            default=None,
            help="Connect the store to `retorno shop-sim` here (`make run` passes 127.0.0.1:8057) "
            "and write the shop's seed, token and secret to --shop-sim-dir.",
        )
        parser.add_argument("--shop-sim-dir", default="var/shop-sim")
        parser.add_argument(
            "--woo-sim-url",
            default=None,
            help="Connect the store demo-woo to `retorno woo-sim` here (`make run` passes "
            "127.0.0.1:8058) and write its REST API key and webhook secret to --woo-sim-dir.",
        )
        parser.add_argument("--woo-sim-dir", default="var/woo-sim")
        parser.add_argument(
            "--stripe-sim-url",
            default=None,
            help="Connect the store demo-stripe to `retorno stripe-sim` here (`make run` passes "
            "127.0.0.1:8059) and write the webhook URL it calls to --stripe-sim-dir.",
        )
        parser.add_argument("--stripe-sim-dir", default="var/stripe-sim")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["returns"] is not None:
            return self._history(options)
        if options["customers"] < 1 or options["orders"] < 1:
            raise CommandError("--customers and --orders must be at least 1.")
        try:
            result = demo_create(
                slug=options["slug"],
                customers=options["customers"],
                orders=options["orders"],
                seed=options["seed"],
                api_key=options["api_key"],
                simulator_url=options["simulator_url"],
            )
        except RetornoError as exc:
            raise CommandError(exc.detail) from exc
        out = self.stdout.write
        store = result.store
        if options["webhook_url"]:
            # After the history is generated: the endpoint gets what happens from now on.
            try:
                demo_webhook_endpoint(
                    store=store,
                    url=options["webhook_url"],
                    secret_file=Path(options["webhook_secret_file"]),
                )
            except RetornoError as exc:
                raise CommandError(exc.detail) from exc
            out(f"Webhooks of {store.slug!r} go to {options['webhook_url']}.")
        if options["shop_sim_url"]:
            try:
                domain = demo_shop_connect(
                    store=store,
                    sim_url=options["shop_sim_url"],
                    state_dir=Path(options["shop_sim_dir"]),
                )
            except RetornoError as exc:
                raise CommandError(exc.detail) from exc
            out(
                f"{store.slug!r} is connected to the Shopify shop {domain} at {options['shop_sim_url']}."
            )
        self._side_stores(options)
        if result.generated:
            out(f"Created the demo store {store.slug!r} ({store.name}) in {result.seconds:.1f} s.")
        else:
            out(
                f"The demo store {store.slug!r} already has orders: nothing generated "
                "(users and API key ensured)."
            )
        counts = result.counts
        out(
            f"  {counts['products']} products, {counts['variants']} variants, "
            f"{counts['customers']} customers, {counts['orders']} orders, "
            f"{counts['returns']} returns"
        )
        if result.generated:
            out(f"  {result.comments_classified} shoppers' comments read and sorted into reasons")
        if result.return_states:
            states = ", ".join(f"{k} {v}" for k, v in sorted(result.return_states.items()))
            out(f"  returns by state: {states}")
        money = result.money
        if money:

            def parts(counts: dict[str, int]) -> str:
                return ", ".join(f"{k} {v}" for k, v in counts.items()) or "none"

            out(
                f"  exchanges: {money['exchanges']} ({money['instant_exchanges']} instant; "
                f"{parts(money['exchanges_by_state'])}), "
                f"{money['replacements']} claim replacements"
            )
            out(f"  kept returns (keep-the-item): {money['kept_returns']}")
            charges = money["charges_by_kind"]
            out(f"  charges: {sum(charges.values())} ({parts(charges)})")
            claims = money["claims_by_state"]
            out(f"  claims: {sum(claims.values())} ({parts(claims)})")
            refunds = money["refunds_by_state"]
            out(f"  refunds: {sum(refunds.values())} ({parts(refunds)})")
        if result.refused_returns:
            out(f"  {result.refused_returns} return requests refused by the policy (skipped)")
        for url in sorted(set(result.carriers.values())):
            codes = ", ".join(code for code, at in result.carriers.items() if at == url)
            out(f"  carriers {codes}: the carrier simulator at {url}")
        if not options["no_summary"]:
            summary = demo_summary(store, now=timezone.now(), api_key=result.api_key)
            out("\n".join(["", *summary_lines(summary)]))

    def _side_stores(self, options: dict[str, Any]) -> None:
        """The stores connected to the local WooCommerce store and the local Stripe."""
        for flag, connect, what in (
            ("woo_sim", demo_woo_connect, "WooCommerce store"),
            ("stripe_sim", demo_stripe_connect, "Stripe"),
        ):
            if not options[f"{flag}_url"]:
                continue
            try:
                connected = connect(
                    sim_url=options[f"{flag}_url"],
                    state_dir=Path(options[f"{flag}_dir"]),
                    simulator_url=options["simulator_url"],
                )
            except RetornoError as exc:
                raise CommandError(exc.detail) from exc
            self.stdout.write(
                f"{connected.store.slug!r} is connected to the local {what} at {connected.sim_url}."
            )

    def _history(self, options: dict[str, Any]) -> None:
        if options["returns"] < 1:
            raise CommandError("--returns must be at least 1.")
        out = self.stdout.write
        step = max(options["returns"] // 10, 2000)
        shown = [0]

        def progress(done: int) -> None:
            if done - shown[0] >= step or done == options["returns"]:
                shown[0] = done
                out(f"  {done} returns loaded")

        try:
            result = demo_history_create(
                slug=options["slug"],
                returns=options["returns"],
                seed=options["seed"],
                orders_ratio=options["orders_ratio"],
                processes=options["processes"],
                api_key=options["api_key"],
                simulator_url=options["simulator_url"],
                progress=progress,
            )
        except (RetornoError, ValueError) as exc:
            raise CommandError(str(getattr(exc, "detail", exc))) from exc
        if not result.returns:
            out(f"The store {result.store.slug!r} already has orders: no history generated.")
            return
        out(
            f"Loaded {result.returns} returns into {result.store.slug!r} in {result.seconds:.1f} s."
        )
        out("  " + ", ".join(f"{name} {count}" for name, count in result.counts.items()))
        steps = (f"{name} {wall:.1f} s" for name, (wall, _) in result.phases.items())
        out("  steps (wall clock): " + ", ".join(steps))
        steps = (f"{name} {cpu:.1f} s" for name, (_, cpu) in result.phases.items())
        out("  steps (CPU of the loading processes): " + ", ".join(steps))
        out(f"  API key: {result.api_key}")
