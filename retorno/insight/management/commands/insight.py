"""`retorno insight train [--store SLUG]`: train a store's own comment classifier from its
returns (the reasons shoppers picked as weak labels), judged on the shipped corpus's held-out
families. Without --store, every store with enough classified comments."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from retorno.core.errors import RetornoError
from retorno.insight.services import store_model_train
from retorno.stores.models import Store
from retorno.stores.selectors import store_by_slug, stores_by_slug


class Command(BaseCommand):
    help = "Insight: train a store's comment classifier (`train [--store SLUG]`)."

    def add_arguments(self, parser: Any) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        train = commands.add_parser("train", help="Train store models from their comments.")
        train.add_argument("--store", default=None, help="Only this store.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["store"]:
            store = store_by_slug(options["store"])
            if store is None:
                raise CommandError(f"No store {options['store']!r}.")
            try:
                self._train(store)
            except RetornoError as exc:
                raise CommandError(exc.detail) from exc
            return
        for store in stores_by_slug():
            try:
                self._train(store)
            except RetornoError as exc:
                self.stdout.write(f"{store.slug}: skipped ({exc.detail})")

    def _train(self, store: Store) -> None:
        trained = store_model_train(store=store)
        state = "active" if trained.active else "kept inactive"
        self.stdout.write(f"{store.slug}: {trained.version}, {state}")
        self.stdout.write(json.dumps(trained.evaluation, indent=2))
