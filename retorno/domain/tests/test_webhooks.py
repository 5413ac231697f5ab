"""Standard Webhooks signing and the retry schedule, as pure functions."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retorno.domain.webhooks import (
    EVENT_TYPES,
    JITTER,
    MAX_ATTEMPTS,
    RETRY_SCHEDULE,
    WebhookError,
    event_types_check,
    next_attempt_delay,
    secret_from_bytes,
    sign,
    signature_header,
    subscribes,
)

SECRETS = st.binary(min_size=24, max_size=64).map(secret_from_bytes)


@given(
    secret=SECRETS,
    message_id=st.text(alphabet="abcdef0123456789_", min_size=1, max_size=40),
    timestamp=st.integers(0, 2**33),
    body=st.binary(max_size=2000),
)
def test_the_signature_is_the_hmac_the_specification_describes(secret, message_id, timestamp, body):
    key = base64.b64decode(secret.removeprefix("whsec_"))
    expected = hmac.new(key, f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256)
    assert (
        sign(secret, message_id, timestamp, body)
        == "v1," + base64.b64encode(expected.digest()).decode()
    )


@given(first=SECRETS, second=SECRETS, body=st.binary(max_size=200))
def test_during_a_rotation_the_header_carries_one_signature_per_secret(first, second, body):
    header = signature_header([first, second], "evt_1", 1700000000, body)
    assert header.split(" ") == [
        sign(first, "evt_1", 1700000000, body),
        sign(second, "evt_1", 1700000000, body),
    ]


def test_secrets_and_types_are_checked():
    with pytest.raises(WebhookError) as weak:
        secret_from_bytes(b"short")
    assert weak.value.code == "weak_secret"
    with pytest.raises(WebhookError) as bad:
        sign("nope", "evt", 1, b"")
    assert bad.value.code == "invalid_secret"
    with pytest.raises(WebhookError) as unknown:
        event_types_check(["return.approved", "return.exploded"])
    assert unknown.value.code == "unknown_event_type"
    assert event_types_check(["refund.created", "refund.created"]) == ["refund.created"]
    assert subscribes([], "claim.opened")
    assert not subscribes(["claim.resolved"], "claim.opened")
    assert len(set(EVENT_TYPES)) == len(EVENT_TYPES)


def test_the_schedule_is_the_documented_one():
    hours = [d.total_seconds() / 3600 for d in RETRY_SCHEDULE]
    assert hours[:4] == [0, 5 / 3600, 5 / 60, 0.5]
    assert hours[4:] == [2, 5, 10, 14, 20, 24]
    assert MAX_ATTEMPTS == 10


@given(attempts=st.integers(1, 20), spread=st.floats(-5, 5, allow_nan=False))
def test_each_wait_stays_within_the_jitter_of_its_schedule(attempts, spread):
    delay = next_attempt_delay(attempts, spread)
    if attempts >= MAX_ATTEMPTS:
        assert delay is None
        return
    scheduled = RETRY_SCHEDULE[attempts]
    assert scheduled * (1 - JITTER) <= delay <= scheduled * (1 + JITTER)
    assert delay > timedelta(0)
