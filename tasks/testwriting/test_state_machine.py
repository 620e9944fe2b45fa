import pytest

from state_machine import GuardRejected, InvalidTransition, StateMachine, order_machine

T = {("a", "go"): "b", ("b", "go"): "c", ("b", "back"): "a"}


def test_unknown_initial_state():
    with pytest.raises(ValueError):
        StateMachine("zzz", T)
    assert StateMachine("c", T).state == "c"


def test_fire_and_history():
    m = StateMachine("a", T)
    assert m.history == [(None, "a")]
    assert m.fire("go") == "b"
    assert m.fire("back") == "a"
    assert m.state == "a"
    assert m.history == [(None, "a"), ("go", "b"), ("back", "a")]
    assert m.path() == ["a", "b", "a"]


def test_invalid_transition():
    m = StateMachine("a", T)
    with pytest.raises(InvalidTransition) as err:
        m.fire("back")
    assert (err.value.state, err.value.event) == ("a", "back")
    assert str(err.value) == "cannot back from a"
    assert m.state == "a"
    assert m.history == [(None, "a")]


def test_can_and_available_events():
    m = StateMachine("b", T)
    assert m.available_events() == ["back", "go"]
    assert m.can("go") is True
    assert m.can("jump") is False
    m.guard("go", lambda ctx: ctx == "ok")
    assert m.can("go", "ok") is True
    assert m.can("go", "no") is False


def test_guards_veto_and_all_must_pass():
    m = StateMachine("a", T)
    m.guard("go", lambda ctx: ctx["x"] > 0)
    m.guard("go", lambda ctx: ctx["y"] > 0)
    with pytest.raises(GuardRejected, match="go rejected in a"):
        m.fire("go", {"x": 1, "y": 0})
    assert m.state == "a"
    assert m.fire("go", {"x": 1, "y": 1}) == "b"


def test_on_enter_callbacks():
    seen = []
    m = StateMachine("a", T)
    m.on_enter("b", lambda state, ctx: seen.append(("first", state, ctx)))
    m.on_enter("b", lambda state, ctx: seen.append(("second", state, ctx)))
    m.fire("go", 42)
    assert seen == [("first", "b", 42), ("second", "b", 42)]
    m.fire("go")
    assert len(seen) == 2


def test_final_states_stop_the_machine():
    m = StateMachine("a", {("a", "go"): "b", ("b", "go"): "a"}, final={"b"})
    assert m.is_finished() is False
    m.fire("go")
    assert m.is_finished() is True
    with pytest.raises(InvalidTransition):
        m.fire("go")
    assert m.state == "b"


def test_order_happy_path():
    m = order_machine()
    m.fire("pay", {"amount": 10})
    m.fire("ship", {"address": "1 Main St"})
    m.fire("deliver")
    assert m.path() == ["new", "paid", "shipped", "delivered"]
    assert m.is_finished()


def test_order_guards():
    m = order_machine()
    for ctx in (None, {}, {"amount": 0}, {"amount": -5}, {"note": "no amount"}):
        with pytest.raises(GuardRejected):
            m.fire("pay", ctx)
    m.fire("pay", {"amount": 1})
    for ctx in (None, {"address": ""}, {"other": 1}):
        with pytest.raises(GuardRejected):
            m.fire("ship", ctx)
    assert m.state == "paid"


def test_order_refund_after_loss_and_cancel():
    m = order_machine()
    m.fire("pay", {"amount": 3})
    m.fire("ship", {"address": "x"})
    m.fire("lose")
    assert m.is_finished() is False
    m.fire("refund")
    assert m.state == "refunded" and m.is_finished()
    p = order_machine()
    p.fire("pay", {"amount": 3})
    assert p.fire("refund") == "refunded"
    c = order_machine()
    c.fire("cancel")
    assert c.is_finished()
    with pytest.raises(InvalidTransition):
        c.fire("pay", {"amount": 1})
