"""Properties of timelines and current status for any events, in any arrival order."""

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from retorno.domain.logistics import (
    SIMULATOR_STATUS_MAP,
    TERMINAL_STATUSES,
    TrackingStatus,
    current_status,
    make_event,
    timeline,
)
from retorno.domain.tests.logistics.builders import NOW

PROPERTY = settings(max_examples=300, deadline=None, database=None)
RAW_CODES = [*SIMULATOR_STATUS_MAP.statuses, "TELEPORTED", "WEIRD_SCAN"]

events = st.builds(
    lambda raw, minutes, number, place: make_event(
        SIMULATOR_STATUS_MAP,
        tracking_number=number,
        raw_status=raw,
        occurred_at=NOW + timedelta(minutes=minutes),
        location=place,
    ),
    st.sampled_from(RAW_CODES),
    st.integers(0, 30),  # a small range so that equal times happen often
    st.sampled_from(["T1", "T2"]),
    st.sampled_from(["", "Madrid"]),
)
event_lists = st.lists(events, max_size=12)


@PROPERTY
@given(event_lists, st.randoms(use_true_random=False))
def test_any_arrival_order_gives_the_same_timeline_and_status(items, random):
    shuffled = list(items)
    random.shuffle(shuffled)
    assert timeline(shuffled) == timeline(items)
    assert current_status(shuffled) == current_status(items)


@PROPERTY
@given(event_lists, st.data())
def test_duplicates_never_change_the_timeline(items, data):
    resent = data.draw(st.lists(st.sampled_from(items), max_size=5)) if items else []
    assert timeline([*items, *resent]) == timeline(items)


@PROPERTY
@given(event_lists)
def test_the_timeline_is_ordered_and_keeps_every_distinct_scan(items):
    ordered = timeline(items)
    assert [e.occurred_at for e in ordered] == sorted(e.occurred_at for e in ordered)
    assert {e.identity for e in ordered} == {e.identity for e in items}
    assert len({e.identity for e in ordered}) == len(ordered)


@PROPERTY
@given(event_lists)
def test_unknown_codes_are_kept_as_unknown(items):
    for item in timeline(items):
        if item.raw_status not in SIMULATOR_STATUS_MAP.statuses:
            assert item.status is TrackingStatus.UNKNOWN
    unknown = [e for e in items if e.raw_status not in SIMULATOR_STATUS_MAP.statuses]
    assert {e.identity for e in unknown} <= {e.identity for e in timeline(items)}


@PROPERTY
@given(event_lists, event_lists)
def test_terminal_statuses_stick(before, later):
    status = current_status(before)
    if status in TERMINAL_STATUSES:
        assert current_status([*before, *later]) in TERMINAL_STATUSES
        # Later arrivals that are not terminal themselves never move it.
        not_terminal = [e for e in later if e.status not in TERMINAL_STATUSES]
        assert current_status([*before, *not_terminal]) == status
