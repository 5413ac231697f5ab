"""`retorno createstore SLUG --api-key KEY`: an empty store with the default policy."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from retorno.core.errors import RetornoError
from retorno.demo.stores import store_create


class Command(BaseCommand):
    help = "Create an empty store with the default return policy and an API key."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("slug")
        parser.add_argument("--name", default="")
        parser.add_argument("--currency", default="EUR")
        parser.add_argument("--language", default="en")
        parser.add_argument(
            "--api-key", default=None, help="Use this key instead of generating one."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            store, key, created = store_create(
                slug=options["slug"],
                name=options["name"] or options["slug"].replace("-", " ").title(),
                currency=options["currency"],
                language=options["language"],
                api_key=options["api_key"],
            )
        except RetornoError as exc:
            raise CommandError(exc.detail) from exc
        verb = "Created" if created else "Store already exists:"
        self.stdout.write(f"{verb} {store.slug} ({store.name}, {store.currency})")
        if key:
            self.stdout.write(f"API key: {key}")
