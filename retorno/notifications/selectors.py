"""Reads: a store's message log and a return's, and a store's notification settings."""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from django.db import connections, router
from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime

from retorno.core import keyset, storecache
from retorno.core.db import rows
from retorno.core.errors import NotFound, Unprocessable
from retorno.notifications.models import (
    Message,
    MessageStatus,
    MessageTemplate,
    NotificationSettings,
)
from retorno.stores.models import Store


def messages_for_return(store: Store, return_id: int) -> QuerySet[Message]:
    """Every message about one return of `store`, oldest first; another store's return has none."""
    return Message.objects.for_store(store).filter(return_id=return_id).order_by("created_at", "id")


def notification_settings_for(store: Store) -> NotificationSettings:
    """The store's settings, or the defaults (unsaved) when it never changed them."""
    found = NotificationSettings.objects.filter(store=store).first()
    return found if found is not None else NotificationSettings(store=store)


def notification_settings_kept(store: Store) -> NotificationSettings:
    """The store's settings for deciding what to send, as this process read them lately
    (storecache): a copy of its own to read, never to save."""
    kept = storecache.remembered(
        "notification_settings", store.id, lambda: notification_settings_for(store)
    )
    return copy.copy(kept)


storecache.forget_on_change(NotificationSettings, "notification_settings")


LOG_PER_PAGE = 50


@dataclass(frozen=True)
class MessageLogFilters:
    channel: str = ""
    status: str = ""
    kind: str = ""
    q: str = ""  # an RMA, a claim number or a recipient, as a whole value


@dataclass(frozen=True)
class MessageLogPage:
    results: list[Message]
    next_cursor: str | None
    previous_cursor: str | None


def _log_position(cursor: str | None) -> tuple[datetime, int] | None:
    if not cursor:
        return None
    try:
        at_text, row_id = keyset.decode(cursor, 2)
    except Unprocessable:
        return None
    at = parse_datetime(at_text) if isinstance(at_text, str) else None
    if at is None or at.tzinfo is None or not isinstance(row_id, int):
        return None
    return at, row_id


def message_log_for_store(
    *,
    store: Store,
    filters: MessageLogFilters,
    after: str | None = None,
    before: str | None = None,
    per_page: int = LOG_PER_PAGE,
) -> MessageLogPage:
    """One page of every message the store sent or tried to send, newest first: keyset pages
    over the (store, created_at, id) index, one statement whatever the log's size."""
    queryset: QuerySet[Message] = Message.objects.for_store(store)
    if filters.channel:
        queryset = queryset.filter(channel=filters.channel)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    text = filters.q.strip()[:254]
    if text:
        queryset = queryset.filter(
            Q(rma=text.upper())
            | Q(claim_number=text.upper())
            | Q(recipient=text.lower())
            | Q(recipient=text)
        )
    keys = ("created_at", "id")
    backwards = _log_position(before) is not None
    position = _log_position(before) or _log_position(after)
    if position is not None:
        # Newest first: "after" a row is older than it.
        move = keyset.after if backwards else keyset.before
        queryset = move(queryset, keys, position)
    order = list(keys) if backwards else [f"-{key}" for key in keys]
    rows = list(queryset.order_by(*order)[: per_page + 1])
    beyond = len(rows) > per_page
    rows = rows[:per_page]
    if backwards:
        rows.reverse()
    has_next = (beyond and not backwards) or (backwards and bool(rows))
    has_previous = (beyond and backwards) or (position is not None and not backwards)
    return MessageLogPage(
        results=rows,
        next_cursor=_log_cursor(rows[-1]) if has_next and rows else None,
        previous_cursor=_log_cursor(rows[0]) if has_previous and rows else None,
    )


def _log_cursor(row: Message) -> str:
    return keyset.encode([row.created_at, row.id])


def message_get_for_store(*, store: Store, message_id: int) -> Message:
    message = Message.objects.for_store(store).filter(id=message_id).first()
    if message is None:
        raise NotFound("No such message in this store.", code="message_not_found")
    return message


def message_template_for(store: Store, kind: str, language: str) -> MessageTemplate | None:
    """The store's own words for `kind` in `language`, if it wrote any."""
    if store.pk is None:
        return None
    return MessageTemplate.objects.filter(store=store, kind=kind, language=language).first()


class OwnWords(NamedTuple):
    """A store's own words for one kind of message in one language (a MessageTemplate's)."""

    subject: str
    headline: str
    intro: str


def own_words_kept(store: Store, kind: str, language: str) -> OwnWords | None:
    """The store's own words for `kind` in `language` as this process read them lately
    (storecache: every template of the store in one statement, kept with the store's other
    settings; a template saved or deleted here is seen at once). For rendering messages; the
    page that edits them reads `message_template_for`."""
    if store.pk is None:
        return None
    words = storecache.remembered("message_templates", store.id, lambda: _own_words_of(store))
    return words.get((kind, language))


def _own_words_of(store: Store) -> dict[tuple[str, str], OwnWords]:
    rows = MessageTemplate.objects.filter(store=store).values_list(
        "kind", "language", "subject", "headline", "intro"
    )
    return {(kind, language): OwnWords(*words) for kind, language, *words in rows}


storecache.forget_on_change(MessageTemplate, "message_templates")


def message_templates_of(store: Store) -> dict[tuple[str, str], MessageTemplate]:
    """Every template the store wrote, by (kind, language)."""
    return {(t.kind, t.language): t for t in MessageTemplate.objects.filter(store=store)}


class MessageToDeliver(NamedTuple):
    message: Message
    # The kind of a later message about the same return already sent on the same channel.
    later_sent_kind: str | None


def message_to_deliver(
    *, dedupe_key: str | None = None, message_id: int = 0
) -> MessageToDeliver | None:
    """The message a delivery sends (by its dedupe key, or by id for a resend) and, in the same
    statement, the kind of a later step of its return already told to the shopper on its
    channel (only the kind: the bodies are the widest columns and nothing needs them). Written
    out once: the two ORM reads it replaces were compiled on every delivery."""
    connection = connections[router.db_for_read(Message)]
    by_key = dedupe_key is not None
    with connection.cursor() as cursor:
        cursor.execute(
            _message_to_deliver_sql(by_key),
            [MessageStatus.SENT.value, dedupe_key if by_key else message_id],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return MessageToDeliver(rows.from_row(connection, Message, _MESSAGE_FIELDS, row[:-1]), row[-1])


_MESSAGE_FIELDS = rows.all_attnames(Message)


@functools.cache
def _message_to_deliver_sql(by_key: bool) -> str:
    table = Message._meta.db_table
    return (
        f"SELECT {rows.columns('m', Message, _MESSAGE_FIELDS)}, "  # noqa: S608
        f"(SELECT l.kind FROM {table} l WHERE l.return_id = m.return_id "
        "AND l.channel = m.channel AND l.status = %s AND l.id > m.id ORDER BY l.id LIMIT 1) "
        f"FROM {table} m WHERE m.{'dedupe_key' if by_key else 'id'} = %s"
    )
