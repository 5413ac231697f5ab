"""`retorno comments-sweep [--store SLUG]`: classify every return comment still without a
prediction at once (a history loaded in bulk writes no jobs; comments older than the jobs),
where the hourly sweep takes 500 returns an hour."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from retorno.returns.workflows.triage import comments_classify_backlog
from retorno.stores.selectors import store_by_slug


class Command(BaseCommand):
    help = "Classify every return comment not classified yet (all stores, or --store SLUG)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--store", default=None, help="Only this store.")

    def handle(self, *args: Any, **options: Any) -> None:
        store_id = None
        if options["store"]:
            store = store_by_slug(options["store"])
            if store is None:
                raise CommandError(f"No store {options['store']!r}.")
            store_id = store.id
        classified = comments_classify_backlog(store_id=store_id)
        self.stdout.write(f"{classified} comments classified")
