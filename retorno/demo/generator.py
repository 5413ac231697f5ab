"""The demo store behind `retorno demo` / `make run`: a believable Spanish shop with a catalog,
customers, orders over the last 120 days and returns in every state.

Everything is written through the services (product_upsert, order_upsert, return_*), so the
demo exercises the same paths as real traffic. The data is a pure function of the seed, the
sizes and today's date (dates are anchored to the store's today at its local midnight, so the
demo always looks current); RMAs and tracking tokens stay random, as the services make them.

The money side goes through the real services too: exchanges (size and colour swaps; gold
members' instant ones, released at approval), dearer exchanges whose difference is charged,
cheap accessories the policy lets the shopper keep, claims, and the hourly instant-exchange jobs
run at the past hours they would have run (reminder, then charge-back of an original never sent
back). The store pays through the console adapter, and every refund and charge of the past is
sent when it is written, at its own time, so the ledger ends settled and on the trails.

Generation happens once per store: when the store already has orders, only the store, its
policy, the staff users and the API key are ensured.
"""

from __future__ import annotations

import contextlib
import logging
import random
import time
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count
from django.templatetags.static import static
from django.utils import timezone

from retorno.accounts.keys import generate_key
from retorno.accounts.models import Role
from retorno.accounts.services import membership_grant
from retorno.analytics.rollups import rollups_rebuild
from retorno.analytics.supplier_alerts import supplier_alerts_check
from retorno.core.actors import SYSTEM, Actor
from retorno.core.errors import RetornoError
from retorno.core.models import OutboxMessage, OutboxStatus
from retorno.core.outbox import outbox_deliver_one
from retorno.demo import comments, data, inspecting, showcase
from retorno.demo.carrier_history import carrier_history_write
from retorno.demo.history import HistoryResult, history_load
from retorno.demo.showcase import showcase_orders_ensure
from retorno.demo.stores import CLI, store_create
from retorno.domain.days import local_day, zone
from retorno.domain.errors import DomainError
from retorno.domain.money import quantize
from retorno.domain.returns.amounts import line_paid_total, units_paid_amount
from retorno.insight import services as insight
from retorno.insight.models import CommentPrediction
from retorno.logistics.demo import demo_carriers_ensure
from retorno.money import selectors as money_selectors
from retorno.money.models import (
    Charge,
    ChargeKind,
    Claim,
    Destination,
    ExchangeOrder,
    Refund,
)
from retorno.money.services import claims as money_claims
from retorno.money.services.settings import money_settings_save
from retorno.orders.catalog import product_upsert
from retorno.orders.models import Order, Variant
from retorno.orders.services import order_upsert
from retorno.policies.selectors import policy_version_current
from retorno.policies.services import policy_publish
from retorno.returns import services as returns
from retorno.returns.models import Return
from retorno.returns.workflows import charges as charge_flow
from retorno.returns.workflows import inspection, receiving
from retorno.returns.workflows import refunds as refund_flow
from retorno.returns.workflows import resolving as resolve_flow
from retorno.stores.models import Store
from retorno.stores.services import return_methods_save

DEMO_SLUG = "demo"
DEFAULT_SEED = 42
DEFAULT_CUSTOMERS = 2000
DEFAULT_ORDERS = 3000
DEMO_PASSWORD = "retorno-demo"
DEMO_API_KEY = "rtn_demo_key_do_not_use_in_production"
ADMIN_USERNAME = "admin"
HISTORY_DAYS = 120
CURRENCY = "EUR"
VAT = data.VAT
TIER_WEIGHTS = {"": 68, "silver": 23, "gold": 9}
# Return windows of the default policy, to avoid planning returns the policy would refuse.
TIER_WINDOW_DAYS = {"": 30, "silver": 45, "gold": 60}
# Every state a return can be left in; "requested" is transient (decided at creation).
REACHABLE_STATES = (
    "pending_review",
    "approved",
    "rejected",
    "cancelled",
    "in_transit",
    "received",
    "inspected",
    "resolved",
    "closed",
)
# The state each planned step leaves a return in.
STEP_STATE = {
    "approve": "approved",
    "reject": "rejected",
    "cancel": "cancelled",
    "in_transit": "in_transit",
    "receive": "received",
    "inspect": "inspected",
    "resolve": "resolved",
    "close": "closed",
}
# How much more often a defect-prone product comes back.
DEFECT_PRONE_RETURNS = 3
# Products people sometimes buy two of.
MULTI_BUY = frozenset({"t-shirt", "charger", "gift-card", "bedding"})
CHAIN = ("in_transit", "receive", "inspect", "resolve", "close")
# The states an exchange (not an instant one) is shown in: stock reserved at approval, the
# original travelling, received, inspected, and the exchange order released at resolution.
EXCHANGE_STATES = ("approved", "in_transit", "received", "inspected", "resolved", "closed")
# Claims: about one order in 200, at least one of each outcome.
CLAIM_RATE = 0.005
CLAIM_OUTCOMES = ("refund", "replacement", "both", "rejected")
CLAIM_OUTCOME_WEIGHTS = (40, 30, 10, 20)
# The customers whose history tells a story (comments.TELLING_CUSTOMERS) come with demos at
# least this big; a smaller one stays all random.
TELLING_MIN_CUSTOMERS = 20
TELLING_MIN_ORDERS = 60

T = TypeVar("T")


@dataclass
class DemoResult:
    store: Store
    generated: bool
    api_key: str
    admin_username: str
    password: str
    staff: list[tuple[str, str]]
    counts: dict[str, int] = field(default_factory=dict)
    return_states: dict[str, int] = field(default_factory=dict)
    refused_returns: int = 0
    money: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    # The demo's carrier accounts: code -> the simulator address they call.
    carriers: dict[str, str] = field(default_factory=dict)
    # Orders a visitor can return now: a simple one, an exchange, one for review.
    showcase: list[Order] = field(default_factory=list)
    # Return items whose comment was classified by the jobs the new returns queued.
    comments_classified: int = 0


def demo_create(
    *,
    slug: str = DEMO_SLUG,
    customers: int = DEFAULT_CUSTOMERS,
    orders: int = DEFAULT_ORDERS,
    seed: int = DEFAULT_SEED,
    api_key: str | None = None,
    today: date | None = None,
    simulator_url: str | None = None,
) -> DemoResult:
    """Create (once) the demo store `slug` with its catalog, customers, orders and returns.

    Always ensures the store, its default policy, the `admin` superuser, one staff user per role
    and the API key (`api_key` or DEMO_API_KEY). Generates data only when the store has no
    orders yet, all in one transaction (a failure leaves no half-built store). `today` (the
    store's day) anchors every date at its local midnight; it defaults to the store's today.
    Raises RetornoError when the store cannot be set up (for example an API key that belongs to
    another store). The demo's carriers call the carrier simulator at `simulator_url` (default:
    the address they have).
    """
    if customers < 1 or orders < 1:
        raise ValueError("customers and orders must be at least 1")
    started = time.perf_counter()
    key = api_key or DEMO_API_KEY
    with transaction.atomic():
        store = _store_ensure(slug, key)
        staff = demo_staff_ensure(store)
        _demo_policy_ensure(store)
        # The demo pays refunds and takes charges through the console adapter; set before the
        # history is generated, so its refunds and charges are paid through it too.
        money_settings_save(store=store, payment_adapter="console")
    result = DemoResult(
        store=store,
        generated=False,
        api_key=key,
        admin_username=ADMIN_USERNAME,
        password=DEMO_PASSWORD,
        staff=[(username, role) for username, _, _, role in data.STAFF],
    )
    if not Order.objects.filter(store=store).exists():
        day = today or local_day(timezone.now(), store.timezone)
        anchor = datetime.combine(day, datetime.min.time(), zone(store.timezone))
        with transaction.atomic(), _quiet(CONSOLE_PAYMENTS_LOGGER):
            result.refused_returns = _Generator(store, random.Random(seed), anchor, staff).run(
                customers=customers, orders=orders
            )
        result.generated = True
        result.comments_classified = _comments_classify(store)
    # Carriers come last: the demo's history is past, and only what happens from now on books.
    result.carriers = {
        account.code: str(account.config.get("base_url", ""))
        for account in demo_carriers_ensure(store, base_url=simulator_url)
    }
    if result.generated:
        carrier_history_write(store, seed=seed)
        # The carriers' history is written past the services that keep the analytics
        # rollups (which kept them for everything else): bring them up to date.
        rollups_rebuild(store)
        # The supplier with a bad batch is over its defect threshold: open its alert now rather
        # than at the hourly check's first pass.
        supplier_alerts_check(store=store, now=timezone.now())
        # The history was returned by carrier; from now on a shopper may also bring it to the shop.
        return_methods_save(
            store=store,
            methods=[*store.return_methods, "in_store"],
            locations=data.STORE_LOCATIONS,
        )
    # Orders to try, fresh whatever day this runs; the counts are of the generated history.
    # With `today` given, noon of that day in the store's time zone stands for now.
    result.showcase = showcase_orders_ensure(
        store,
        now=timezone.now()
        if today is None
        else datetime.combine(today, datetime.min.time(), zone(store.timezone))
        + timedelta(hours=12),
    )
    result.counts = {
        "products": store.products.count(),
        "variants": store.variants.count(),
        "customers": store.customers.exclude(
            external_id__startswith=showcase.CUSTOMER_PREFIX
        ).count(),
        "orders": store.orders.exclude(external_id__startswith=showcase.EXTERNAL_PREFIX).count(),
        "returns": store.returns.count(),
    }
    result.return_states = dict(
        Return.objects.filter(store=store)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by("status")
    )
    result.money = money_summary(store)
    result.seconds = time.perf_counter() - started
    return result


def _comments_classify(store: Store) -> int:
    """Run the comment-classification jobs the demo's returns queued (the outbox's own
    delivery, as a worker would, so the back office shows predictions at once). A job the
    in-process workers took first is skipped here; either way each runs once."""
    pending = OutboxMessage.objects.filter(
        store_id=store.id, kind=insight.CLASSIFY_KIND, status=OutboxStatus.PENDING
    )
    for message_id in list(pending.order_by("id").values_list("id", flat=True)):
        outbox_deliver_one(message_id)
    return CommentPrediction.objects.filter(store=store).count()


def money_summary(store: Store) -> dict[str, Any]:
    """What the demo shows of the money side: exchanges, charges, kept returns, claims."""

    def by(queryset: Any, *names: str) -> dict[str, int]:
        rows = queryset.values_list(*names).annotate(n=Count("id")).order_by(*names)
        return {" ".join(str(part) for part in row[:-1] if part): row[-1] for row in rows}

    exchanges = ExchangeOrder.objects.filter(store=store, return_id__isnull=False)
    return {
        "exchanges": exchanges.count(),
        "instant_exchanges": exchanges.filter(instant=True).count(),
        "exchanges_by_state": by(exchanges, "state"),
        "replacements": ExchangeOrder.objects.filter(store=store, claim__isnull=False).count(),
        "charges_by_kind": by(Charge.objects.filter(store=store), "kind", "state"),
        "kept_returns": Return.objects.filter(store=store, method="keep").count(),
        "claims_by_state": by(Claim.objects.filter(store=store), "state", "resolution"),
        "refunds_by_state": by(Refund.objects.filter(store=store), "state"),
    }


CONSOLE_PAYMENTS_LOGGER = "retorno.integrations.payments.console"


@contextmanager
def _quiet(name: str) -> Iterator[None]:
    """Keep a logger to warnings meanwhile: the demo's past refunds and charges, paid through
    the console adapter, would otherwise log a line each."""
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


# --- store, staff ------------------------------------------------------------------------------


def _demo_policy_ensure(store: Store) -> None:
    """The default policy plus the money perks the demo shows: gold members get exchanges
    before sending anything back, and cheap items are not worth the return shipping."""
    current = policy_version_current(store=store)
    document = data.demo_policy_document()
    if current is None or current.document != document:
        policy_publish(store=store, document=document, actor=CLI, note="Demo policy")


def _store_ensure(slug: str, key: str) -> Store:
    store, _, created = store_create(
        slug=slug, name=data.STORE_NAME, currency=CURRENCY, language="es", api_key=key
    )
    if created:
        for name, value in data.STORE_BRANDING.items():
            setattr(store, name, value)
        store.full_clean()
        store.save()
    return store


def demo_staff_ensure(store: Store) -> dict[str, Actor]:
    """The admin superuser and one staff user per role, all with DEMO_PASSWORD.

    Passwords are only set on users that have none, so a password changed by the operator is
    kept. The hash is computed once: the slow hasher would otherwise dominate a re-run.
    """
    hashed: str | None = None

    def ensure(username: str, first: str, last: str, role: str, superuser: bool) -> Any:
        nonlocal hashed
        membership = membership_grant(
            store=store, username=username, email=f"{username}@example.com", role=role
        )
        user = membership.user
        changed = False
        if not user.has_usable_password():
            hashed = hashed or make_password(DEMO_PASSWORD)
            user.password = hashed
            changed = True
        wanted = {"is_staff": True, "first_name": first, "last_name": last}
        if superuser:
            wanted["is_superuser"] = True
        for name, value in wanted.items():
            if getattr(user, name) != value:
                setattr(user, name, value)
                changed = True
        if changed:
            user.save()
        return user

    ensure(ADMIN_USERNAME, "Admin", "Demo", Role.ADMIN, superuser=True)
    actors = {}
    for username, first, last, role in data.STAFF:
        user = ensure(username, first, last, role, superuser=False)
        actors[role] = Actor(kind="staff", id=str(user.pk), label=f"{first} {last} ({role})")
    return actors


# --- generation --------------------------------------------------------------------------------


@dataclass
class _Line:
    external_id: str
    spec: data.ProductSpec
    sku: str
    quantity: int
    unit_price: Decimal
    discount: Decimal
    tax: Decimal


@dataclass
class _Plan:
    order_external_id: str
    customer: dict[str, Any]
    items: list[tuple[_Line, int, str, str]]  # line, units, reason, comment
    resolution: str
    method: str
    review: bool
    steps: list[tuple[str, datetime]]
    carrier: tuple[str, str, str]
    tracking_number: str
    grades: dict[str, str]
    notes: dict[str, str]
    expect_refusal: bool
    # Line -> SKUs the shopper would take in exchange, best first (empty: nothing to swap for).
    candidates: dict[str, list[str]] = field(default_factory=dict)
    # The policy lets the shopper keep the items: resolved at approval, nothing travels.
    kept: bool = False

    @property
    def final_state(self) -> str:
        last = self.steps[-1][0]
        if last == "create":
            if self.kept:
                return "resolved"
            return "pending_review" if self.review else "approved"
        return STEP_STATE[last]

    @property
    def gold(self) -> bool:
        return bool(self.customer["tier"] == "gold")

    @property
    def exchangeable(self) -> bool:
        return all(self.candidates.get(line.external_id) for line, _, _, _ in self.items)

    @property
    def approved_at(self) -> datetime | None:
        for command, at in self.steps:
            if command == "approve":
                return at
        return None if self.review else self.steps[0][1]


class _Generator:
    def __init__(
        self, store: Store, rng: random.Random, anchor: datetime, staff: dict[str, Actor]
    ) -> None:
        self.store = store
        self.rng = rng
        self.anchor = anchor
        self.staff = staff
        self.variants: dict[str, list[tuple[str, dict[str, str], Decimal]]] = {}
        self.stock: dict[str, int] = {}  # SKU -> stock when the catalog was loaded
        self.sku_options: dict[str, dict[str, str]] = {}
        self.by_options: dict[tuple[str, str, str], str] = {}  # (code, colour, size) -> SKU
        base = data.demo_policy_document()["base"]
        self.keep_item = bool(base.get("keep_item"))
        self.keep_max = Decimal(base["keep_item_max_value"] or "Infinity")
        self.keep_recovery = Decimal(base.get("keep_item_recovery_percent", "100"))
        self.return_cost = Decimal(base.get("return_shipping_cost", "0"))
        self.instant_days = int(base.get("instant_exchange_return_days") or 30)

    def run(self, *, customers: int, orders: int) -> int:
        self._catalog()
        telling: tuple[comments.TellingCustomer, ...] = ()
        if customers >= TELLING_MIN_CUSTOMERS and orders >= TELLING_MIN_ORDERS:
            telling = comments.TELLING_CUSTOMERS
        telling_orders = sum(len(who.orders) for who in telling)
        people = [self._customer(n) for n in range(customers - len(telling))]
        planned = self._orders(people, orders - telling_orders)
        threshold = self._review_threshold()
        plans = [p for p in (self._return_plan(*o, threshold) for o in planned) if p]
        self._cover_states(plans, planned, threshold)
        self._cover_exchanges(plans)
        plans += self._telling(telling, len(people), len(planned), threshold)
        refused = self._returns_execute(plans)
        inspecting.rtv_ship_due(
            self.store, self.staff[Role.WAREHOUSE], self.anchor - timedelta(minutes=1)
        )
        self._instant_exchange_jobs()
        self._claims(planned, plans)
        return refused

    # catalog ------------------------------------------------------------------------------

    def _catalog(self) -> None:
        rng = self.rng
        for spec in data.CATALOG:
            variants = []
            for colour in spec.colours or ("",):
                for size in spec.sizes or ("",):
                    options = {}
                    if colour:
                        options["colour"] = colour
                    if size:
                        options[spec.size_option] = size
                    sku = "-".join(
                        part for part in ("TD", spec.code, _code(colour), _code(size)) if part
                    )
                    price = spec.price_by_size.get(size, spec.price)
                    if spec.category == data.GIFT_CARD_CATEGORY:
                        stock = 9999
                    elif spec.premium:
                        stock = rng.randint(0, 6)
                    else:
                        stock = 0 if rng.random() < 0.08 else rng.randint(3, 160)
                    variants.append(
                        {
                            "sku": sku,
                            "options": options,
                            "price": price,
                            "stock": stock,
                            "weight_grams": spec.weight_grams,
                        }
                    )
                    self.variants.setdefault(spec.code, []).append((sku, options, price))
                    self.stock[sku] = stock
                    self.sku_options[sku] = options
                    self.by_options[(spec.code, colour, size)] = sku
            product_upsert(
                store=self.store,
                external_id=f"prod_{spec.code.lower()}",
                title=spec.title,
                category=spec.category,
                vendor=spec.vendor,
                # A drawing of the kind of product, shipped with the demo (no image downloads).
                image_url=static(f"demo/products/{spec.kind}.svg"),
                url=f"{data.SHOP_URL}/productos/{spec.code.lower()}",
                tags=[spec.kind, *spec.tags, *(["premium"] if spec.premium else [])],
                variants=variants,
            )

    # customers ----------------------------------------------------------------------------

    def _customer(self, n: int) -> dict[str, Any]:
        rng = self.rng
        english = rng.random() < 0.22
        if english:
            first, last = rng.choice(data.ENGLISH_FIRST), rng.choice(data.ENGLISH_LAST)
            name = f"{first} {last}"
        else:
            first = rng.choice(data.SPANISH_FIRST)
            last = rng.choice(data.SPANISH_LAST)
            name = f"{first} {last} {rng.choice(data.SPANISH_LAST)}"
        handle = rng.choice(
            (
                f"{_ascii(first)}.{_ascii(last)}",
                f"{_ascii(first)}{_ascii(last)}",
                f"{_ascii(first)[0]}.{_ascii(last)}",
            )
        )
        email = f"{handle}{n + 1}@example.com"  # the number keeps emails unique
        lives_in_ireland = english and rng.random() < 0.4
        phone = ""
        if rng.random() < 0.65:
            phone = (
                f"+353 8{rng.randint(3, 9)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
                if lives_in_ireland
                else f"+34 6{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)}"
            )
        tier = _weighted(rng, list(TIER_WEIGHTS), list(TIER_WEIGHTS.values()))
        tags = ["vip"] if tier == "gold" and rng.random() < 0.5 else []
        if rng.random() < 0.35:
            tags.append("newsletter")
        return {
            "customer": {
                "external_id": f"cus_{n + 1:05d}",
                "email": email,
                "name": name,
                "phone": phone,
                "tier": tier,
                "tags": tags,
                "language": "en" if english else "es",
            },
            "address": self._address(name, phone, lives_in_ireland),
        }

    def _address(self, name: str, phone: str, ireland: bool) -> dict[str, str]:
        rng = self.rng
        if ireland:
            city, region, prefix = rng.choice(data.IRISH_CITIES)
            return {
                "name": name,
                "line1": f"{rng.randint(1, 120)} {rng.choice(data.IRISH_STREETS)}",
                "line2": "",
                "city": city,
                "region": region,
                "postal_code": f"{prefix}{'' if len(prefix) == 3 else rng.randint(1, 9)} "
                f"{rng.choice('ACDEFHKNPRTVWXY')}{rng.randint(100, 999)}",
                "country": "IE",
                "phone": phone,
            }
        cities = data.SPANISH_CITIES
        city, region, prefix, _ = cities[_weighted_index(rng, [c[3] for c in cities])]
        floor = rng.choice(("", f"{rng.randint(1, 8)}º {rng.choice('ABCD')}", "Bajo"))
        return {
            "name": name,
            "line1": f"{rng.choice(data.SPANISH_STREETS)}, {rng.randint(1, 180)}",
            "line2": floor,
            "city": city,
            "region": region,
            "postal_code": f"{prefix}{rng.randint(1, 50):02d}",
            "country": "ES",
            "phone": phone,
        }

    # orders -------------------------------------------------------------------------------

    def _orders(
        self, people: list[dict[str, Any]], count: int
    ) -> list[tuple[dict[str, Any], list[_Line]]]:
        rng = self.rng
        span = HISTORY_DAYS * 86400
        # Business grows a little: recent weeks have more orders than four months ago.
        moments = []
        for _ in range(count):
            day = self.anchor - timedelta(seconds=int(span * (1 - rng.random() ** 0.85)) + 1)
            # Shoppers buy in the daytime, 07:00-22:59.
            moments.append(day.replace(hour=7 + rng.randint(0, 15), minute=rng.randint(0, 59)))
        moments.sort()
        # Every customer orders once when there are enough orders; loyal tiers order again more.
        buyers = list(range(len(people)))
        rng.shuffle(buyers)
        buyers = buyers[:count]
        weights = [{"": 1.0, "silver": 2.2, "gold": 3.5}[p["customer"]["tier"]] for p in people]
        buyers += rng.choices(range(len(people)), weights=weights, k=count - len(buyers))
        rng.shuffle(buyers)
        planned = []
        by_category: dict[str, list[data.ProductSpec]] = {}
        for spec in data.CATALOG:
            if not spec.premium:
                by_category.setdefault(spec.category, []).append(spec)
        for k, placed_at in enumerate(moments):
            order, lines = self._order(k, placed_at, people[buyers[k]], by_category)
            order_upsert(store=self.store, data=order)
            planned.append((order, lines))
        return planned

    def _order(
        self,
        k: int,
        placed_at: datetime,
        person: dict[str, Any],
        by_category: dict[str, list[data.ProductSpec]],
        picks: Sequence[tuple[data.ProductSpec, str]] = (),
    ) -> tuple[dict[str, Any], list[_Line]]:
        """Order `k` as the store's platform would send it (the shape of the API's
        OrderIn.model_dump()), with its priced lines for planning returns. `picks` (product,
        SKU) are its lines, one unit each, instead of a random basket."""
        rng = self.rng
        external_id = f"ord_{100001 + k}"
        promo = rng.choice(data.PROMO_CODES) if rng.random() < 0.18 else None
        specs: list[data.ProductSpec] = []
        if not picks:
            size = _weighted(rng, [1, 2, 3, 4], [52, 28, 13, 7])
            if k % 60 in (5, 20) or rng.random() < 0.025:  # a big-ticket order now and then
                specs.append(rng.choice([s for s in data.CATALOG if s.premium]))
                size -= 1
            categories = list(data.CATEGORY_WEIGHTS)
            for _ in range(size):
                weights = list(data.CATEGORY_WEIGHTS.values())
                shelf = by_category[_weighted(rng, categories, weights)]
                specs.append(shelf[_weighted_index(rng, [s.popularity for s in shelf])])
        lines: list[_Line] = []
        payload_lines = []
        seen: set[str] = set()
        for spec, picked in list(picks) or [(spec, "") for spec in specs]:
            if picked:
                sku, options = picked, self.sku_options[picked]
                price = next(v[2] for v in self.variants[spec.code] if v[0] == picked)
            else:
                sku, options, price = self._variant_pick(spec)
            if sku in seen:
                continue
            seen.add(sku)
            multi = not picked and spec.kind in MULTI_BUY
            quantity = 2 if multi and rng.random() < 0.15 else 1
            line = self._priced_line(
                f"{external_id}-{len(lines) + 1}", spec, sku, quantity, price, promo
            )
            lines.append(line)
            payload_lines.append(
                {
                    "external_id": line.external_id,
                    "sku": sku,
                    "title": spec.title,
                    "category": spec.category,
                    "vendor": spec.vendor,
                    "quantity": quantity,
                    "unit_price": line.unit_price,
                    "discount": line.discount,
                    "tax": line.tax,
                    "final_sale": spec.final_sale,
                    "tags": [spec.kind, *spec.tags],
                    "options": options,
                    "image_url": "",
                }
            )
        paid = sum(line.unit_price * line.quantity - line.discount + line.tax for line in lines)
        express = rng.random() < 0.1
        shipping_gross = Decimal("9.95") if express else Decimal("4.95")
        if not express and paid >= 50:
            shipping_gross = Decimal("0")
        shipping = quantize(shipping_gross / (1 + VAT), CURRENCY)
        delivered_at: datetime | None = placed_at + timedelta(
            days=_weighted(rng, [2, 3, 4, 5, 6], [20, 35, 25, 12, 8]) - (1 if express else 0),
            hours=rng.randint(-3, 4),
        )
        if delivered_at is not None and delivered_at >= self.anchor:
            delivered_at = None  # still on its way
        tags = []
        if promo:
            tags.append(f"promo:{promo[0]}")
        if express:
            tags.append("express")
        return {
            "external_id": external_id,
            "number": f"TD-{100001 + k}",
            "placed_at": placed_at,
            "delivered_at": delivered_at,
            "currency": CURRENCY,
            "customer": person["customer"],
            "shipping_address": person["address"],
            "shipping_amount": shipping,
            "shipping_tax_amount": shipping_gross - shipping,
            # The demo's promotions are on the lines (their discount); none on the whole order.
            "discount_amount": Decimal("0"),
            "tags": tags,
            # The demo store refunds through its shop, not a card processor's payment id.
            "payment_reference": "",
            # Drawn from the order's number, not the random stream (the rest of the demo stays
            # as it was): seven in ten online, two in a physical store, one on a marketplace.
            "channel": (("web",) * 7 + ("store",) * 2 + ("marketplace",))[k % 10],
            "lines": payload_lines,
        }, lines

    def _variant_pick(self, spec: data.ProductSpec) -> tuple[str, dict[str, str], Decimal]:
        rng = self.rng
        variants = self.variants[spec.code]
        if not spec.sizes:
            return rng.choice(variants)
        size = spec.sizes[_weighted_index(rng, list(spec.size_weights))]
        matching = [v for v in variants if v[1].get(spec.size_option) == size]
        return rng.choice(matching)

    def _priced_line(
        self,
        external_id: str,
        spec: data.ProductSpec,
        sku: str,
        quantity: int,
        gross_price: Decimal,
        promo: tuple[str, int] | None,
    ) -> _Line:
        gift_card = spec.category == data.GIFT_CARD_CATEGORY
        # Shelf prices include 21% VAT; lines carry the net price and the tax apart. Gift cards
        # are vouchers: no VAT when sold.
        unit_price = gross_price if gift_card else quantize(gross_price / (1 + VAT), CURRENCY)
        percent = 0
        if spec.final_sale:
            percent = 40
        elif promo and not gift_card and not spec.premium:  # promo codes exclude premium
            percent = promo[1]
        net = unit_price * quantity
        discount = quantize(net * percent / 100, CURRENCY)
        if gift_card:
            tax = Decimal("0.00")
        else:
            # The tax is what makes the line add up to its shelf price less the promotion, as
            # tax-inclusive shops do (rounding the tax apart would charge 59.96 for a 59.95
            # item, and every exchange of it would refund a cent).
            gross = gross_price * quantity
            tax = gross - quantize(gross * percent / 100, CURRENCY) - (net - discount)
        return _Line(external_id, spec, sku, quantity, unit_price, discount, tax)

    # returns ------------------------------------------------------------------------------

    def _review_threshold(self) -> Decimal | None:
        version = policy_version_current(store=self.store)
        value = version.document["base"].get("review_above_amount") if version else None
        return None if value is None else Decimal(value)

    def _return_plan(
        self,
        order: dict[str, Any],
        lines: list[_Line],
        threshold: Decimal | None,
        forced: Sequence[_Line] = (),
    ) -> _Plan | None:
        """The return the shopper of `order` asks for, if any, with what happens to it until
        today. `forced` plans a return of those lines whose story runs to the end."""
        rng = self.rng
        delivered_at = order["delivered_at"]
        if delivered_at is None:
            return None
        chosen = []
        for line in [] if forced else lines:
            spec = line.spec
            if spec.premium:
                rate = data.PREMIUM_RETURN_RATE
            elif spec.category == data.GIFT_CARD_CATEGORY:
                rate = 0.01
            else:
                rate = data.RETURN_RATE[spec.category]
            if spec.defect_prone:
                rate *= DEFECT_PRONE_RETURNS
            if rng.random() < rate:
                chosen.append(line)
        if forced:
            chosen = list(forced)
        if not chosen:
            return None
        # Most shoppers only see returnable items in the portal; a few still try others.
        if rng.random() < 0.75:
            chosen = [line for line in chosen if _returnable(line)]
        if not chosen:
            return None
        chosen = chosen[:2]
        customer = order["customer"]
        language = customer["language"]
        items = []
        for line in chosen:
            reason = self._reason(line.spec)
            comment = self._comment(language, reason) if rng.random() < 0.45 else ""
            units = line.quantity if rng.random() < 0.3 else 1
            items.append((line, units, reason, comment))
        sizing = any(reason in data.SIZE_SWAP_REASONS for _, _, reason, _ in items)
        if sizing:
            resolution = _weighted(rng, ["exchange", "refund", "store_credit"], [35, 45, 20])
        else:
            resolution = _weighted(rng, ["refund", "store_credit", "exchange"], [65, 28, 7])
        candidates = {
            line.external_id: self._exchange_candidates(line, units, reason)
            for line, units, reason, _ in items
        }
        if resolution == "exchange" and not all(candidates.values()):
            # Nothing to swap for (no other size that way, out of stock): money instead.
            resolution = _weighted(rng, ["refund", "store_credit"], [70, 30])
        method = _weighted(rng, ["pickup", "drop_off", "self_ship"], [45, 40, 15])
        values = [
            units_paid_amount(
                paid_total=line_paid_total(line.unit_price, line.quantity, line.discount, line.tax),
                quantity=line.quantity,
                units=units,
                units_before=0,
                currency=CURRENCY,
            )
            for line, units, _, _ in items
        ]
        value = sum(values, Decimal("0"))
        review = threshold is not None and value > threshold
        delay = rng.randint(6, 72) if forced else int(rng.triangular(6, 34 * 24, 3 * 24))
        requested_at = delivered_at + timedelta(hours=delay)
        if requested_at >= self.anchor:
            return None  # the shopper has not asked yet
        carrier = rng.choice(data.CARRIERS)
        window = timedelta(days=TIER_WINDOW_DAYS.get(customer["tier"], 30))
        expect_refusal = requested_at > delivered_at + window or not all(
            _returnable(line) for line, _, _, _ in items
        )
        plan = _Plan(
            order_external_id=order["external_id"],
            customer=customer,
            items=items,
            resolution=resolution,
            method=method,
            review=review,
            steps=self._timeline(requested_at, review, method, full=bool(forced)),
            carrier=carrier,
            tracking_number=f"{carrier[2]}{rng.randint(10**11, 10**12 - 1)}ES",
            grades={line.external_id: self._grade(reason) for line, _, reason, _ in items},
            notes={
                "approve": rng.choice(data.APPROVE_NOTES),
                "reject": rng.choice(data.REJECT_NOTES),
                "cancel": rng.choice(data.CANCEL_NOTES),
            },
            expect_refusal=expect_refusal,
            candidates=candidates,
        )
        if not review and not expect_refusal and resolution != "exchange" and self._keeps(values):
            # Approved and kept at once; closed a few days later like any settled return.
            plan.kept = True
            plan.steps = self._until_now(
                [plan.steps[0], ("close", requested_at + timedelta(days=rng.uniform(1, 7)))]
            )
        return plan

    def _keeps(self, values: list[Decimal]) -> bool:
        """Whether the demo policy lets the shopper keep items worth `values` (docs/policies.md,
        keep-the-item): every line within the cap, and shipping them back costs more than the
        store would recover."""
        recovered = sum(values, Decimal("0")) * self.keep_recovery / 100
        return (
            self.keep_item
            and all(v <= self.keep_max for v in values)
            and self.return_cost > recovered
        )

    def _exchange_candidates(self, line: _Line, units: int, reason: str) -> list[str]:
        """The variants a shopper returning `line` for `reason` would swap it for: the next size
        that way for a sizing reason, another colour in the same size for a colour one; only
        apparel and shoes, and only variants the catalog had in stock."""
        spec = line.spec
        if spec.category not in ("apparel", "shoes") or not spec.sizes or not _returnable(line):
            return []
        options = self.sku_options[line.sku]
        colour, size = options.get("colour", ""), options.get(spec.size_option, "")
        wanted: list[tuple[str, str]] = []
        if reason in data.SIZE_SWAP_REASONS:
            index = spec.sizes.index(size) + (1 if reason == "too_small" else -1)
            if 0 <= index < len(spec.sizes):
                wanted = [(colour, spec.sizes[index])]
        elif reason in data.COLOUR_SWAP_REASONS:
            wanted = [(other, size) for other in spec.colours if other != colour]
        skus = [self.by_options.get((spec.code, c, z), "") for c, z in wanted]
        return [sku for sku in skus if sku and self.stock[sku] > units]

    def _comment(self, language: str, picked: str) -> str:
        """What a shopper who picked `picked` writes: mostly that reason in words; now and then
        a reason shoppers mix up with it; for "other", usually a reason the taxonomy has."""
        rng = self.rng
        says = picked
        if picked == "other":
            if rng.random() < comments.OTHER_SAYS_RATE:
                says = rng.choice(comments.OTHER_SAYS)
        elif picked in comments.MISPICKS and rng.random() < comments.MISPICK_RATE:
            says = rng.choice(comments.MISPICKS[picked])
        return rng.choice(comments.COMMENTS[language][says])

    def _reason(self, spec: data.ProductSpec) -> str:
        if spec.category in ("apparel", "shoes"):
            weights = list(data.SIZING_REASON_WEIGHTS)
            # Shoppers of a product that runs small (large) say so far more often than the
            # other way round: strongly enough for the analytics to flag it.
            if spec.fit < 0:
                weights[0], weights[1] = weights[0] * 4, weights[1] // 3  # runs small
            elif spec.fit > 0:
                weights[0], weights[1] = weights[0] // 3, weights[1] * 4  # runs large
        elif spec.category == "electronics":
            weights = list(data.ELECTRONICS_REASON_WEIGHTS)
            if spec.defect_prone:
                weights[2] *= 4  # defective
        elif spec.category == "accessories":
            weights = list(data.ACCESSORY_REASON_WEIGHTS)
        else:
            weights = list(data.HOME_REASON_WEIGHTS)
        return _weighted(self.rng, list(data.REASONS), weights)

    def _grade(self, reason: str) -> str:
        if reason in ("defective", "damaged"):
            return _weighted(self.rng, ["B", "C", "D"], [15, 45, 40])
        return _weighted(self.rng, ["A", "B", "C"], [70, 25, 5])

    def _timeline(
        self, requested_at: datetime, review: bool, method: str, *, full: bool = False
    ) -> list[_Step]:
        """The steps of a return from its request on; `full` runs every step to closing."""
        rng = self.rng

        def later(at: datetime, low: float, high: float) -> datetime:
            return at + timedelta(minutes=int(rng.uniform(low, high) * 24 * 60))

        steps: list[_Step] = [("create", requested_at)]
        at = requested_at
        if review:
            if not full and (self.anchor - requested_at).days < 6 and rng.random() < 0.6:
                return steps  # still in the agents' review queue
            at = later(at, 0.1, 2)
            if not full and rng.random() < 0.3:
                steps.append(("reject", at))
                if rng.random() < 0.3:
                    steps.append(("close", later(at, 3, 10)))
                return self._until_now(steps)
            steps.append(("approve", at))
        if not full and rng.random() < 0.07:
            steps.append(("cancel", later(at, 0.05, 3)))
            return self._until_now(steps)
        old = (self.anchor - requested_at).days > 40
        stop = _weighted(
            rng,
            ["approved", *CHAIN],
            [2, 2, 2, 2, 4, 88] if old else [8, 8, 12, 12, 8, 52],
        )
        if full:
            stop = "close"
        transit_days = {"pickup": (0.5, 2.5), "drop_off": (0.5, 5), "self_ship": (1, 6)}[method]
        durations = {
            "in_transit": transit_days,
            "receive": (1.5, 5),
            "inspect": (0.2, 4),
            "resolve": (0.1, 3),
            "close": (1, 7),
        }
        for step in CHAIN:
            if stop == "approved":
                break
            if step == "in_transit" and not full and stop != "in_transit" and rng.random() < 0.08:
                continue  # parcels sometimes arrive without any carrier scan
            at = later(at, *durations[step])
            steps.append((step, at))
            if STEP_STATE[step] == stop:
                break
        return self._until_now(steps)

    def _until_now(self, steps: list[_Step]) -> list[_Step]:
        """What has happened by today: steps dated after the anchor have not happened yet."""
        kept = []
        for step in steps:
            if step[1] >= self.anchor:
                break
            kept.append(step)
        return kept

    def _cover_states(
        self,
        plans: list[_Plan],
        planned: list[tuple[dict[str, Any], list[_Line]]],
        threshold: Decimal | None,
    ) -> None:
        """Make sure every reachable state appears at least once (small demos, unlucky seeds):
        stop some returns earlier on their own timeline (never invent later dates), or, when no
        return can be cut that way, plan one more on an order that has none."""
        donors = [p for p in plans if not p.expect_refusal and not p.kept]
        donors.sort(key=lambda p: p.steps[0][1], reverse=True)  # prefer recent returns
        taken = {p.order_external_id for p in plans if not p.expect_refusal}
        for state in REACHABLE_STATES:
            counts = Counter(p.final_state for p in plans if not p.expect_refusal)
            if counts[state]:
                continue
            if any(counts[p.final_state] > 1 and _reshape(p, state, self.anchor) for p in donors):
                continue
            review = state in ("pending_review", "rejected")
            for order, lines in reversed(planned):
                if order["external_id"] in taken:
                    continue
                line = next(
                    (
                        line
                        for line in lines
                        if _returnable(line) and (line.spec.premium or not review)
                    ),
                    None,
                )
                if line is None:
                    continue
                plan = self._return_plan(order, lines, threshold, forced=[line])
                if (
                    plan is not None
                    and plan.review == review
                    and not plan.kept
                    and _reshape(plan, state, self.anchor)
                ):
                    # It replaces a refused attempt on the same order, if there was one.
                    plans[:] = [p for p in plans if p.order_external_id != order["external_id"]]
                    plans.append(plan)
                    taken.add(order["external_id"])
                    break

    def _cover_exchanges(self, plans: list[_Plan]) -> None:
        """Make sure the money side of exchanges shows (small demos, unlucky seeds), by turning
        a return whose items can be swapped into an exchange (the shopper's choice was a coin
        toss anyway) or cutting an exchange short on its own timeline, never inventing dates:
        an exchange in each state of its path; a gold member's instant exchange; and one
        instant exchange whose original never came back, approved long enough ago for its
        deadline to have passed (the charge-back job then charges it)."""
        live = [p for p in plans if not p.expect_refusal and not p.kept]
        live.sort(key=lambda p: p.steps[0][1], reverse=True)  # prefer recent returns
        after_approval = {"approved", *EXCHANGE_STATES}
        overdue_before = self.anchor - timedelta(days=self.instant_days, hours=2)

        def overdue(p: _Plan) -> bool:
            at = p.approved_at
            return p.gold and p.final_state == "approved" and at is not None and at < overdue_before

        if not any(p.resolution == "exchange" and overdue(p) for p in live):
            states = Counter(p.final_state for p in live)
            for p in live:
                at = p.approved_at
                if (
                    p.gold
                    and p.exchangeable
                    and at is not None
                    and at < overdue_before
                    and p.final_state in after_approval
                    and (p.final_state == "approved" or states[p.final_state] > 1)
                ):
                    p.resolution = "exchange"
                    _reshape(p, "approved", self.anchor)
                    break
        # An instant exchange whose original did come back, too.
        travelled = EXCHANGE_STATES[1:]
        if not any(
            p.gold and p.resolution == "exchange" and p.final_state in travelled for p in live
        ):
            for p in live:
                if p.gold and p.exchangeable and p.final_state in travelled:
                    p.resolution = "exchange"
                    break
        pool = [p for p in live if not p.gold]  # gold members' exchanges are instant
        for state in EXCHANGE_STATES:
            exchanges = Counter(p.final_state for p in pool if p.resolution == "exchange")
            if exchanges[state]:
                continue
            convert = next((p for p in pool if p.final_state == state and p.exchangeable), None)
            if convert is not None:
                convert.resolution = "exchange"
                continue
            for p in pool:
                if (
                    p.resolution == "exchange"
                    and exchanges[p.final_state] > 1
                    and _reshape(p, state, self.anchor)
                ):
                    break

    def _telling(
        self,
        telling: Sequence[comments.TellingCustomer],
        first_customer: int,
        first_order: int,
        threshold: Decimal | None,
    ) -> list[_Plan]:
        """The orders and returns of the customers whose history tells a story (a serial
        returner, a bracketer), as scripted in `comments`: orders numbered after the random
        ones, returns of the scripted lines with the scripted reason and comment, run to the
        end of their story unless left in review at the request."""
        rng = self.rng
        specs = {spec.code: spec for spec in data.CATALOG}
        plans = []
        k = first_order
        for n, who in enumerate(telling, start=first_customer):
            person = self._customer(n)
            person["customer"].update(
                name=who.name,
                email=f"{who.handle}@example.com",
                language=who.language,
                tier="",
                tags=[],
            )
            person["address"]["name"] = who.name
            for script in who.orders:
                placed_at = self.anchor - timedelta(
                    days=script.days_ago, hours=rng.randint(2, 14), minutes=rng.randint(0, 59)
                )
                picks = [
                    (specs[code], self.by_options[(code, colour, size)])
                    for code, colour, size in script.lines
                ]
                order, lines = self._order(k, placed_at, person, {}, picks=picks)
                k += 1
                order_upsert(store=self.store, data=order)
                returned = [lines[r.line] for r in script.returned]
                plan = self._return_plan(order, lines, threshold, forced=returned)
                if plan is None:
                    continue  # not delivered, or not asked for, by today
                plan.items = [(lines[r.line], 1, r.reason, r.comment) for r in script.returned]
                plan.grades = {line.external_id: self._grade(r) for line, _, r, _ in plan.items}
                plan.candidates = {
                    line.external_id: self._exchange_candidates(line, 1, r)
                    for line, _, r, _ in plan.items
                }
                if plan.resolution == "exchange" and not plan.exchangeable:
                    plan.resolution = "refund"
                if script.left_in_review:
                    plan.steps = plan.steps[:1]
                plans.append(plan)
        return plans

    def _returns_execute(self, plans: list[_Plan]) -> int:
        refused = 0
        store = self.store
        for plan in plans:
            customer = plan.customer
            shopper = Actor(kind="shopper", id=customer["external_id"], label=customer["name"])
            steps = iter(plan.steps)
            _, created_at = next(steps)
            variants = self._exchange_variants(plan)
            try:
                created = returns.return_create(
                    store=store,
                    order_external_id=plan.order_external_id,
                    items=[
                        returns.ItemRequest(
                            line=line.external_id,
                            quantity=units,
                            reason=reason,
                            comment=comment,
                            exchange_variant_id=variants.get(line.external_id),
                        )
                        for line, units, reason, comment in plan.items
                    ],
                    resolution=plan.resolution,
                    method=plan.method,
                    actor=shopper,
                    source="demo",
                    now=created_at,
                )
            except RetornoError:
                refused += 1  # not eligible (final sale, gift card, window over): skip it
                continue
            rma = created.rma
            self._payments_settle(created.id, created_at)
            rest = list(steps)
            if created.status == "pending_review" and rest and rest[0][0] not in STEP_DECIDE:
                review_at = created_at + timedelta(hours=6)
                if review_at < rest[0][1]:
                    rest.insert(0, ("approve", review_at))
            elif created.status == "approved" and rest and rest[0][0] in STEP_DECIDE:
                rest.pop(0)
            try:
                for n, (command, at) in enumerate(rest):
                    self._step(rma, plan, command, at, shopper)
                    if command == "inspect":
                        # A refund issued at inspection: the bank confirms it hours later.
                        following = rest[n + 1][1] if n + 1 < len(rest) else self.anchor
                        at = inspecting.bank_settles_at(plan.order_external_id, at, following)
                    if command not in ("reject", "cancel", "close"):
                        self._payments_settle(created.id, at)
            except (RetornoError, DomainError):
                continue  # the policy or the state machine saw it differently: leave it there
        return refused

    def _exchange_variants(self, plan: _Plan) -> dict[str, int]:
        """Line -> the variant an exchange plan swaps it for: its first candidate still in
        stock now (earlier exchanges reserved some). None left: the shopper takes the money."""
        if plan.resolution != "exchange":
            return {}
        skus = {sku for wanted in plan.candidates.values() for sku in wanted}
        found = {
            sku: (variant_id, stock)
            for sku, variant_id, stock in Variant.objects.filter(
                store=self.store, sku__in=skus
            ).values_list("sku", "id", "stock")
        }
        chosen = {}
        for line, units, _, _ in plan.items:
            pick = next(
                (
                    found[sku][0]
                    for sku in plan.candidates.get(line.external_id, [])
                    if sku in found and found[sku][1] >= units
                ),
                None,
            )
            if pick is None:
                plan.resolution = "refund"
                return {}
            chosen[line.external_id] = pick
        return chosen

    def _payments_settle(self, return_id: int, at: datetime) -> None:
        """Pay the return's refunds and take its charges written by the last step, at the
        step's time, through the store's adapter (the console one), as the outbox would have
        right after commit. Their outbox messages, delivered after the demo commits, then
        find them settled and do nothing."""
        refunds = Refund.objects.filter(
            return_id=return_id, state="pending", destination=Destination.ORIGINAL_PAYMENT
        )
        for refund_id in list(refunds.order_by("id").values_list("id", flat=True)):
            refund_flow.refund_drive(refund_id, now=at)
        charges = Charge.objects.filter(return_id=return_id, state="pending")
        for charge_id in list(charges.order_by("id").values_list("id", flat=True)):
            charge_flow.charge_drive(charge_id, now=at)

    def _instant_exchange_jobs(self) -> None:
        """Run the hourly instant-exchange jobs at the past hours they would have run: the
        reminder a few days before each deadline, the charge-back just after it. The jobs
        sweep every store; a run is skipped if it would touch another store's exchanges."""
        rng = self.rng
        days = settings.RETORNO_INSTANT_EXCHANGE_REMINDER_DAYS
        runs: list[tuple[datetime, str]] = []
        exchanges = ExchangeOrder.objects.filter(
            store=self.store, instant=True, return_due_by__isnull=False
        ).order_by("return_due_by", "id")
        for due in exchanges.values_list("return_due_by", flat=True):
            runs.append((due - timedelta(days=days, minutes=-rng.randint(5, 55)), "remind"))
            runs.append((due + timedelta(minutes=rng.randint(5, 55)), "charge_back"))
        for at, job in sorted(runs):
            if at >= self.anchor:
                continue
            if job == "remind":
                due_soon = money_selectors.instant_exchanges_due_soon(
                    now=at, within=timedelta(days=days)
                )
                if due_soon and self._ours([exchange_id for exchange_id, _ in due_soon]):
                    charge_flow.instant_exchange_reminders(now=at)
                continue
            overdue = money_selectors.overdue_instant_exchanges(now=at)
            if (
                overdue
                and self._ours(overdue)
                and charge_flow.instant_exchange_charge_backs(now=at)
            ):
                for charge in Charge.objects.filter(
                    store=self.store, kind=ChargeKind.UNRETURNED_ITEM, state="pending"
                ).order_by("id"):
                    charge_flow.charge_drive(charge.id, now=at)

    def _ours(self, exchange_ids: list[int]) -> bool:
        return (
            not ExchangeOrder.objects.filter(id__in=exchange_ids).exclude(store=self.store).exists()
        )

    # claims -------------------------------------------------------------------------------

    def _claims(
        self, planned: list[tuple[dict[str, Any], list[_Line]]], plans: list[_Plan]
    ) -> None:
        """A few delivered orders without a return get a claim (damaged in transit, missing or
        wrong item, dead on arrival), opened by the shopper soon after delivery and resolved
        by an agent by refund, replacement or both, or rejected; the latest stay open."""
        rng = self.rng
        returned = {p.order_external_id for p in plans}
        pool = []
        for order, lines in planned:
            if order["delivered_at"] is None or order["external_id"] in returned:
                continue
            claimable = [line for line in lines if line.spec.category in data.RETURN_RATE]
            if claimable:
                pool.append((order, claimable))
        count = min(len(pool), max(len(CLAIM_OUTCOMES) + 1, round(len(planned) * CLAIM_RATE)))
        if not count:
            return
        chosen = sorted(rng.sample(pool, count), key=lambda pair: pair[0]["delivered_at"])
        settled = count - max(1, count // 6)
        # Every outcome once on the oldest claims (settled well before today whatever the
        # draws), then outcomes drawn by their weights.
        extras = [
            _weighted(rng, CLAIM_OUTCOMES, CLAIM_OUTCOME_WEIGHTS)
            for _ in range(settled - len(CLAIM_OUTCOMES))
        ]
        rng.shuffle(extras)
        outcomes = list(CLAIM_OUTCOMES) + extras
        # The most recent ones are still waiting for an agent.
        outcomes = outcomes[:settled] + ["open"] * (count - settled)
        agent = self.staff[Role.AGENT]
        for (order, lines), outcome in zip(chosen, outcomes, strict=True):
            self._claim(order, lines, outcome, agent)

    def _claim(self, order: dict[str, Any], lines: list[_Line], outcome: str, agent: Actor) -> None:
        rng = self.rng
        store = self.store
        customer = order["customer"]
        line = rng.choice(lines)
        reasons = [r for r, cats in data.CLAIM_REASONS.items() if line.spec.category in cats]
        reason = rng.choice(reasons)
        units = line.quantity if rng.random() < 0.3 else 1
        delivered_at: datetime = order["delivered_at"]
        opened_at = delivered_at + timedelta(minutes=int(rng.uniform(2, 72) * 60))
        if opened_at >= self.anchor:
            opened_at = delivered_at + (self.anchor - delivered_at) / 2
        claim = money_claims.claim_open(
            store=store,
            order_external_id=order["external_id"],
            reason=reason,
            lines={line.external_id: units},
            actor=Actor(kind="shopper", id=customer["external_id"], label=customer["name"]),
            description=rng.choice(data.CLAIM_DESCRIPTIONS[customer["language"]][reason]),
            now=opened_at,
        )
        resolved_at = opened_at + timedelta(minutes=int(rng.uniform(3, 60) * 60))
        if outcome == "open" or resolved_at >= self.anchor:
            return
        if outcome == "rejected":
            money_claims.claim_reject(
                store=store,
                number=claim.number,
                actor=agent,
                note=rng.choice(data.CLAIM_REJECT_NOTES),
                now=resolved_at,
            )
            return
        try:
            money_claims.claim_resolve(
                store=store,
                number=claim.number,
                resolution=outcome,
                actor=agent,
                note=data.CLAIM_RESOLVE_NOTES[outcome],
                now=resolved_at,
            )
        except RetornoError:  # nothing left in stock to replace it with: refunded instead
            money_claims.claim_resolve(
                store=store,
                number=claim.number,
                resolution="refund",
                actor=agent,
                note=data.CLAIM_RESOLVE_NOTES["refund"],
                now=resolved_at,
            )
        refunds = Refund.objects.filter(
            claim=claim, state="pending", destination=Destination.ORIGINAL_PAYMENT
        )
        for refund_id in list(refunds.order_by("id").values_list("id", flat=True)):
            refund_flow.refund_drive(refund_id, now=resolved_at)

    def _step(self, rma: str, plan: _Plan, command: str, at: datetime, shopper: Actor) -> None:
        store = self.store
        agent = self.staff[Role.AGENT]
        warehouse = self.staff[Role.WAREHOUSE]
        if command == "approve":
            if inspecting.overrides(plan.order_external_id):
                # The agent accepts an item the policy held for review, by name and with why.
                line = plan.items[0][0]
                returns.return_item_override(
                    store=store,
                    rma=rma,
                    line=line.external_id,
                    decision="accepted",
                    rule=REVIEW_RULE if plan.review else "abuse-review",
                    note=inspecting.override_note(plan.order_external_id),
                    actor=self.staff[Role.MANAGER] if line.spec.premium else agent,
                    now=at - timedelta(minutes=5),
                )
            returns.return_approve(
                store=store, rma=rma, actor=agent, note=plan.notes["approve"], now=at
            )
        elif command == "reject":
            returns.return_reject(
                store=store, rma=rma, actor=agent, note=plan.notes["reject"], now=at
            )
        elif command == "cancel":
            note = plan.notes["cancel"]
            actor = agent if note else shopper
            returns.return_cancel(store=store, rma=rma, actor=actor, note=note, now=at)
        elif command == "in_transit":
            code, name, _ = plan.carrier
            returns.return_mark_in_transit(
                store=store,
                rma=rma,
                actor=Actor(kind="carrier", id=code, label=name),
                note="First carrier scan.",
                data={"carrier": code, "tracking_number": plan.tracking_number},
                now=at,
            )
        elif command == "receive":
            receiving.return_receive(
                store=store,
                rma=rma,
                quantities={line.external_id: units for line, units, _, _ in plan.items},
                actor=warehouse,
                now=at,
            )
        elif command == "inspect":
            inspection.return_inspect_items(
                store=store,
                rma=rma,
                inspections=inspecting.inspection_inputs(
                    store.id,
                    plan.order_external_id,
                    rma,
                    [
                        (line.external_id, line.spec.title, reason, plan.grades[line.external_id])
                        for line, _, reason, _ in plan.items
                    ],
                ),
                actor=warehouse,
                now=at,
                skip_finished=True,
            )
            inspecting.rtv_ship_due(store, warehouse, at)
            # The inspector takes the rules' proposed disposition for each line at once.
            for line, _, _, _ in plan.items:
                with contextlib.suppress(RetornoError):
                    inspection.return_item_disposition_set(
                        store=store, rma=rma, line=line.external_id, actor=warehouse, now=at
                    )
        elif command == "resolve":
            if Return.objects.filter(store=store, rma=rma, status="resolved").exists():
                return  # refunded in full by its timing: resolved already, by the system
            resolve_flow.return_resolve(
                store=store, rma=rma, actor=self.staff[Role.FINANCE], now=at
            )
        elif command == "close":
            returns.return_close(store=store, rma=rma, actor=SYSTEM, now=at)
        else:  # pragma: no cover - a planning bug
            raise ValueError(command)


_Step = tuple[str, datetime]
# The rule an agent names when accepting an item held for its value.
REVIEW_RULE = "value_above_review_threshold"
STEP_DECIDE = ("approve", "reject")


def _returnable(line: _Line) -> bool:
    return not line.spec.final_sale and line.spec.category != data.GIFT_CARD_CATEGORY


def _reshape(plan: _Plan, state: str, anchor: datetime) -> bool:
    """Cut `plan` so it ends in `state`, if its own timeline allows. Returns whether it did."""
    steps = plan.steps
    if state == "pending_review":
        if plan.review:
            plan.steps = steps[:1]
            return True
        return False
    if state == "rejected":
        if plan.review and len(steps) > 1:
            plan.steps = [steps[0], ("reject", steps[1][1])]
            return True
        return False
    approved_at = [i for i, (cmd, _) in enumerate(steps) if cmd == "approve"] or (
        [0] if not plan.review else []
    )
    if not approved_at:
        return False
    base = approved_at[0]
    if state == "cancelled":
        start = steps[base][1]
        end = steps[base + 1][1] if base + 1 < len(steps) else anchor
        plan.steps = [*steps[: base + 1], ("cancel", start + (end - start) / 2)]
        return True
    if state == "approved":
        plan.steps = steps[: base + 1]
        return True
    for index, (cmd, _) in enumerate(steps):
        if STEP_STATE.get(cmd) == state:
            plan.steps = steps[: index + 1]
            return True
    return False


# --- small helpers -----------------------------------------------------------------------------


def _weighted(rng: random.Random, values: Sequence[T], weights: Sequence[float]) -> T:
    return values[_weighted_index(rng, weights)]


def _weighted_index(rng: random.Random, weights: Sequence[float]) -> int:
    return rng.choices(range(len(weights)), weights=weights, k=1)[0]


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def _code(text: str) -> str:
    """A short SKU part from an option value: "azul marino" -> "AZUMAR", "M" -> "M"."""
    words = _ascii_words(text)
    return "".join(word[:3] for word in words).upper()


def _ascii_words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return ["".join(ch for ch in w if ch.isalnum()) for w in folded.replace("/", " ").split()]


# --- a big store's history (retorno.demo.history) ---------------------------------------------


def demo_history_create(
    *,
    slug: str = DEMO_SLUG,
    returns: int,
    seed: int = DEFAULT_SEED,
    orders_ratio: float = 1.0,
    processes: int = 1,
    api_key: str | None = None,
    simulator_url: str | None = None,
    progress: Any = None,
    now: datetime | None = None,
    bulk: bool | None = None,
) -> HistoryResult:
    """The demo store `slug` (staff, API key, demo policy, catalog, carriers) with `returns`
    returns of generated history, loaded in bulk (retorno.demo.history). A store that already
    has orders gets nothing new (the history is generated once, like the demo's)."""
    # The demo's well-known key belongs to the demo store; another store gets its own.
    key = api_key or (DEMO_API_KEY if slug == DEMO_SLUG else generate_key())
    with transaction.atomic():
        store = _store_ensure(slug, key)
        staff = demo_staff_ensure(store)
        _demo_policy_ensure(store)
        money_settings_save(store=store, payment_adapter="console")
        demo_carriers_ensure(store, base_url=simulator_url)
        if Order.objects.filter(store=store).exists():
            return HistoryResult(store=store, returns=0, api_key=key)
        if not store.products.exists():
            day = local_day(timezone.now(), store.timezone)
            anchor = datetime.combine(day, datetime.min.time(), zone(store.timezone))
            _Generator(store, random.Random(seed), anchor, staff)._catalog()
    labels = {role: actor.label for role, actor in staff.items()}
    result = history_load(
        store=store,
        returns=returns,
        seed=seed,
        orders_ratio=orders_ratio,
        processes=processes,
        staff=labels,
        progress=progress,
        now=now,
        bulk=bulk,
    )
    result.api_key = key
    return result
