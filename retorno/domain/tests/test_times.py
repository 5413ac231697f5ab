from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retorno.domain.times import EARLIEST_FACT_AT, FUTURE_MARGIN, TimeOutOfRange, check_fact_time

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "value",
    [
        EARLIEST_FACT_AT,
        datetime(2000, 1, 1, 0, 0, tzinfo=timezone(-timedelta(hours=3))),
        NOW,
        NOW + FUTURE_MARGIN,
        (NOW + FUTURE_MARGIN).astimezone(timezone(timedelta(hours=14))),
    ],
)
def test_times_in_range_come_back_in_utc(value):
    result = check_fact_time(value, now=NOW)
    assert result == value
    assert result.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "value",
    [
        datetime.fromisoformat("0001-01-01T00:00:00+14:00"),
        datetime.fromisoformat("9999-12-31T23:59:59-14:00"),
        datetime(9999, 12, 31, tzinfo=UTC),
        EARLIEST_FACT_AT - timedelta(microseconds=1),
        datetime(2000, 1, 1, 0, 0, tzinfo=timezone(timedelta(hours=1))),  # 1999-12-31 23:00 UTC
        NOW + FUTURE_MARGIN + timedelta(microseconds=1),
    ],
)
def test_times_out_of_range_are_refused_with_a_stable_code(value):
    with pytest.raises(TimeOutOfRange) as error:
        check_fact_time(value, now=NOW)
    assert error.value.code == "time_out_of_range"


def test_a_naive_time_is_refused():
    naive = datetime(2020, 1, 1)  # noqa: DTZ001 - the input refused
    with pytest.raises(ValueError, match="offset from UTC"):
        check_fact_time(naive, now=NOW)


offsets = st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)


@settings(max_examples=300, deadline=None, database=None)
@given(st.datetimes(timezones=offsets))
def test_any_time_is_either_in_range_in_utc_or_refused(value):
    """Never an OverflowError, whatever the year and the offset."""
    try:
        result = check_fact_time(value, now=NOW)
    except TimeOutOfRange:
        assert not EARLIEST_FACT_AT <= value <= NOW + FUTURE_MARGIN
    else:
        assert EARLIEST_FACT_AT <= result <= NOW + FUTURE_MARGIN
        assert result == value
        assert result.tzinfo is UTC
