"""`retorno classify "texto" [--language es] [--store SLUG]`: the reason a comment gives, as the
API answers it (JSON), read on this machine."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from retorno.insight import classifying
from retorno.insight.selectors import model_for_store
from retorno.stores.selectors import store_by_slug


class Command(BaseCommand):
    help = "Classify a shopper's comment into a return reason and print the answer as JSON."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("text", help="The comment, in quotes.")
        parser.add_argument("--language", default=None, help="es or en, when known.")
        parser.add_argument("--store", default=None, help="Answer with this store's model.")

    def handle(self, *args: Any, **options: Any) -> None:
        text = options["text"]
        if not text.strip() or len(text) > 2000:
            raise CommandError("Give the comment as one argument of 1 to 2000 characters.")
        model = None
        if options["store"]:
            store = store_by_slug(options["store"])
            if store is None:
                raise CommandError(f"No store {options['store']!r}.")
            model = model_for_store(store.id)
        prediction = classifying.classify_comment(text, language=options["language"], model=model)
        self.stdout.write(json.dumps(prediction.as_dict(), ensure_ascii=False, indent=2))
