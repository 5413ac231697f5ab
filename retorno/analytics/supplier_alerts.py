"""Supplier alerts: a supplier's return or confirmed-defect rate over the threshold its store set
for it, over the last ALERT_WINDOW_DAYS days. A crossing opens an alert, shown in the supplier
panel and e-mailed once (through the outbox) to the store's owners, admins, managers and analysts; the alert stays
open without sending again while the rate stays over, and closes when it comes back under.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from retorno.accounts.selectors import analytics_recipients_for_store
from retorno.analytics.models import SupplierAlert
from retorno.analytics.scope import Scope
from retorno.analytics.suppliers import supplier_report
from retorno.core.models import OutboxMessage
from retorno.core.outbox import outbox_enqueue
from retorno.domain.analytics.periods import last_days
from retorno.domain.analytics.quality import ALERT_WINDOW_DAYS, SignalKind, alert_changes
from retorno.domain.days import local_day
from retorno.stores.models import Store

ALERT_KIND = "analytics.supplier_alert"


def open_alerts(*, store: Store) -> list[SupplierAlert]:
    """The store's open alerts, newest first."""
    return list(SupplierAlert.objects.filter(store=store, closed_at__isnull=True))


def supplier_alerts_check(*, store: Store, now: datetime) -> list[SupplierAlert]:
    """Compare every supplier's rates over the last ALERT_WINDOW_DAYS days with its thresholds;
    open (and queue the e-mail of) an alert per new crossing, close the alerts whose rate is back
    under. Returns the alerts opened. Safe to run twice at once: one open alert per supplier and
    kind (a constraint), one e-mail per alert (the outbox's key)."""
    scope = Scope(store, last_days(local_day(now, store.timezone), ALERT_WINDOW_DAYS))
    report = supplier_report(scope, now=now)
    over = {s.supplier: s for s in report.suppliers}
    current: dict[str, dict[SignalKind, SupplierAlert]] = defaultdict(dict)
    for known in open_alerts(store=store):
        current[known.supplier][SignalKind(known.kind)] = known
    opened = []
    for supplier in sorted(set(over) | set(current)):
        quality = over.get(supplier)
        changes = alert_changes(
            open_now=current[supplier], over=quality.over if quality is not None else ()
        )
        for kind in changes.close:
            closing = current[supplier][kind]
            closing.closed_at = now
            closing.save(update_fields=["closed_at"])
        for kind in sorted(changes.open):
            assert quality is not None  # only a supplier in the report can be over
            threshold = quality.threshold_of(kind)
            value = quality.rate_of(kind).value
            if threshold is None or value is None:
                continue
            alert = _open(scope, supplier, kind, value, threshold, now)
            if alert is not None:
                opened.append(alert)
    return opened


def _open(
    scope: Scope,
    supplier: str,
    kind: SignalKind,
    value: Decimal,
    threshold: Decimal,
    now: datetime,
) -> SupplierAlert | None:
    try:
        with transaction.atomic():
            alert = SupplierAlert.objects.create(
                store=scope.store,
                supplier=supplier,
                kind=kind.value,
                rate=value,
                threshold=threshold,
                window_start=scope.period.start,
                window_end=scope.period.end,
                opened_at=now,
            )
            outbox_enqueue(
                store_id=scope.store.pk,
                kind=ALERT_KIND,
                dedupe_key=f"supplier-alert:{alert.pk}",
                payload={"alert_id": alert.pk},
            )
    except IntegrityError:
        return None  # another check opened it first
    return alert


def supplier_alerts_check_all(*, now: datetime) -> int:
    """Check every store; the number of alerts opened."""
    return sum(
        len(supplier_alerts_check(store=store, now=now)) for store in Store.objects.order_by("id")
    )


def _percent(value: Decimal) -> str:
    return f"{(value * 100).quantize(Decimal('0.1'))} %"


def alert_email(alert: SupplierAlert, language: str) -> tuple[str, str]:
    """The subject and text of an alert's e-mail in `language`."""
    with translation.override(language):
        what = (
            _("return rate") if alert.kind == SignalKind.RETURN_RATE else _("confirmed defect rate")
        )
        subject = _("%(supplier)s is over its %(what)s threshold") % {
            "supplier": alert.supplier,
            "what": what,
        }
        body = _(
            "Hello,\n\n"
            "The %(what)s of %(supplier)s was %(rate)s from %(start)s to %(end)s, over the "
            "threshold of %(threshold)s set for it.\n\n"
            "The supplier panel lists its returns and the evidence pack (CSV and PDF):\n"
            "%(link)s\n\n"
            "This alert is sent once; it is sent again only if the rate comes back under the "
            "threshold and crosses it again.\n"
        ) % {
            "what": what,
            "supplier": alert.supplier,
            "rate": _percent(alert.rate),
            "threshold": _percent(alert.threshold),
            "start": alert.window_start.isoformat(),
            "end": alert.window_end.isoformat(),
            "link": settings.RETORNO_PUBLIC_URL
            + reverse("backoffice:analytics_suppliers")
            + f"?from={alert.window_start.isoformat()}&to={alert.window_end.isoformat()}",
        }
    return subject, body


def alert_deliver(message: OutboxMessage) -> dict[str, Any]:
    """Outbox handler of `analytics.supplier_alert`: the e-mail to the store's owners, admins,
    managers and analysts, in the store's language."""
    alert = (
        SupplierAlert.objects.select_related("store").filter(id=message.payload["alert_id"]).first()
    )
    if alert is None:
        return {"sent": 0, "reason": "alert deleted"}
    recipients = [r.email for r in analytics_recipients_for_store(store=alert.store)]
    if not recipients:
        return {"sent": 0, "reason": "no admin or analyst address"}
    language = (
        alert.store.default_language if alert.store.default_language in ("es", "en") else "en"
    )
    subject, body = alert_email(alert, language)
    EmailMessage(
        subject,
        body,
        settings.DEFAULT_FROM_EMAIL,
        recipients,
        headers={
            "Message-ID": f"<retorno.supplier-alert.{alert.pk}@"
            f"{settings.DEFAULT_FROM_EMAIL.rpartition('@')[2] or 'retorno.local'}>",
            "Auto-Submitted": "auto-generated",
            "Content-Language": language,
        },
    ).send()
    return {"sent": len(recipients)}
