import pytest

from duration_parser import format_compact, format_words, parse


@pytest.mark.parametrize(
    "text,seconds",
    [("90s", 90), ("1h30m", 5400), ("2d 4h", 187200), ("1w", 604800), ("1.5h", 5400), ("0.5s", 0.5),
     (" 3M ", 180), ("1h 1s", 3601), ("-1m", -60), ("- 2h", -7200), ("01:30:00", 5400), ("2:05", 125),
     ("0:00", 0), ("1d1h1m1s", 90061), ("10 m", 600)],
)
def test_parse(text, seconds):
    assert parse(text) == seconds


def test_parse_types():
    assert isinstance(parse("1.5h"), int)
    assert isinstance(parse("0.5s"), float)
    assert isinstance(parse("2m"), int)


@pytest.mark.parametrize(
    "text",
    ["", "  ", "abc", "5", "5x", "1h 2", "30m1h", "1h1h", "h", "1:2:3:4", "1:60", "1:00:60", "a:10", "1h and 2m", "1,5h"],
)
def test_parse_rejects(text):
    with pytest.raises(ValueError):
        parse(text)


def test_parse_error_messages():
    with pytest.raises(ValueError, match="out of order"):
        parse("1m1h")
    with pytest.raises(ValueError, match="unexpected text"):
        parse("1h x 2m")
    with pytest.raises(ValueError, match="below 60"):
        parse("1:75")


@pytest.mark.parametrize(
    "seconds,text",
    [(0, "0s"), (5400, "1h30m"), (59, "59s"), (60, "1m"), (90061, "1d1h1m1s"), (-90, "-1m30s"), (604800, "1w"),
     (1209600 + 1, "2w1s"), (0.4, "0s"), (59.6, "1m"), (3600, "1h")],
)
def test_format_compact(seconds, text):
    assert format_compact(seconds) == text


@pytest.mark.parametrize(
    "seconds,max_units,text",
    [(5400, 2, "1 hour and 30 minutes"), (0, 2, "0 seconds"), (1, 2, "1 second"), (2, 2, "2 seconds"),
     (90061, 2, "1 day and 1 hour"), (90061, 4, "1 day, 1 hour, 1 minute and 1 second"), (90061, 1, "1 day"),
     (-120, 2, "2 minutes"), (3660, 3, "1 hour and 1 minute"), (1209600, 2, "2 weeks")],
)
def test_format_words(seconds, max_units, text):
    assert format_words(seconds, max_units) == text


def test_format_words_validation():
    with pytest.raises(ValueError):
        format_words(10, max_units=0)
    assert format_words(10) == "10 seconds"


def test_round_trip():
    for seconds in (0, 1, 59, 61, 3599, 3601, 86399, 90061, 700000):
        assert parse(format_compact(seconds)) == seconds
