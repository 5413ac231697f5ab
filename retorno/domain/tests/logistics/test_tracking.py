"""Tracking: status maps, timelines, current status, what the return does, failed pickups."""

import re
from datetime import timedelta, timezone
from pathlib import Path

import pytest

from retorno.domain.errors import DomainError
from retorno.domain.logistics import (
    EASYPOST_STATUS_MAP,
    SHIPPO_STATUS_MAP,
    SIMULATOR_STATUS_MAP,
    STATUS_MAPS,
    FailedPickupPolicy,
    FailedPickupReason,
    NextStep,
    ReturnAction,
    SimulatorCode,
    StatusMap,
    TrackingEvent,
    TrackingStatus,
    current_event,
    current_status,
    failed_pickup_attempts,
    make_event,
    next_step_after_failure,
    normalise,
    return_progress,
    timeline,
)
from retorno.domain.tests.logistics.builders import NOW

S = TrackingStatus
A = ReturnAction
DOCS = Path(__file__).resolve().parents[4] / "docs" / "tracking-statuses.md"


def event(raw, minutes, status_map=SIMULATOR_STATUS_MAP, **extra):
    return make_event(
        status_map,
        tracking_number="T1",
        raw_status=raw,
        occurred_at=NOW + timedelta(minutes=minutes),
        **extra,
    )


@pytest.mark.parametrize(
    ("status_map", "raw", "status", "known"),
    [
        (SIMULATOR_STATUS_MAP, "PICKED_UP", S.PICKED_UP, True),
        (SIMULATOR_STATUS_MAP, "DELIVERED", S.DELIVERED_TO_WAREHOUSE, True),
        (SIMULATOR_STATUS_MAP, "PICKUP_FAILED_NOT_HOME", S.PICKUP_FAILED, True),
        (SIMULATOR_STATUS_MAP, "TELEPORTED", S.UNKNOWN, False),
        (EASYPOST_STATUS_MAP, "pre_transit", S.LABEL_CREATED, True),
        (EASYPOST_STATUS_MAP, "delivered", S.DELIVERED_TO_WAREHOUSE, True),
        (EASYPOST_STATUS_MAP, "return_to_sender", S.EXCEPTION, True),
        (EASYPOST_STATUS_MAP, "unknown", S.UNKNOWN, True),
        (EASYPOST_STATUS_MAP, "in_transit:arrived_at_facility", S.IN_TRANSIT, True),
        (EASYPOST_STATUS_MAP, "DELIVERED", S.UNKNOWN, False),
        (SHIPPO_STATUS_MAP, "TRANSIT", S.IN_TRANSIT, True),
        (SHIPPO_STATUS_MAP, "TRANSIT:package_accepted", S.PICKED_UP, True),
        (SHIPPO_STATUS_MAP, "TRANSIT:out_for_delivery", S.OUT_FOR_DELIVERY, True),
        (SHIPPO_STATUS_MAP, "TRANSIT:delivery_attempted", S.IN_TRANSIT, True),
        (SHIPPO_STATUS_MAP, "RETURNED:return_to_sender", S.EXCEPTION, True),
        (SHIPPO_STATUS_MAP, "LOST_IN_SPACE", S.UNKNOWN, False),
    ],
)
def test_normalise(status_map, raw, status, known):
    assert normalise(status_map, raw) == (status, known)


def test_raw_codes_join_status_and_detail():
    assert StatusMap.raw_code("TRANSIT", "package_accepted") == "TRANSIT:package_accepted"
    assert StatusMap.raw_code("TRANSIT", None) == "TRANSIT"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("PICKUP_FAILED_NOT_HOME", FailedPickupReason.CUSTOMER_NOT_AVAILABLE),
        ("PICKUP_FAILED_ADDRESS", FailedPickupReason.WRONG_ADDRESS),
        ("PICKUP_FAILED_NOT_READY", FailedPickupReason.ITEM_NOT_READY),
        ("PICKUP_FAILED_REFUSED", FailedPickupReason.REFUSED),
        ("PICKUP_FAILED_NOT_SERVICEABLE", FailedPickupReason.NOT_SERVICEABLE),
        ("PICKUP_FAILED_CARRIER", FailedPickupReason.CARRIER_ISSUE),
        ("PICKED_UP", None),
    ],
)
def test_simulator_failed_pickups_carry_their_reason(raw, reason):
    assert event(raw, 0).failure_reason is reason


def test_every_simulator_code_is_mapped():
    assert set(SIMULATOR_STATUS_MAP.statuses) == set(SimulatorCode)


def test_unknown_codes_are_kept_with_status_unknown():
    made = event("TELEPORTED", 5, description="Beamed up")
    assert (made.status, made.raw_status, made.description) == (
        S.UNKNOWN,
        "TELEPORTED",
        "Beamed up",
    )
    assert timeline([made]) == (made,)


def test_events_need_aware_times():
    with pytest.raises(DomainError):
        TrackingEvent(
            carrier="x",
            tracking_number="T",
            raw_status="X",
            status=S.UNKNOWN,
            occurred_at=NOW.replace(tzinfo=None),
        )


def test_timeline_orders_by_time_and_drops_duplicates():
    picked, moving, delivered = (
        event("PICKED_UP", 10),
        event("IN_TRANSIT", 60),
        event("DELIVERED", 600),
    )
    duplicate = event("IN_TRANSIT", 60, description="resent by webhook")
    assert timeline([delivered, moving, duplicate, picked]) == (picked, moving, delivered)


def test_same_instant_in_another_offset_is_the_same_scan():
    moving = event("IN_TRANSIT", 60)
    madrid = TrackingEvent(
        carrier=moving.carrier,
        tracking_number="T1",
        raw_status="IN_TRANSIT",
        status=S.IN_TRANSIT,
        occurred_at=moving.occurred_at.astimezone(timezone(timedelta(hours=2))),
    )
    assert len(timeline([moving, madrid])) == 1
    assert timeline([moving, madrid]) == timeline([madrid, moving])


def test_events_at_the_same_instant_follow_the_lifecycle():
    moving, picked = event("IN_TRANSIT", 0), event("PICKED_UP", 0)
    assert timeline([moving, picked]) == (picked, moving)


def test_current_status_is_the_latest_and_a_late_earlier_event_changes_nothing():
    events = [event("PICKED_UP", 10), event("OUT_FOR_DELIVERY", 300)]
    assert current_status(events) is S.OUT_FOR_DELIVERY
    assert current_status([*events, event("IN_TRANSIT", 60)]) is S.OUT_FOR_DELIVERY
    assert current_status([]) is None


def test_terminal_statuses_stick_even_against_later_scans():
    delivered = event("DELIVERED", 600)
    assert current_event([event("PICKED_UP", 10), delivered, event("IN_TRANSIT", 700)]) == delivered
    assert current_status([event("CANCELLED", 5), event("PICKED_UP", 10)]) is S.CANCELLED


def test_unknown_events_do_not_hide_a_known_status():
    assert current_status([event("IN_TRANSIT", 10), event("TELEPORTED", 20)]) is S.IN_TRANSIT
    assert current_status([event("TELEPORTED", 20)]) is S.UNKNOWN


@pytest.mark.parametrize(
    ("previous", "new", "action"),
    [
        (None, S.LABEL_CREATED, A.NONE),
        (S.PICKUP_SCHEDULED, S.PICKED_UP, A.MARK_IN_TRANSIT),
        (S.LABEL_CREATED, S.IN_TRANSIT, A.MARK_IN_TRANSIT),
        (None, S.OUT_FOR_DELIVERY, A.MARK_IN_TRANSIT),
        (S.PICKED_UP, S.IN_TRANSIT, A.NONE),
        (S.IN_TRANSIT, S.OUT_FOR_DELIVERY, A.NONE),
        (S.EXCEPTION, S.IN_TRANSIT, A.MARK_IN_TRANSIT),
        (S.IN_TRANSIT, S.DELIVERED_TO_WAREHOUSE, A.RECEIVE),
        (None, S.DELIVERED_TO_WAREHOUSE, A.RECEIVE),
        (S.DELIVERED_TO_WAREHOUSE, S.DELIVERED_TO_WAREHOUSE, A.NONE),
        (S.PICKUP_SCHEDULED, S.PICKUP_FAILED, A.PICKUP_FAILED),
        (S.PICKUP_FAILED, S.PICKUP_FAILED, A.NONE),
        (S.IN_TRANSIT, S.PICKUP_FAILED, A.NONE),
        (S.CANCELLED, S.PICKED_UP, A.NONE),
        (S.IN_TRANSIT, S.EXCEPTION, A.NONE),
        (S.IN_TRANSIT, None, A.NONE),
    ],
)
def test_return_progress(previous, new, action):
    assert return_progress(previous, new) is action


def test_failed_attempts_count_distinct_failures():
    events = [
        event("PICKUP_FAILED_NOT_HOME", 0),
        event("PICKUP_FAILED_NOT_HOME", 0),
        event("PICKUP_SCHEDULED", 60),
        event("PICKUP_FAILED_ADDRESS", 1440),
    ]
    assert failed_pickup_attempts(events) == 2


@pytest.mark.parametrize(
    ("attempts", "policy", "step"),
    [
        (1, FailedPickupPolicy(), NextStep.OUTREACH),
        (2, FailedPickupPolicy(), NextStep.DESK),
        (3, FailedPickupPolicy(), NextStep.CANCEL),
        (9, FailedPickupPolicy(), NextStep.CANCEL),
        (2, FailedPickupPolicy(3, 5), NextStep.OUTREACH),
        (3, FailedPickupPolicy(3, 5), NextStep.DESK),
        (4, FailedPickupPolicy(3, 5), NextStep.DESK),
        (2, FailedPickupPolicy(2, 2), NextStep.CANCEL),
        (1, FailedPickupPolicy(1, 3), NextStep.DESK),
    ],
)
def test_next_step_after_failure(attempts, policy, step):
    assert next_step_after_failure(attempts, policy) is step


def test_failed_pickup_policy_and_attempts_are_checked():
    with pytest.raises(DomainError):
        FailedPickupPolicy(3, 2)
    with pytest.raises(DomainError):
        FailedPickupPolicy(0, 2)
    with pytest.raises(DomainError):
        next_step_after_failure(0, FailedPickupPolicy())


def test_the_docs_show_every_map_exactly():
    text = DOCS.read_text(encoding="utf-8")
    for carrier, status_map in STATUS_MAPS.items():
        section = text.split(f"<!-- map:{carrier} -->")[1].split("<!-- end -->")[0]
        rows = re.findall(r"^\| `([^`]+)` \| `([a-z_]+)` \| ([^|]*) \|", section, re.MULTILINE)
        documented = {raw: status for raw, status, _ in rows}
        assert documented == {raw: str(s) for raw, s in status_map.statuses.items()}, carrier
        reasons = {raw: why.strip().strip("`") for raw, _, why in rows if why.strip()}
        assert reasons == {raw: str(r) for raw, r in status_map.failure_reasons.items()}, carrier
