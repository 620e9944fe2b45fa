import datetime as dt

import pytest

from cron_field import CronError, Schedule, parse_field


def test_star_and_single_values():
    assert parse_field("*", "minute") == set(range(60))
    assert parse_field("5", "hour") == {5}
    assert parse_field("*", "day") == set(range(1, 32))
    assert parse_field("*", "weekday") == set(range(7))


def test_lists_ranges_steps():
    assert parse_field("1,5,10", "minute") == {1, 5, 10}
    assert parse_field("9-12", "hour") == {9, 10, 11, 12}
    assert parse_field("*/15", "minute") == {0, 15, 30, 45}
    assert parse_field("10-20/5", "minute") == {10, 15, 20}
    assert parse_field("50/3", "minute") == {50, 53, 56, 59}
    assert parse_field("1-3,7", "month") == {1, 2, 3, 7}
    assert parse_field("*/5", "day") == {1, 6, 11, 16, 21, 26, 31}


def test_names_and_sunday_as_seven():
    assert parse_field("jan,MAR", "month") == {1, 3}
    assert parse_field("mon-fri", "weekday") == {1, 2, 3, 4, 5}
    assert parse_field("7", "weekday") == {0}
    assert parse_field("5-7", "weekday") == {5, 6, 0}
    assert parse_field("sun", "weekday") == {0}


def test_bounds():
    assert parse_field("59", "minute") == {59}
    assert parse_field("0", "minute") == {0}
    assert parse_field("31", "day") == {31}
    assert parse_field("12", "month") == {12}


@pytest.mark.parametrize(
    "text,field,message",
    [("60", "minute", "outside 0-59"), ("0", "day", "outside 1-31"), ("13", "month", "outside 1-12"),
     ("8", "weekday", "outside 0-7"), ("x", "hour", "not a number"), ("5-3", "hour", "backwards"),
     ("*/0", "minute", "bad step"), ("*/x", "minute", "bad step"), ("1,,2", "minute", "empty list item"),
     ("foo", "month", "not a number"), ("-1", "minute", "not a number")],
)
def test_field_errors(text, field, message):
    with pytest.raises(CronError, match=message):
        parse_field(text, field)


def test_schedule_needs_five_fields():
    with pytest.raises(CronError):
        Schedule("* * * *")
    with pytest.raises(CronError):
        Schedule("* * * * * *")


def test_matches():
    s = Schedule("30 9 * * mon-fri")
    assert s.matches(dt.datetime(2024, 6, 3, 9, 30))  # Monday
    assert not s.matches(dt.datetime(2024, 6, 2, 9, 30))  # Sunday
    assert not s.matches(dt.datetime(2024, 6, 3, 9, 31))
    assert not s.matches(dt.datetime(2024, 6, 3, 10, 30))
    assert Schedule("0 0 1 jan *").matches(dt.datetime(2025, 1, 1))
    assert Schedule("0 0 1 jan *").matches(dt.datetime(2025, 2, 1)) is False


def test_sunday_in_weekday_field():
    assert Schedule("0 12 * * 0").matches(dt.datetime(2024, 6, 2, 12, 0))
    assert Schedule("0 12 * * 7").matches(dt.datetime(2024, 6, 2, 12, 0))
    assert not Schedule("0 12 * * 0").matches(dt.datetime(2024, 6, 1, 12, 0))


def test_day_fields_or_when_both_restricted():
    s = Schedule("0 0 13 * fri")
    assert s.matches(dt.datetime(2024, 9, 13))  # Friday the 13th
    assert s.matches(dt.datetime(2024, 6, 13))  # a Thursday, but the 13th
    assert s.matches(dt.datetime(2024, 6, 7))  # a Friday
    assert not s.matches(dt.datetime(2024, 6, 8))
    only_day = Schedule("0 0 13 * *")
    assert not only_day.matches(dt.datetime(2024, 6, 7))


def test_next_after():
    s = Schedule("*/15 * * * *")
    assert s.next_after(dt.datetime(2024, 1, 1, 10, 7, 30)) == dt.datetime(2024, 1, 1, 10, 15)
    assert s.next_after(dt.datetime(2024, 1, 1, 10, 15)) == dt.datetime(2024, 1, 1, 10, 30)
    assert Schedule("0 0 29 feb *").next_after(dt.datetime(2025, 3, 1)) == dt.datetime(2028, 2, 29)
    assert Schedule("5 */6 * * *").next_after(dt.datetime(2024, 1, 1, 6, 5)) == dt.datetime(2024, 1, 1, 12, 5)
    assert Schedule("0 9 * * mon").next_after(dt.datetime(2024, 6, 3, 9, 0)) == dt.datetime(2024, 6, 10, 9, 0)
    assert Schedule("59 23 31 12 *").next_after(dt.datetime(2024, 12, 31, 23, 58)) == dt.datetime(2024, 12, 31, 23, 59)


def test_next_after_limit():
    with pytest.raises(CronError, match="no matching time"):
        Schedule("0 0 30 feb *").next_after(dt.datetime(2024, 2, 27), limit_days=3)
    with pytest.raises(CronError):
        Schedule("0 0 2 1 *").next_after(dt.datetime(2023, 12, 31, 23, 59), limit_days=1)
    # The limit is inclusive: a match exactly `limit_days` later is found.
    assert Schedule("0 0 2 1 *").next_after(dt.datetime(2024, 1, 1), limit_days=1) == dt.datetime(2024, 1, 2)
