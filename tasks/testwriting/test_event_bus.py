import pytest

from event_bus import EventBus


@pytest.mark.parametrize(
    "pattern,topic,expected",
    [
        ("order.created", "order.created", True),
        ("order.created", "order.paid", False),
        ("order.*", "order.paid", True),
        ("order.*", "order", False),
        ("order.*", "order.paid.late", False),
        ("*.paid", "order.paid", True),
        ("order.#", "order.paid.late", True),
        ("order.#", "order", True),
        ("#", "anything.at.all", True),
        ("order.#.x", "order.a.x", False),
        ("order", "order.paid", False),
        ("a.b", "a", False),
    ],
)
def test_matches(pattern, topic, expected):
    assert EventBus.matches(pattern, topic) is expected


def test_publish_calls_matching_handlers():
    bus = EventBus()
    seen = []
    bus.subscribe("order.created", lambda t, p: seen.append(("exact", t, p)))
    bus.subscribe("order.*", lambda t, p: seen.append(("wild", t, p)))
    bus.subscribe("user.*", lambda t, p: seen.append(("user", t, p)))
    assert bus.publish("order.created", 7) == 2
    assert seen == [("exact", "order.created", 7), ("wild", "order.created", 7)]
    assert bus.publish("nothing") == 0


def test_priority_then_subscription_order():
    bus = EventBus()
    order = []
    bus.subscribe("t", lambda t, p: order.append("low"), priority=-1)
    bus.subscribe("t", lambda t, p: order.append("first0"))
    bus.subscribe("t", lambda t, p: order.append("high"), priority=5)
    bus.subscribe("t", lambda t, p: order.append("second0"))
    bus.publish("t")
    assert order == ["high", "first0", "second0", "low"]


def test_once_handlers_run_once():
    bus = EventBus()
    calls = []
    bus.subscribe("t", lambda t, p: calls.append(p), once=True)
    assert bus.publish("t", 1) == 1
    assert bus.publish("t", 2) == 0
    assert calls == [1]


def test_unsubscribe():
    bus = EventBus()
    calls = []
    token = bus.subscribe("t", lambda t, p: calls.append(p))
    other = bus.subscribe("t", lambda t, p: calls.append(-p))
    assert token != other
    assert bus.unsubscribe(token) is True
    assert bus.unsubscribe(token) is False
    bus.publish("t", 3)
    assert calls == [-3]


def test_errors_are_isolated_and_recorded():
    bus = EventBus()
    calls = []

    def boom(topic, payload):
        raise RuntimeError("boom")

    bus.subscribe("t", boom, priority=1)
    bus.subscribe("t", lambda t, p: calls.append(p))
    assert bus.publish("t", 1) == 2
    assert calls == [1]
    assert len(bus.errors) == 1
    topic, handler, exc = bus.errors[0]
    assert topic == "t" and handler is boom and str(exc) == "boom"


def test_raise_errors_mode():
    bus = EventBus(raise_errors=True)

    def boom(topic, payload):
        raise KeyError("k")

    bus.subscribe("t", boom)
    with pytest.raises(KeyError):
        bus.publish("t")
    assert bus.errors == []


def test_validation():
    bus = EventBus()
    with pytest.raises(ValueError):
        bus.subscribe("", lambda t, p: None)
    for bad in ("a.*", "#"):
        with pytest.raises(ValueError):
            bus.publish(bad)


def test_subscribers_count():
    bus = EventBus()
    bus.subscribe("a.*", print)
    bus.subscribe("a.b", print)
    bus.subscribe("c", print)
    assert bus.subscribers("a.b") == 2
    assert bus.subscribers("c") == 1
    assert bus.subscribers("d") == 0


def test_handler_subscribing_during_publish_is_not_called_yet():
    bus = EventBus()
    calls = []

    def first(topic, payload):
        calls.append("first")
        bus.subscribe("t", lambda t, p: calls.append("late"))

    bus.subscribe("t", first, once=True)
    bus.publish("t")
    assert calls == ["first"]
    bus.publish("t")
    assert calls == ["first", "late"]


def test_default_priority_is_zero():
    bus = EventBus()
    order = []
    bus.subscribe("t", lambda t, p: order.append("explicit zero"), priority=0)
    bus.subscribe("t", lambda t, p: order.append("default"))
    bus.subscribe("t", lambda t, p: order.append("one"), priority=1)
    bus.publish("t")
    assert order == ["one", "explicit zero", "default"]
