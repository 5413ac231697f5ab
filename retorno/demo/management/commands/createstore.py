"""`retorno createstore SLUG --api-key KEY [--owner-email EMAIL]`: an empty store with the
default policy, and its first owner invited by e-mail (a store nobody can sign into could
otherwise get an owner from nobody: only owners make owners)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from retorno.accounts.services.team import invite_send, invite_url
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
        parser.add_argument(
            "--owner-email",
            default="",
            help="Invite this address as the store's owner (a link by e-mail, 7 days, once).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["owner_email"]:
            try:
                validate_email(options["owner_email"])
            except ValidationError:
                raise CommandError(f"Not an e-mail address: {options['owner_email']!r}") from None
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
        if options["owner_email"]:
            try:
                sent = invite_send(
                    store=store,
                    actor=None,
                    actor_role="owner",
                    email=options["owner_email"],
                    role="owner",
                    language=options["language"],
                )
            except RetornoError as exc:
                raise CommandError(exc.detail) from exc
            said = "sent to" if sent.delivered else "kept (the e-mail could not be sent) for"
            self.stdout.write(
                f"Owner invitation {said} {sent.invite.email}: {invite_url(sent.invite)}"
            )
