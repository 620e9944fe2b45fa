"""A finite-state machine for an order's life cycle, built from a transition table: named
events, guards that can veto a transition, entry callbacks, and a history of what happened."""


class InvalidTransition(Exception):
    def __init__(self, state, event):
        super().__init__(f"cannot {event} from {state}")
        self.state = state
        self.event = event


class GuardRejected(Exception):
    pass


class StateMachine:
    def __init__(self, initial, transitions, final=()):
        """`transitions` maps (state, event) to the target state."""
        states = {s for s, _ in transitions} | set(transitions.values())
        if initial not in states:
            raise ValueError(f"unknown initial state {initial!r}")
        self.state = initial
        self._transitions = dict(transitions)
        self._guards = {}
        self._on_enter = {}
        self.final = frozenset(final)
        self.history = [(None, initial)]

    def guard(self, event, predicate):
        """Only allow `event` when `predicate(context)` is true."""
        self._guards.setdefault(event, []).append(predicate)

    def on_enter(self, state, callback):
        self._on_enter.setdefault(state, []).append(callback)

    def can(self, event, context=None):
        if (self.state, event) not in self._transitions:
            return False
        return all(check(context) for check in self._guards.get(event, ()))

    def available_events(self):
        return sorted(e for s, e in self._transitions if s == self.state)

    def fire(self, event, context=None):
        if self.is_finished():
            raise InvalidTransition(self.state, event)
        target = self._transitions.get((self.state, event))
        if target is None:
            raise InvalidTransition(self.state, event)
        for check in self._guards.get(event, ()):
            if not check(context):
                raise GuardRejected(f"{event} rejected in {self.state}")
        self.state = target
        self.history.append((event, target))
        for callback in self._on_enter.get(target, ()):
            callback(target, context)
        return target

    def is_finished(self):
        return self.state in self.final

    def path(self):
        """The states visited so far, in order."""
        return [state for _, state in self.history]


ORDER_TRANSITIONS = {
    ("new", "pay"): "paid",
    ("new", "cancel"): "cancelled",
    ("paid", "ship"): "shipped",
    ("paid", "refund"): "refunded",
    ("shipped", "deliver"): "delivered",
    ("shipped", "lose"): "lost",
    ("lost", "refund"): "refunded",
}


def order_machine():
    """The order workflow: payment needs a positive amount, shipping needs an address."""
    machine = StateMachine("new", ORDER_TRANSITIONS, final={"delivered", "cancelled", "refunded"})
    machine.guard("pay", lambda ctx: bool(ctx) and ctx.get("amount", 0) > 0)
    machine.guard("ship", lambda ctx: bool(ctx) and bool(ctx.get("address")))
    return machine
