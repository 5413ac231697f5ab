"""`retorno shopify-backfill --store SLUG --days N`: import a store's last N days of Shopify
orders now, in this process, printing the progress (the same backfill the back office and the
API start as a job)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from retorno.connectors.shopify.backfill import backfill_run
from retorno.connectors.shopify.models import ShopifyBackfill
from retorno.connectors.shopify.selectors import backfill_running
from retorno.connectors.shopify.services import backfill_start
from retorno.core.errors import RetornoError
from retorno.core.outbox import RetryAt
from retorno.stores.selectors import store_by_slug


class Command(BaseCommand):
    help = "Import the last N days of a store's Shopify orders, showing the progress."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--store", required=True, help="the store's slug")
        parser.add_argument("--days", type=int, default=30)

    def handle(self, *args: Any, **options: Any) -> None:
        store = store_by_slug(options["store"])
        if store is None:
            raise CommandError(f"No store {options['store']!r}.")
        run = backfill_running(store=store)
        if run is not None:
            self.stdout.write(f"Going on with the backfill of the last {run.days} days.")
        else:
            try:
                run = backfill_start(store=store, days=options["days"], enqueue=False)
            except RetornoError as error:
                raise CommandError(error.detail) from error

        def progress(page: ShopifyBackfill) -> None:
            total = page.total if page.total is not None else "?"
            self.stdout.write(
                f"  page {page.pages}: {page.imported} of {total} orders imported"
                f"{f', {page.refused} refused' if page.refused else ''}"
                f"{f', waited {page.waited_seconds:.1f} s for the rate limit' if page.waited_seconds else ''}"
            )

        try:
            done = backfill_run(run.id, on_page=progress)
        except RetryAt as later:
            raise CommandError(
                f"Shopify is unavailable ({later.reason}); run the command again to go on from "
                "where it stopped."
            ) from None
        if done.status != "done":
            raise CommandError(f"The backfill failed: {done.error}")
        self.stdout.write(f"Imported {done.imported} orders in {done.pages} pages.")
