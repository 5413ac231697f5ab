"""The weekly digest e-mail: what changed in a store's returns last week (Monday to Sunday in its
zone) against the week before: return rate, top reasons and the fastest rising, top products,
costs, recovered value, and what deserves a look (retorno.domain.analytics.digest.anomalies).

Sent by the hourly job `weekly_digests_send` on the store's own Monday (or when the job next
runs, if that Monday was missed) to its owners, admins, managers and analysts (each may opt
out), in the store's language, through the outbox: one `DigestRun` row per store and week and
one outbox message per recipient, so a job that runs twice or is retried sends nothing twice. The staff analytics show the same digest as a preview.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from retorno.accounts.selectors import Recipient, analytics_recipients_for_store
from retorno.analytics import costs, fit, mix, operations, returns, suppliers
from retorno.analytics.models import DigestOptOut, DigestRun
from retorno.analytics.scope import Scope
from retorno.core import labels
from retorno.core.formatting import format_money
from retorno.core.models import OutboxMessage
from retorno.core.outbox import outbox_enqueue
from retorno.domain.analytics.digest import (
    AGING_DAYS,
    Anomaly,
    DigestWeek,
    ReasonChange,
    anomalies,
    digest_due,
    newly,
    reason_changes,
)
from retorno.domain.analytics.fit import Fit
from retorno.domain.analytics.periods import Basis, Period
from retorno.domain.analytics.quality import ALERT_WINDOW_DAYS, SignalKind
from retorno.domain.analytics.rates import Rate
from retorno.domain.days import local_day, local_time
from retorno.stores.models import Store

DIGEST_KIND = "analytics.digest"
TOP = 5


@dataclass(frozen=True)
class Digest:
    store: Store
    week: DigestWeek
    overview: returns.Overview
    reasons: list[ReasonChange]  # fastest rising first
    top_reasons: list[ReasonChange]  # most units first
    top_products: list[returns.BreakdownRow]
    cost: costs.Costs
    previous_cost: costs.Costs
    recovery: costs.Recovery
    suppliers_over: list[suppliers.SupplierQuality]
    newly_flagged: list[fit.ProductFit]
    aging: int  # returns waiting AGING_DAYS days or more for inspection, now
    anomalies: list[Anomaly]

    @property
    def scope(self) -> Scope:
        return self.overview.scope


def _scope(store: Store, start: date, end: date) -> Scope:
    return Scope(store, Period(start, end, Basis.REQUEST))


def weekly_digest(*, store: Store, week: DigestWeek, now: datetime) -> Digest:
    """The digest of `week`: the figures of the analytics for that week and the one before;
    the suppliers over a threshold and the products flagged for fit over the ALERT_WINDOW_DAYS
    days ending with the week (newly flagged: not flagged over the window ending a week
    earlier); the inspection backlog as it is `now`."""
    scope = _scope(store, week.start, week.end)
    before = scope.previous()
    reasons_now = {leaf.code: leaf.units for leaf in mix.reason_mix(scope).leaves if leaf.units}
    reasons_before = {leaf.code: leaf.units for leaf in mix.reason_mix(before).leaves if leaf.units}
    changes = reason_changes(reasons_now, reasons_before)
    window = _scope(store, week.end - timedelta(days=ALERT_WINDOW_DAYS - 1), week.end)
    window_before = _scope(
        store, week.end - timedelta(days=ALERT_WINDOW_DAYS + 6), week.end - timedelta(days=7)
    )
    flagged_now = {p.product: p for p in fit.fit_report(window).flagged}
    flagged_before = [p.product for p in fit.fit_report(window_before).flagged]
    newly_flagged = [flagged_now[key] for key in newly(flagged_now, flagged_before)]
    over = [s for s in suppliers.supplier_report(window, now=now).suppliers if s.over]
    # AGING_DAYS is where the aging panel's last bucket starts.
    aging = dict(operations.warehouse_aging(scope, now=now).buckets).get(f"{AGING_DAYS}+", 0)
    overview = returns.overview(scope)
    return Digest(
        store=store,
        week=week,
        overview=overview,
        reasons=changes,
        top_reasons=sorted(changes, key=lambda c: (-c.units, c.reason))[:TOP],
        top_products=[
            row for row in returns.breakdown(scope, "product", limit=TOP).rows if row.units_returned
        ],
        cost=costs.costs(scope),
        previous_cost=costs.costs(before),
        recovery=costs.recovery(scope),
        suppliers_over=over,
        newly_flagged=newly_flagged,
        aging=aging,
        anomalies=anomalies(
            rate_change=overview.changes["rate_units"],
            reasons=changes,
            newly_flagged=[p.product for p in newly_flagged],
            suppliers_over=[s.supplier for s in over],
            aging=aging,
        ),
    )


# --- words ---------------------------------------------------------------------------------------


def _percent(value: Decimal | None, language: str) -> str:
    if value is None:
        return _("not enough data")
    text = f"{(value * 100).quantize(Decimal('0.1'))}"
    return f"{text.replace('.', ',')}\u00a0%" if language == "es" else f"{text}%"


def _points(value: Decimal | None, language: str) -> str:
    """A change of a rate in points: "+1.5 pts" / "+1,5 pp"; "" when either side is unknown."""
    if value is None:
        return ""
    text = f"{(value * 100).quantize(Decimal('0.1')):+}"
    return f"{text.replace('.', ',')} pp" if language == "es" else f"{text} pts"


def _money_change(amount: Decimal, currency: str, language: str) -> str:
    text = format_money(amount, currency, language)
    return f"+{text}" if amount > 0 else text


def _count_change(current: int, previous: int) -> str:
    return f"{current - previous:+d}" if current != previous else "="


def _rate_text(figure: Rate, language: str) -> str:
    return _percent(figure.value, language)


def _anomaly_text(anomaly: Anomaly, digest: Digest, language: str) -> str:
    if anomaly.code == "return_rate_up":
        return _("The return rate rose %(points)s on the week before.") % {
            "points": _points(Decimal(anomaly.value or 0), language)
        }
    if anomaly.code == "reason_rising":
        return _("“%(reason)s” rose %(points)s of the units returned.") % {
            "reason": labels.label("reason", anomaly.subject),
            "points": _points(Decimal(anomaly.value or 0), language),
        }
    if anomaly.code == "fit_flagged":
        product = next(p for p in digest.newly_flagged if p.product == anomaly.subject)
        text = (
            _("%(product)s is newly flagged as running small.")
            if product.figure.fit is Fit.RUNS_SMALL
            else _("%(product)s is newly flagged as running large.")
        )
        return text % {"product": product.title}
    if anomaly.code == "supplier_over_threshold":
        supplier = next(s for s in digest.suppliers_over if s.supplier == anomaly.subject)
        kind = supplier.over[0]
        what = _("return rate") if kind is SignalKind.RETURN_RATE else _("confirmed defect rate")
        return _("%(supplier)s is over its %(what)s threshold: %(rate)s.") % {
            "supplier": supplier.name,
            "what": what,
            "rate": _rate_text(supplier.rate_of(kind), language),
        }
    return _("%(count)s returns have waited %(days)s days or more for inspection.") % {
        "count": anomaly.value,
        "days": AGING_DAYS,
    }


def digest_context(digest: Digest, language: str) -> dict[str, Any]:
    """What the e-mail and the preview show, every figure already written out in `language`
    (call under translation.override(language))."""
    now, before = digest.overview.current, digest.overview.previous
    currency = digest.store.currency
    params = digest.scope.as_params()
    query = "&".join(f"{k}={v}" for k, v in params.items())
    base = settings.RETORNO_PUBLIC_URL
    headline = [
        (
            _("Return rate (units)"),
            _rate_text(now.rate_units, language),
            _points(digest.overview.changes["rate_units"], language),
        ),
        (_("Returns"), str(now.returns), _count_change(now.returns, before.returns)),
        (
            _("Units returned"),
            str(now.units_returned),
            _count_change(now.units_returned, before.units_returned),
        ),
        (
            _("Value returned"),
            format_money(now.value_returned, currency, language),
            _money_change(now.value_returned - before.value_returned, currency, language),
        ),
        (
            _("Net cost of returns"),
            format_money(digest.cost.net, currency, language),
            _money_change(digest.cost.net - digest.previous_cost.net, currency, language),
        ),
        (_("Recovered value"), format_money(digest.recovery.recovered, currency, language), ""),
        (_("Recovery rate"), _rate_text(digest.recovery.rate, language), ""),
    ]
    return {
        "store": digest.store.name,
        "week_start": digest.week.start,
        "week_end": digest.week.end,
        "headline": headline,
        "reasons": [
            (
                labels.label("reason", r.reason),
                r.units,
                _percent(r.share, language),
                _points(r.change, language),
            )
            for r in digest.top_reasons
        ],
        "products": [
            (row.label or row.key, row.units_returned, _rate_text(row.rate_units, language))
            if row.rate_units is not None
            else (row.label or row.key, row.units_returned, _("not enough data"))
            for row in digest.top_products
        ],
        "anomalies": [_anomaly_text(a, digest, language) for a in digest.anomalies],
        "analytics_url": f"{base}{reverse('backoffice:analytics')}?{query}",
        "digest_url": f"{base}{reverse('backoffice:analytics_digest')}?week="
        f"{digest.week.start.isoformat()}",
    }


def digest_email(digest: Digest, language: str) -> tuple[str, str, str]:
    """(subject, text, html) of the digest in `language`."""
    with translation.override(language):
        context = digest_context(digest, language)
        subject = _("%(store)s: returns in the week of %(start)s") % {
            "store": digest.store.name,
            "start": digest.week.start.isoformat(),
        }
        text = render_to_string("analytics/email/digest.txt", context)
        html = render_to_string("analytics/email/digest.html", context)
    return subject, text, html


def store_language(store: Store) -> str:
    return store.default_language if store.default_language in ("es", "en") else "en"


# --- who gets it ---------------------------------------------------------------------------------


def digest_recipients(*, store: Store) -> list[Recipient]:
    """The store's owners, admins, managers and analysts with an address who have not opted out."""
    out = set(DigestOptOut.objects.filter(store=store).values_list("user_id", flat=True))
    return [r for r in analytics_recipients_for_store(store=store) if r.user_id not in out]


def digest_subscribed(*, store: Store, user_id: int) -> bool:
    return not DigestOptOut.objects.filter(store=store, user_id=user_id).exists()


def digest_subscription_set(*, store: Store, user_id: int, receive: bool, now: datetime) -> None:
    """A staff member's choice to receive the store's weekly digest or not."""
    if receive:
        DigestOptOut.objects.filter(store=store, user_id=user_id).delete()
        return
    DigestOptOut.objects.get_or_create(store=store, user_id=user_id, defaults={"created_at": now})


def last_run(*, store: Store) -> DigestRun | None:
    return DigestRun.objects.filter(store=store).first()


# --- sending -------------------------------------------------------------------------------------


def weekly_digest_queue(*, store: Store, now: datetime) -> DigestRun | None:
    """Queue the store's latest due digest (retorno.domain.analytics.digest.digest_due: its
    Monday, local time, or later that week when the Monday was missed) if not queued yet: the
    run row and one outbox message per recipient, in one transaction. None when queued already,
    or when the week ended before the store existed."""
    week = digest_due(local_day(now, store.timezone), local_time(now, store.timezone).hour)
    if local_day(store.created_at, store.timezone) > week.end:
        return None  # a new store gets its first digest after its first full week
    if DigestRun.objects.filter(store=store, week_start=week.start).exists():
        return None
    try:
        with transaction.atomic():
            recipients = digest_recipients(store=store)
            run = DigestRun.objects.create(
                store=store, week_start=week.start, queued_at=now, recipients=len(recipients)
            )
            for recipient in recipients:
                outbox_enqueue(
                    store_id=store.pk,
                    kind=DIGEST_KIND,
                    dedupe_key=f"digest:{store.pk}:{week.start.isoformat()}:{recipient.user_id}",
                    payload={"week_start": week.start.isoformat(), "user_id": recipient.user_id},
                )
    except IntegrityError:
        return None  # another worker queued this week's digest meanwhile
    return run


def weekly_digests_send(*, now: datetime) -> int:
    """Queue the latest due digest of every store that has not had it; the number queued.
    Hourly: the stores whose digest of the last weeks is queued already are skipped with one
    query."""
    # A due week started at most 15 days before any zone's today.
    since = local_day(now, "UTC") - timedelta(days=16)
    recent = set(
        DigestRun.objects.filter(week_start__gte=since).values_list("store_id", "week_start")
    )
    queued = 0
    for store in Store.objects.order_by("id"):
        week = digest_due(local_day(now, store.timezone), local_time(now, store.timezone).hour)
        if (store.pk, week.start) in recent:
            continue
        queued += weekly_digest_queue(store=store, now=now) is not None
    return queued


def digest_deliver(message: OutboxMessage) -> dict[str, Any]:
    """Outbox handler of `analytics.digest`: the digest e-mail to one staff member, unless they
    opted out or left the store's owners, admins, managers and analysts since it was queued."""
    store = Store.objects.filter(id=message.store_id).first()
    if store is None:
        return {"sent": 0, "reason": "store deleted"}
    user_id = int(message.payload["user_id"])
    recipient = next((r for r in digest_recipients(store=store) if r.user_id == user_id), None)
    if recipient is None:
        return {"sent": 0, "reason": "no longer a recipient"}
    week = DigestWeek(date.fromisoformat(message.payload["week_start"]))
    digest = weekly_digest(store=store, week=week, now=timezone.now())
    language = store_language(store)
    subject, text, html = digest_email(digest, language)
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "retorno.local"
    email = EmailMultiAlternatives(
        subject,
        text,
        settings.DEFAULT_FROM_EMAIL,
        [recipient.email],
        headers={
            # The same id for the same digest: a copy sent again after a crash is recognisable.
            "Message-ID": f"<retorno.digest.{store.pk}.{week.start.isoformat()}.{user_id}@{domain}>",
            "Auto-Submitted": "auto-generated",
            "Content-Language": language,
        },
    )
    email.attach_alternative(html, "text/html")
    email.send()
    return {"sent": 1}
