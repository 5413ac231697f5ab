"""`retorno analytics rebuild [--store SLUG]`: write the analytics rollups again from the source
tables (orders, returns, shipments, refunds, inspections, the trail). Without --store, every
store. `retorno analytics check [--store SLUG]` rebuilds in a transaction it rolls back and says
whether the kept rollups were equal to it."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from retorno.analytics.rollups import rollups_check, rollups_rebuild
from retorno.stores.models import Store
from retorno.stores.selectors import store_by_slug, stores_by_slug


class Command(BaseCommand):
    help = "Analytics rollups: `rebuild [--store SLUG]` or `check [--store SLUG]`."

    def add_arguments(self, parser: Any) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        for name, text in (
            ("rebuild", "Write the rollups again from the source tables."),
            ("check", "Compare the kept rollups with a rebuild (nothing written)."),
        ):
            sub = commands.add_parser(name, help=text)
            sub.add_argument("--store", default=None, help="Only this store.")

    def handle(self, *args: Any, **options: Any) -> None:
        stores: list[Store]
        if options["store"]:
            store = store_by_slug(options["store"])
            if store is None:
                raise CommandError(f"No store {options['store']!r}.")
            stores = [store]
        else:
            stores = list(stores_by_slug())
        differing = 0
        for store in stores:
            started = time.monotonic()
            if options["action"] == "rebuild":
                done = rollups_rebuild(store)
                self.stdout.write(
                    f"{store.slug}: {done['orders']:,} orders, {done['rows']:,} rollup rows "
                    f"in {time.monotonic() - started:.1f} s"
                )
            else:
                diff = rollups_check(store)
                differing += bool(diff)
                state = "equal to a rebuild" if not diff else f"{len(diff)} rows differ"
                self.stdout.write(f"{store.slug}: {state}")
        if differing:
            raise CommandError(f"{differing} store(s) differ from a rebuild.")
