"""Messages to shoppers: queued with the return change that causes them, sent by the outbox.

`notify_return_event` (and `notify_claim_event` for claims, which have no return) stores one
message per channel the store uses, with an outbox row that carries the facts of the event (the return as it was then, the event's note and data), in the
caller's transaction: a rolled-back change leaves no message behind, and a committed one is
always delivered (the outbox retries with backoff and its sweeper re-drives what a crash left),
unless by then the shopper was told of a later step of the return: it is then recorded as
skipped, never sent late.
`message_deliver` is the outbox handler: it renders the message from those facts on its first
attempt, stores the text with the outcome, and sends that same text on any later attempt; a
message already sent is never sent again. Rendering (templates, translations) thus stays out of
the web request and out of the write transaction.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import F
from django.utils import timezone, translation

from retorno.core.db.inserts import insert_new
from retorno.core.errors import Unprocessable
from retorno.core.formatting import base_language
from retorno.core.models import OutboxMessage
from retorno.core.outbox import MAX_ATTEMPTS, PermanentFailure, outbox_enqueue
from retorno.domain import message_templates
from retorno.domain.returns.events import EventKind
from retorno.notifications import channels
from retorno.notifications.content import render_message
from retorno.notifications.content_claims import render_claim_message
from retorno.notifications.copy import Rendered
from retorno.notifications.models import (
    Channel,
    Message,
    MessageKind,
    MessageStatus,
    MessageTemplate,
    NotificationSettings,
)
from retorno.notifications.selectors import message_to_deliver, notification_settings_kept
from retorno.notifications.snapshots import (
    ClaimSnapshot,
    ItemSnapshot,
    ReturnSnapshot,
    claim_snapshot_from_json,
    claim_snapshot_to_json,
    snapshot_from_json,
    snapshot_to_json,
)
from retorno.stores.models import Store
from retorno.stores.selectors import store_kept

logger = logging.getLogger(__name__)

OUTBOX_KIND = "notification.send"

# Return events that tell the shopper something, and the message each one sends. Several
# events can share a message: resolving a refund return and the ledger's "refunded" both mean
# "your money is back".
EVENT_MESSAGES: dict[str, str] = {
    EventKind.CREATED: MessageKind.CREATED,
    EventKind.APPROVED: MessageKind.APPROVED,
    EventKind.REJECTED: MessageKind.REJECTED,
    EventKind.HELD_FOR_REVIEW: MessageKind.HELD_FOR_REVIEW,
    EventKind.LABEL_READY: MessageKind.LABEL_READY,
    EventKind.PICKUP_FAILED: MessageKind.PICKUP_FAILED,
    # No carrier took the parcel (every one refused or stayed down, or none serves it): the
    # shopper is told, instead of waiting for a label that is not coming.
    EventKind.BOOKING_FAILED: MessageKind.BOOKING_FAILED,
    EventKind.CARRIER_NOT_FOUND: MessageKind.BOOKING_FAILED,
    EventKind.IN_TRANSIT: MessageKind.IN_TRANSIT,
    EventKind.RECEIVED: MessageKind.RECEIVED,
    EventKind.REFUNDED: MessageKind.REFUNDED,
    EventKind.RESOLVED: MessageKind.REFUNDED,
    EventKind.CANCELLED: MessageKind.CANCELLED,
    EventKind.RETURN_DUE_SOON: MessageKind.RETURN_DUE_SOON,
}
# Money events whose message depends on what the money was for (the `kind` in their data, a
# ChargeKind or RefundKind); a charge or refund kind not listed tells the shopper nothing more.
MONEY_EVENT_MESSAGES: dict[tuple[str, str], str] = {
    (EventKind.CHARGED, "exchange_difference"): MessageKind.EXCHANGE_CHARGED,
    (EventKind.CHARGE_FAILED, "exchange_difference"): MessageKind.EXCHANGE_PAYMENT_FAILED,
    (EventKind.CHARGED, "unreturned_item"): MessageKind.CHARGED_BACK,
    (EventKind.REFUNDED, "charge_refund"): MessageKind.CHARGE_REFUNDED,
}
NOTIFIED_EVENTS = frozenset(EVENT_MESSAGES) | {event for event, _kind in MONEY_EVENT_MESSAGES}

# Kinds a return can go through more than once, each time worth a message (a new label after
# a failed pickup, each failed pickup, each declined attempt to charge an exchange's
# difference, each late arrival refunding part of a charge-back). Every other kind is sent at
# most once per return and channel, whatever events lead to it.
REPEATABLE_KINDS = frozenset(
    {
        MessageKind.LABEL_READY,
        MessageKind.PICKUP_FAILED,
        MessageKind.BOOKING_FAILED,
        MessageKind.EXCHANGE_PAYMENT_FAILED,
        MessageKind.CHARGE_REFUNDED,
    }
)
CLAIM_KINDS = frozenset(
    {MessageKind.CLAIM_OPENED, MessageKind.CLAIM_RESOLVED, MessageKind.CLAIM_REJECTED}
)

# Returns whose failed pickup the shopper can still fix on the recovery page; only these are
# cancelled by logistics when a pickup fails for the last allowed time.
_PICKUP_RECOVERABLE_STATUSES = frozenset({"approved", "pending_review"})

# Steps older than this are history (an import, a backfill, the demo): recorded nowhere, sent never.
DEFAULT_MAX_EVENT_AGE = timedelta(days=2)


def notify_return_event(
    *,
    store: Store,
    return_snapshot: ReturnSnapshot,
    event_kind: str,
    event_id: int | None = None,
    occurred_at: datetime | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> list[Message]:
    """Queue the messages that tell the shopper about `event_kind` on a return.

    Call it inside the transaction of the change (it writes Message and outbox rows there and
    delivery starts after commit). One message per channel the store enables for this kind and
    the shopper can be reached on (email always, SMS/WhatsApp with a phone); in the shopper's
    language (theirs, else the store's). Idempotent: calling it again for the same event (or,
    for non-repeatable kinds, for another event leading to the same kind) queues nothing.
    Events that tell the shopper nothing, or that happened more than NOTIFY_MAX_EVENT_AGE ago,
    are ignored. Returns the messages queued by this call.
    """
    snapshot = return_snapshot
    kind = message_kind_for(event_kind, data or {}, snapshot.status)
    if kind is None:
        return []
    now = now or timezone.now()
    max_age = settings.NOTIFY_MAX_EVENT_AGE
    if occurred_at is not None and now - occurred_at > max_age:
        return []
    return _queue(
        store=store,
        kind=kind,
        email=snapshot.customer_email,
        phone=snapshot.customer_phone,
        language=shopper_language(snapshot.customer_language, store.default_language),
        key=lambda channel: _dedupe_key(snapshot.return_id, kind, channel, event_id, occurred_at),
        facts={
            "kind": kind,
            "note": note,
            "data": dict(data or {}),
            "snapshot": snapshot_to_json(snapshot),
        },
        fields={
            "return_id": snapshot.return_id,
            "rma": snapshot.rma,
            "tracking_token": snapshot.tracking_token,
            "event_id": event_id,
        },
        now=now,
    )


def notify_claim_event(
    *, store: Store, claim_snapshot: ClaimSnapshot, kind: str, now: datetime | None = None
) -> list[Message]:
    """Queue the messages that tell the shopper their claim was opened, resolved or rejected
    (`kind`, one of CLAIM_KINDS). Same rules as `notify_return_event`: inside the caller's
    transaction, the store's channels, the shopper's language, and at most one message per
    claim, kind and channel however often it is called."""
    if kind not in CLAIM_KINDS:
        raise ValueError(f"{kind!r} is not a claim message")
    snapshot = claim_snapshot
    return _queue(
        store=store,
        kind=kind,
        email=snapshot.customer_email,
        phone=snapshot.customer_phone,
        language=shopper_language(snapshot.customer_language, store.default_language),
        key=lambda channel: f"claim:{snapshot.claim_id}:{kind}:{channel}",
        facts={"kind": kind, "claim": claim_snapshot_to_json(snapshot)},
        fields={"claim_number": snapshot.number},
        now=now or timezone.now(),
    )


def _queue(
    *,
    store: Store,
    kind: str,
    email: str,
    phone: str,
    language: str,
    key: Callable[[str], str],
    facts: dict[str, Any],
    fields: dict[str, Any],
    now: datetime,
) -> list[Message]:
    preferences = notification_settings_kept(store)
    reachable = [(Channel.EMAIL, email), (Channel.SMS, phone), (Channel.WHATSAPP, phone)]
    keys = {
        channel: key(channel)
        for channel, recipient in reachable
        if recipient and preferences.sends(channel, kind)
    }
    queued = []
    for channel, recipient in reachable:
        if channel not in keys:
            continue
        # The outbox row goes first and carries the message's dedupe key: its ON CONFLICT DO
        # NOTHING is what makes this event yield one message, so no read-before-write and no
        # savepoint are needed, and the message is written once, already linked to its delivery.
        # savepoint=False: inside the caller's transaction this adds no statement; called
        # alone, it still commits the message before the delivery that follows the commit.
        with transaction.atomic(savepoint=False):
            outbox = outbox_enqueue(
                store_id=store.id,
                kind=OUTBOX_KIND,
                dedupe_key=f"notification:{keys[channel]}",
                payload={"dedupe_key": keys[channel], "facts": facts},
            )
            if outbox is None:
                continue  # this event's message exists already (a retry, or a concurrent twin)
            message = Message(
                store=store,
                **fields,
                kind=kind,
                channel=channel,
                recipient=recipient,
                language=language,
                dedupe_key=keys[channel],
                created_at=now,
                outbox_message_id=outbox.id,
            )
            insert_new([message])
        queued.append(message)
    return queued


def message_kind_for(event_kind: str, data: dict[str, Any], return_status: str) -> str | None:
    """The kind of message `event_kind` sends, or None when it tells the shopper nothing.

    Money events say what the money was for in `data["kind"]`: a charge's difference taken or
    declined, a charge-back, a charge-back refunded after a late arrival each have their own
    message; any other refund is the plain "refunded" message.

    The last failed pickup a store allows (logistics records it with `step: "cancel"`, then
    cancels the return with a plain `cancelled` event) is the cancellation message, saying why
    in the shopper's language: it uses the once-per-return `cancelled` key, so the `cancelled`
    event that follows sends nothing more, and the shopper gets one message, not a "choose a
    new date" link to a return that is about to be cancelled followed by a bare cancellation.
    """
    money_kind = MONEY_EVENT_MESSAGES.get((event_kind, str(data.get("kind") or "")))
    if money_kind is not None:
        return money_kind
    kind = EVENT_MESSAGES.get(event_kind)
    if (
        kind == MessageKind.PICKUP_FAILED
        and data.get("step") == "cancel"
        and return_status in _PICKUP_RECOVERABLE_STATUSES
    ):
        return MessageKind.CANCELLED
    return kind


def message_deliver(outbox_message: OutboxMessage) -> dict[str, Any]:
    """Outbox handler: send one message and record the outcome on it.

    A message not rendered yet is rendered from the facts its outbox row carries, and the text
    is stored with the outcome of this attempt, so a retry sends exactly what was rendered. A
    message already sent is not sent again (a retried or re-driven delivery returns at once). A
    transient failure keeps the message queued with its error and re-raises, so the outbox
    retries it; a permanent one, or the last attempt, marks it failed. A message whose return
    has since had a later step told to the shopper on the same channel is not sent late: it is
    marked skipped, with the reason.
    """
    payload = outbox_message.payload
    found = (
        message_to_deliver(dedupe_key=payload["dedupe_key"])
        if "dedupe_key" in payload
        # resends point at the message itself
        else message_to_deliver(message_id=int(payload.get("message_id") or 0))
    )
    if found is None:
        raise PermanentFailure(f"message {payload!r} does not exist")
    message, later = found
    # The store is only shown (name, colours, logo, reply-to): this process's recent copy.
    message.store = store_kept(message.store_id)
    if message.status != MessageStatus.QUEUED:
        return {"message_id": message.id, "skipped": message.status}
    rendered = _render_if_needed(message, payload.get("facts"))
    # A later step of its return already told on this channel (a delivery re-driven after a
    # crash, or retried while the return moved on): this one, arriving after it, would be wrong.
    if later is not None:  # kept with its text, so staff can read what was not sent
        reason = f"the shopper was already told of a later step ({later})"
        return _skip(message, reason, rendered)
    try:
        provider_id = channels.send(message)
    except channels.PermanentSendError as exc:
        _record_failure(message, str(exc), give_up=True, rendered=rendered)
        raise PermanentFailure(str(exc)) from exc
    except Exception as exc:
        give_up = outbox_message.attempts + 1 >= MAX_ATTEMPTS
        _record_failure(message, repr(exc), give_up=give_up, rendered=rendered)
        raise
    _record_sent(message, provider_id, rendered)
    return {"message_id": message.id, "provider_message_id": provider_id}


def _skip(message: Message, reason: str, rendered: dict[str, str]) -> dict[str, Any]:
    Message.objects.filter(id=message.id, status=MessageStatus.QUEUED).update(
        status=MessageStatus.SKIPPED, skipped_reason=reason[:255], **rendered
    )
    logger.info("message %s (%s) not sent: %s", message.id, message.kind, reason)
    return {"message_id": message.id, "skipped": MessageStatus.SKIPPED, "reason": reason}


def _record_sent(message: Message, provider_id: str, rendered: dict[str, str]) -> None:
    """One UPDATE written out once per set of columns (the ORM compiled it per message)."""
    connection = connections[router.db_for_write(Message)]
    names = tuple(rendered)
    with connection.cursor() as cursor:
        cursor.execute(
            _record_sent_sql(names),
            [
                MessageStatus.SENT.value,
                connection.ops.adapt_datetimefield_value(timezone.now()),
                provider_id[:255],
                *(rendered[name] for name in names),
                message.id,
            ],
        )


@functools.cache
def _record_sent_sql(rendered: tuple[str, ...]) -> str:
    quote = connections[router.db_for_write(Message)].ops.quote_name
    text = "".join(f", {quote(name)} = %s" for name in rendered)
    return (
        f"UPDATE {quote(Message._meta.db_table)} SET status = %s, sent_at = %s, "  # noqa: S608
        f"provider_message_id = %s, error = '', attempts = attempts + 1{text} WHERE id = %s"
    )


def message_render(message: Message, facts: dict[str, Any]) -> dict[str, str]:
    """The subject and bodies of `message`, from the facts of its event (or claim), in its
    language."""
    with translation.override(message.language):
        if "claim" in facts:
            rendered = render_claim_message(
                store=message.store,
                snapshot=claim_snapshot_from_json(facts["claim"]),
                kind=facts["kind"],
                language=message.language,
            )
        else:
            rendered = render_message(
                store=message.store,
                snapshot=snapshot_from_json(facts["snapshot"]),
                kind=facts["kind"],
                language=message.language,
                note=facts.get("note", ""),
                data=dict(facts.get("data") or {}),
            )
    email = message.channel == Channel.EMAIL
    return {
        "subject": rendered.subject if email else "",
        "body_text": rendered.text if email else rendered.short_text,
        "body_html": rendered.html if email else "",
    }


def _render_if_needed(message: Message, facts: dict[str, Any] | None) -> dict[str, str]:
    """Render a message queued without its text; the fields to store with the outcome."""
    if message.body_text or not facts:
        return {}
    rendered = message_render(message, facts)
    for name, value in rendered.items():
        setattr(message, name, value)
    return rendered


def message_resend(*, store: Store, message_id: int) -> Message | None:
    """Staff action: send a failed message again, exactly as it was written. A message that
    was sent or is still queued is left alone (returns None)."""
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(store=store, id=message_id).first()
        if message is None or message.status != MessageStatus.FAILED:
            return None
        payload: dict[str, Any] = {"message_id": message.id}
        if not message.body_text:  # it failed before it was rendered: render it this time
            payload["facts"] = _facts_of(message)
        outbox = outbox_enqueue(
            store_id=store.id,
            kind=OUTBOX_KIND,
            dedupe_key=f"notification:{message.id}:resend:{message.attempts}",
            payload=payload,
        )
        message.status = MessageStatus.QUEUED
        message.error = ""
        if outbox is not None:
            message.outbox_message_id = outbox.id
        message.save(update_fields=["status", "error", "outbox_message_id"])
    return message


def message_send_again(*, store: Store, message_id: int) -> Message | None:
    """Staff action: send a message that was sent (or skipped) once more, exactly as it was
    written, as a new message of the log (the shopper says it never arrived). A failed message
    is resent itself (`message_resend`); a queued one is left alone (returns None)."""
    with transaction.atomic():
        original = Message.objects.select_for_update().filter(store=store, id=message_id).first()
        if original is None or original.status == MessageStatus.QUEUED:
            return None
        if original.status == MessageStatus.FAILED:
            return None
        if not original.body_text:
            return None
        copies = Message.objects.filter(dedupe_key__startswith=f"again:{original.id}:").count()
        copy = Message.objects.create(
            store=store,
            return_id=original.return_id,
            rma=original.rma,
            tracking_token=original.tracking_token,
            claim_number=original.claim_number,
            event_id=original.event_id,
            kind=original.kind,
            channel=original.channel,
            recipient=original.recipient,
            language=original.language,
            subject=original.subject,
            body_text=original.body_text,
            body_html=original.body_html,
            dedupe_key=f"again:{original.id}:{copies + 1}",
            created_at=timezone.now(),
        )
        outbox = outbox_enqueue(
            store_id=store.id,
            kind=OUTBOX_KIND,
            dedupe_key=f"notification:{copy.id}:again",
            payload={"message_id": copy.id},
        )
        if outbox is not None:
            copy.outbox_message_id = outbox.id
            copy.save(update_fields=["outbox_message_id"])
    return copy


def shopper_language(customer_language: str, store_language: str) -> str:
    """The shopper's language if we speak it, else the store's, else the site default."""
    supported = {code for code, _name in settings.LANGUAGES}
    for candidate in (customer_language, store_language, settings.LANGUAGE_CODE):
        language = base_language(candidate)
        if language in supported:
            return language
    return "en"


def _dedupe_key(
    return_id: int, kind: str, channel: str, event_id: int | None, occurred_at: datetime | None
) -> str:
    if kind not in REPEATABLE_KINDS:
        return f"return:{return_id}:{kind}:{channel}"
    occurrence = (
        event_id if event_id is not None else (occurred_at.isoformat() if occurred_at else "")
    )
    return f"return:{return_id}:{kind}:{channel}:{occurrence}"


def _facts_of(message: Message) -> dict[str, Any] | None:
    """The event facts the message was queued with (on its first outbox row)."""
    first = (
        OutboxMessage.objects.filter(
            kind=OUTBOX_KIND, dedupe_key=f"notification:{message.dedupe_key}"
        )
        .values_list("payload", flat=True)
        .first()
    )
    return (first or {}).get("facts")


def _record_failure(
    message: Message, error: str, *, give_up: bool, rendered: dict[str, str]
) -> None:
    Message.objects.filter(id=message.id, status=MessageStatus.QUEUED).update(
        status=MessageStatus.FAILED if give_up else MessageStatus.QUEUED,
        error=error[:2000],
        attempts=F("attempts") + 1,
        **rendered,
    )


def notification_channels_save(
    *, store: Store, email: bool, sms: bool, whatsapp: bool
) -> NotificationSettings:
    """Choose the channels the store's messages go out on (the kinds muted stay as they are)."""
    found, _ = NotificationSettings.objects.update_or_create(
        store=store,
        defaults={"email_enabled": email, "sms_enabled": sms, "whatsapp_enabled": whatsapp},
    )
    return found


def message_template_save(
    *, store: Store, kind: str, language: str, subject: str, headline: str, intro: str
) -> MessageTemplate | None:
    """Keep the store's own words for `kind` in `language` (all three empty: back to Retorno's
    words). Unknown {variables} and over-long texts are refused (422 invalid_template, naming
    each field's problem)."""
    if kind not in MessageKind.values:
        raise Unprocessable(f"Unknown kind of message {kind!r}.", code="invalid_kind")
    subject, headline, intro = subject.strip(), headline.strip(), intro.strip()
    found = message_templates.problems(
        subject, headline, intro, message_templates.variables_for(kind)
    )
    if found:
        raise Unprocessable("The template has problems.", code="invalid_template", fields=found)
    if not (subject or headline or intro):
        MessageTemplate.objects.filter(store=store, kind=kind, language=language).delete()
        return None
    saved, _ = MessageTemplate.objects.update_or_create(
        store=store,
        kind=kind,
        language=language,
        defaults={"subject": subject, "headline": headline, "intro": intro},
    )
    return saved


def message_preview(*, store: Store, kind: str, language: str) -> Rendered:
    """The message of `kind` as a shopper would read it in `language`, about a sample return
    (or claim), with the store's own words if it wrote any."""
    shirt = ItemSnapshot(title="Linen shirt", sku="SHIRT-M", quantity=1, amount=Decimal("39.90"))
    if kind.startswith("claim_"):
        claim = ClaimSnapshot(
            claim_id=0,
            number="CL-1A2B3C4D",
            state=kind.removeprefix("claim_").replace("opened", "open"),
            reason="damaged_in_transit",
            order_number="#1001",
            currency=store.currency,
            customer_name="Lucía",
            customer_email="lucia@example.com",
            items=(shirt,),
            resolution="refund",
            refund_amount=Decimal("39.90"),
            refund_destination="original_payment",
        )
        with translation.override(language):
            return render_claim_message(store=store, snapshot=claim, kind=kind, language=language)
    sample = ReturnSnapshot(
        return_id=0,
        rma=f"{store.rma_prefix}-000123",
        tracking_token="sample",
        tracking_url=f"{settings.RETORNO_PUBLIC_URL}/s/{store.slug}/",
        status="approved",
        resolution="refund",
        method="drop_off",
        order_number="#1001",
        currency=store.currency,
        customer_name="Lucía",
        customer_email="lucia@example.com",
        items=(shirt,),
        items_amount=Decimal("39.90"),
        refund_estimate_amount=Decimal("39.90"),
    )
    with translation.override(language):
        return render_message(store=store, snapshot=sample, kind=kind, language=language)


def message_test_send(*, store: Store, kind: str, language: str, to: str) -> bool:
    """E-mail the preview of `kind` in `language` (the store's own words included) to `to`, a
    staff member's address: see the message in a real mail program before a shopper does."""
    rendered = message_preview(store=store, kind=kind, language=language)
    return channels.send_test_email(store=store, rendered=rendered, to=to, language=language)
