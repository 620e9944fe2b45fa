"""An in-process publish/subscribe bus: handlers per topic with priorities, one-shot handlers,
wildcard topics (`order.*`), unsubscription tokens, and error isolation between handlers."""

import itertools


class EventBus:
    def __init__(self, raise_errors=False):
        self._handlers = []  # (priority, order, topic pattern, handler, once, token)
        self._counter = itertools.count()
        self.raise_errors = raise_errors
        self.errors = []  # (topic, handler, exception) of failed handlers

    @staticmethod
    def matches(pattern, topic):
        """`*` matches one dot-separated segment, `#` (last) any number of trailing segments."""
        p_parts, t_parts = pattern.split("."), topic.split(".")
        for i, part in enumerate(p_parts):
            if part == "#":
                return i == len(p_parts) - 1
            if i >= len(t_parts):
                return False
            if part != "*" and part != t_parts[i]:
                return False
        return len(p_parts) == len(t_parts)

    def subscribe(self, pattern, handler, priority=0, once=False):
        """Handlers with higher priority run first; equal priorities run in subscription order.
        Returns a token for `unsubscribe`."""
        if not pattern:
            raise ValueError("empty topic pattern")
        token = next(self._counter)
        self._handlers.append((-priority, token, pattern, handler, once, token))
        self._handlers.sort(key=lambda h: (h[0], h[1]))
        return token

    def unsubscribe(self, token):
        before = len(self._handlers)
        self._handlers = [h for h in self._handlers if h[5] != token]
        return len(self._handlers) < before

    def publish(self, topic, payload=None):
        """Call every matching handler with (topic, payload); returns how many ran. A failing
        handler is recorded in `errors` and does not stop the others (unless `raise_errors`)."""
        if "*" in topic or "#" in topic:
            raise ValueError("cannot publish to a pattern")
        ran = 0
        for entry in list(self._handlers):
            _, _, pattern, handler, once, token = entry
            if not self.matches(pattern, topic):
                continue
            if once:
                self.unsubscribe(token)
            ran += 1
            try:
                handler(topic, payload)
            except Exception as exc:
                if self.raise_errors:
                    raise
                self.errors.append((topic, handler, exc))
        return ran

    def subscribers(self, topic):
        return sum(1 for h in self._handlers if self.matches(h[2], topic))
