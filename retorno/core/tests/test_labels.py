"""Every code a person sees has a label in English and Spanish, from the one table.

The test walks every enum whose values reach a page or a message (statuses, events, decisions,
methods, money, carriers, warehouse, messages, policy outcomes and reasons, tiers) and fails on
a code without a label, a label that is the code itself, or a Spanish label that the catalogue
does not translate. Shoppers never see an internal failure: every event kind is either a step
they see or explicitly internal.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from django.utils import translation

from retorno.accounts.models import Role, Scope
from retorno.core import labels
from retorno.domain.insight.signals import SignalCode
from retorno.domain.logistics.allocation import Strategy, VerdictCode
from retorno.domain.logistics.carriers import Capability
from retorno.domain.logistics.tracking import FailedPickupReason, TrackingStatus
from retorno.domain.money.ledger import RefundState
from retorno.domain.money.timing import RefundTiming
from retorno.domain.policies.decision import KeepItemCode, Outcome
from retorno.domain.policies.reasons import MESSAGES as POLICY_REASONS
from retorno.domain.returns.events import EventKind
from retorno.domain.returns.ledger import ItemDecision, ItemStatus
from retorno.domain.returns.reasons import REASONS, TAXONOMY
from retorno.domain.returns.states import ReturnStatus
from retorno.domain.warehouse.dispositions import Disposition
from retorno.domain.warehouse.grades import Grade
from retorno.logistics.models import BookingProblem, BookingState, CarrierKind, RecoveryState
from retorno.money.models import (
    ChargeKind,
    ClaimReason,
    ClaimResolution,
    ClaimState,
    Destination,
    ExchangeState,
    RefundKind,
)
from retorno.notifications.models import Channel, MessageKind, MessageStatus
from retorno.returns.models import ActorKind, Method, Resolution
from retorno.warehouse.models import DocumentKind, RtvStatus
from retorno.webhooks.models import DeliveryStatus

# Names and acronyms that read the same in both languages.
SAME_IN_EVERY_LANGUAGE = {"API", "Retorno", "SMS", "VIP", "WhatsApp", "EasyPost", "Shippo"}


def codes(values: Iterable[object]) -> list[str]:
    return [str(getattr(v, "value", v)) for v in values]


# (table kind, the codes a person may see in it)
STAFF: list[tuple[str, list[str]]] = [
    ("status", codes(ReturnStatus)),
    ("item_status", codes(ItemStatus)),
    ("decision", codes(ItemDecision)),
    ("resolution", codes(Resolution)),
    ("method", codes(Method)),
    ("reason", list(REASONS)),
    ("event", codes(EventKind)),
    ("actor", codes(ActorKind)),
    ("role", codes(Role)),
    ("scope", codes(Scope)),
    ("money_kind", codes(RefundKind) + codes(ChargeKind)),
    ("refund_state", codes(RefundState)),
    ("charge_state", codes(RefundState)),
    ("exchange_state", codes(ExchangeState)),
    ("refund_destination", codes(Destination)),
    ("refund_timing", codes(RefundTiming)),
    ("claim_reason", codes(ClaimReason)),
    ("claim_state", codes(ClaimState)),
    ("claim_resolution", codes(ClaimResolution)),
    ("outcome", codes(Outcome)),
    ("keep_item", codes(KeepItemCode)),
    ("policy_reason", list(POLICY_REASONS)),
    ("tier", ["bronze", "silver", "gold", "platinum", "vip"]),
    ("category", ["apparel", "shoes", "electronics", "home", "accessories", "gift-cards"]),
    ("grade", codes(Grade)),
    ("disposition", codes(Disposition)),
    ("rtv_status", codes(RtvStatus)),
    ("warehouse_document", codes(DocumentKind)),
    ("capability", codes(Capability)),
    ("allocation_verdict", codes(VerdictCode)),
    ("strategy", codes(Strategy)),
    ("carrier_kind", codes(CarrierKind)),
    ("tracking_status", codes(TrackingStatus)),
    ("booking_state", codes(BookingState)),
    ("desk_reason", [*codes(FailedPickupReason), "booking_failed", "no_carrier"]),
    ("recovery_state", codes(RecoveryState)),
    ("signal", codes(SignalCode)),
    ("channel", codes(Channel)),
    ("message_kind", codes(MessageKind)),
    ("message_status", codes(MessageStatus)),
    ("webhook_delivery_status", codes(DeliveryStatus)),
    # The engines' messages a page words (with params): their reasons and objections.
    ("allocation_reason", sorted(labels.TABLES["allocation_reason"])),
    ("rules_problem", sorted(labels.TABLES["rules_problem"])),
    ("reason_group", [group.code for group in TAXONOMY]),
]
SHOPPER: list[tuple[str, list[str]]] = [
    ("status", codes(ReturnStatus)),
    ("resolution", codes(Resolution)),
    ("method", codes(Method)),
    ("reason", list(REASONS)),
    ("reason_group", [group.code for group in TAXONOMY]),
    ("claim_reason", codes(ClaimReason)),
    ("event", sorted(labels.SHOPPER_EVENT)),
    ("tier", ["silver", "gold"]),
]
# Failures inside Retorno or a carrier: staff read them, shoppers are told in plain words.
INTERNAL_FAILURES = {
    "carrier_not_found",
    "carrier_unavailable",
    "carrier_rejected",
    "booking_failed",
    "booking_retried",
    "shipment_exception",
}


def _labels_in(language: str, table, pairs) -> dict[tuple[str, str], str]:
    with translation.override(language):
        return {(kind, code): table(kind, code) for kind, kinds in pairs for code in kinds}


def test_the_walk_covers_what_staff_and_shoppers_see():
    kinds = {kind for kind, _ in STAFF}
    assert {"status", "event", "money_kind", "policy_reason", "outcome", "tier"} <= kinds
    assert sum(len(found) for _, found in STAFF) > 250
    assert {"carrier_not_found", "carrier_unavailable", "booking_failed"} <= set(codes(EventKind))
    assert BookingProblem.NO_CARRIER.value in dict(STAFF)["desk_reason"]


@pytest.mark.parametrize(
    ("audience", "table", "pairs"),
    [("staff", labels.label, STAFF), ("shopper", labels.shopper_label, SHOPPER)],
)
def test_every_code_has_a_label_in_english_and_spanish(audience, table, pairs):
    tables = labels.TABLES if audience == "staff" else labels.SHOPPER_TABLES
    unknown = [
        f"{kind}:{code}" for kind, found in pairs for code in found if code not in tables[kind]
    ]
    assert unknown == [], f"add a {audience} label for these codes to retorno.core.labels"
    english = _labels_in("en", table, pairs)
    spanish = _labels_in("es", table, pairs)
    raw = [f"{k}:{c}" for (k, c), text in (english | spanish).items() if not text or text == c]
    assert raw == [], "a label that is empty or the code itself"
    untranslated = [
        f"{kind}:{code} {text!r}"
        for (kind, code), text in english.items()
        if spanish[(kind, code)] == text and text not in SAME_IN_EVERY_LANGUAGE
    ]
    assert untranslated == [], "translate these in retorno/core/locale/es"


def test_every_event_kind_is_shown_to_shoppers_or_kept_internal():
    undecided = sorted(
        kind
        for kind in codes(EventKind)
        if kind not in labels.SHOPPER_EVENT and kind not in labels.SHOPPER_HIDDEN_EVENTS
    )
    assert undecided == [], "decide whether shoppers see these events"
    assert not set(labels.SHOPPER_EVENT) & labels.SHOPPER_HIDDEN_EVENTS
    assert INTERNAL_FAILURES <= labels.SHOPPER_HIDDEN_EVENTS
    assert not any(labels.shown_to_shoppers(kind) for kind in INTERNAL_FAILURES)


def test_a_stores_own_words_are_shown_in_plain_words():
    with translation.override("es"):
        assert labels.tier_label("gold") == "Oro"
        assert labels.category_label("gift-cards") == "Tarjetas regalo"
        assert labels.tier_label("diamante negro") == "Diamante Negro"
        assert labels.category_label("summer_sale") == "Summer sale"
        assert labels.category_label("Bolsos") == "Bolsos"
        assert labels.label("event", "something_new") == "Something new"
