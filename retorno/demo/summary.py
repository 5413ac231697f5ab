"""What a person needs to try the demo, printed last by `make run` (and by `retorno demo`):
where the portal is, orders that can be returned right now with their e-mail, the staff
logins, the API key, and where e-mails and logs go instead of the terminal."""

from __future__ import annotations

import os
import textwrap
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings

from retorno.accounts.selectors import api_key_authenticate
from retorno.connectors.shopify import selectors as shopify_selectors
from retorno.connectors.stripe import selectors as stripe_selectors
from retorno.connectors.woocommerce import selectors as woo_selectors
from retorno.demo import connectors, data
from retorno.demo.generator import ADMIN_USERNAME, DEMO_API_KEY, DEMO_PASSWORD
from retorno.demo.showcase import showcase_orders
from retorno.stores.models import Store

WHAT_TO_TRY = {
    "simple": "simple: refund or credit; label, drop-off, pickup or shop",
    "exchange": "exchange it for another size",
    "review": "goes to review: an agent decides in the back office",
}
RULE = "─" * 78
WIDTH = 96


@dataclass(frozen=True)
class TryOrder:
    kind: str
    number: str
    email: str
    items: str


@dataclass(frozen=True)
class Summary:
    site: str
    store_slug: str
    orders: list[TryOrder]
    staff: list[tuple[str, str]]
    admin_username: str
    password: str
    api_key: str | None
    mail: str
    logs: str
    # The local Shopify shop the store is connected to: (its page, its domain), or None.
    shop: tuple[str, str] | None = None
    # The local WooCommerce store and Stripe, each with the store connected to it:
    # (the simulator's address, the store's slug, its API key), or None.
    woo: tuple[str, str, str] | None = None
    stripe: tuple[str, str, str] | None = None


def demo_summary(store: Store, *, now: datetime, api_key: str = DEMO_API_KEY) -> Summary:
    """The summary of the demo store `store` at `now`: only orders that can be returned now
    are named. `api_key` is shown only if it opens this store."""
    orders = []
    for kind, order in showcase_orders(store, now=now):
        items = ", ".join(
            " ".join(part for part in (line.title, _options(line.options)) if part)
            for line in order.lines.all()
        )
        orders.append(TryOrder(kind, order.number, order.customer.email, items))
    found = api_key_authenticate(api_key)
    return Summary(
        site=settings.RETORNO_PUBLIC_URL,
        store_slug=store.slug,
        orders=orders,
        staff=[(username, role) for username, _, _, role in data.STAFF],
        admin_username=ADMIN_USERNAME,
        password=DEMO_PASSWORD,
        api_key=api_key if found is not None and found.store_id == store.id else None,
        mail=_where_mail_goes(),
        logs=_where_logs_go(),
        shop=_local_shop(store),
        woo=_local_woo(),
        stripe=_local_stripe(),
    )


def _local_woo() -> tuple[str, str, str] | None:
    store = Store.objects.filter(slug=connectors.WOO_SLUG).first()
    connection = woo_selectors.connection_for_store(store=store) if store else None
    if connection is None or not connection.store_url.startswith("http://127.0.0.1"):
        return None
    return connection.store_url + "/", connectors.WOO_SLUG, connectors.WOO_API_KEY


def _local_stripe() -> tuple[str, str, str] | None:
    store = Store.objects.filter(slug=connectors.STRIPE_SLUG).first()
    account = stripe_selectors.account_for_store(store=store) if store else None
    if account is None or not account.api_base_url.startswith("http://127.0.0.1"):
        return None
    return account.api_base_url, connectors.STRIPE_SLUG, connectors.STRIPE_API_KEY


def _local_shop(store: Store) -> tuple[str, str] | None:
    connection = shopify_selectors.connection_for_store(store=store)
    if connection is None or not connection.api_base_url.startswith("http://127.0.0.1"):
        return None
    return connection.api_base_url + "/", connection.shop_domain


def summary_lines(summary: Summary) -> list[str]:
    """The summary as lines of at most about 100 characters."""
    site = summary.site
    lines = [RULE, f"  Retorno demo store: {site}/s/{summary.store_slug}/ (the returns portal)", ""]
    if summary.orders:
        lines.append("  Return one of these orders now (order number and e-mail):")
        width = max(len(order.email) for order in summary.orders)
        for order in summary.orders:
            lines.append(f"    {order.number}  {order.email:<{width}}  {WHAT_TO_TRY[order.kind]}")
            indent = " " * (4 + len(order.number) + 2 + width + 2)
            lines += textwrap.wrap(
                order.items, WIDTH, initial_indent=indent, subsequent_indent=indent
            )
    else:
        lines.append("  The demo's orders to try have all been returned: run `retorno demo` (or")
        lines.append("  `make run` again) to place new ones.")
    # A no-break space keeps each login beside its role when the line wraps.
    staff = ", ".join(f"{username}\N{NO-BREAK SPACE}({role})" for username, role in summary.staff)
    key = summary.api_key or "the key given to `retorno demo --api-key`"
    lines += ["", f"  Back office   {site}/staff/"]
    wrapped = textwrap.wrap(
        f"{staff}; password {summary.password}",
        WIDTH,
        initial_indent=" " * 16,
        subsequent_indent=" " * 16,
    )
    lines += [line.replace("\N{NO-BREAK SPACE}", " ") for line in wrapped]
    lines += [
        f"  Admin         {site}/admin/  {summary.admin_username} / {summary.password} (superuser)",
        f"  API           {site}/api/v1/docs  key {key}",
        f"  E-mails       {summary.mail}",
        f"  Logs          {summary.logs}",
    ]
    if summary.shop is not None:
        page, domain = summary.shop
        lines += ["", f"  Shopify       {page}  (the local shop {domain})"]
        lines += textwrap.wrap(
            "Place an order there: it arrives in Retorno within seconds (Back office → "
            "Settings → Shopify lists each webhook). Return it in the portal with its number "
            "and e-mail; the refund and the restock show on that page.",
            WIDTH,
            initial_indent=" " * 16,
            subsequent_indent=" " * 16,
        )
    if summary.woo is not None:
        page, slug, key = summary.woo
        lines += ["", f"  WooCommerce   {page}  (the local store, connected to {slug})"]
        lines += textwrap.wrap(
            f"Place an order there: it arrives in the store {slug} (Back office → switch store "
            f"→ Settings → WooCommerce; API key {key}). Its refunds and restocks go back there.",
            WIDTH,
            initial_indent=" " * 16,
            subsequent_indent=" " * 16,
        )
    if summary.stripe is not None:
        url, slug, key = summary.stripe
        lines += ["", f"  Stripe        {url}  (the local Stripe, connected to {slug})"]
        lines += textwrap.wrap(
            f"Refunds of {slug}'s orders go to it (API key {key}); docs/integrations.md, "
            "“WooCommerce and Stripe with make run”, walks a payment, an order and its refund "
            "through it.",
            WIDTH,
            initial_indent=" " * 16,
            subsequent_indent=" " * 16,
        )
    lines.append(RULE)
    return lines


def _options(options: dict[str, str] | None) -> str:
    values = [str(v) for v in (options or {}).values() if v]
    return f"({', '.join(values)})" if values else ""


def _where_mail_goes() -> str:
    backend = settings.EMAIL_BACKEND
    if backend.endswith("filebased.EmailBackend"):
        return f"written to {_shown(settings.EMAIL_FILE_PATH)}/ (EMAIL_BACKEND)"
    if backend.endswith("console.EmailBackend"):
        return "printed in this terminal (EMAIL_BACKEND)"
    if backend.endswith("smtp.EmailBackend"):
        return f"sent through {settings.EMAIL_HOST}:{settings.EMAIL_PORT}"
    return f"handled by {backend}"


def _where_logs_go() -> str:
    log_file = settings.LOG_FILE
    level = settings.LOG_LEVEL
    if log_file:
        return f"{_shown(log_file)} at {level} (LOG_FILE, LOG_LEVEL); errors also in this terminal"
    return f"this terminal at {level} (LOG_LEVEL)"


def _shown(path: str | os.PathLike[str]) -> str:
    """A path as short as it can be said from where the command runs."""
    resolved = Path(path).resolve()
    try:
        return str(resolved.relative_to(Path.cwd()))
    except ValueError:
        return str(resolved)
