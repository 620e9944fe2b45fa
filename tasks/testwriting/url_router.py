"""A URL router: patterns like `/users/<int:id>/posts/<slug>` map to handlers; matching
converts parameters, prefers static segments over parameters, and reports 404 vs 405."""

import re

CONVERTERS = {
    "str": (r"[^/]+", str),
    "int": (r"-?\d+", int),
    "path": (r".+", str),
    "slug": (r"[a-z0-9]+(?:-[a-z0-9]+)*", str),
}
PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


class NotFound(LookupError):
    pass


class MethodNotAllowed(LookupError):
    def __init__(self, allowed):
        super().__init__("method not allowed; allowed: " + ", ".join(allowed))
        self.allowed = allowed


class Route:
    def __init__(self, pattern, handler, methods):
        if not pattern.startswith("/"):
            raise ValueError(f"pattern must start with '/': {pattern!r}")
        self.pattern = pattern
        self.handler = handler
        self.methods = tuple(sorted(m.upper() for m in methods))
        self.converters = {}
        regex = ""
        last = 0
        for m in PARAM.finditer(pattern):
            kind, name = m.group(1) or "str", m.group(2)
            if kind not in CONVERTERS:
                raise ValueError(f"unknown converter {kind!r} in {pattern!r}")
            if name in self.converters:
                raise ValueError(f"duplicate parameter {name!r} in {pattern!r}")
            regex += re.escape(pattern[last:m.start()]) + f"(?P<{name}>{CONVERTERS[kind][0]})"
            self.converters[name] = CONVERTERS[kind][1]
            last = m.end()
        regex += re.escape(pattern[last:])
        self.regex = re.compile(regex + r"\Z")
        # Static routes sort before dynamic ones; more static text sorts first.
        static = len(PARAM.sub("", pattern))
        self.priority = (len(self.converters), -static)

    def match(self, path):
        m = self.regex.match(path)
        if m is None:
            return None
        return {name: self.converters[name](value) for name, value in m.groupdict().items()}


class Router:
    def __init__(self, strict_slashes=True):
        self.routes = []
        self.strict_slashes = strict_slashes

    def add(self, pattern, handler, methods=("GET",)):
        route = Route(pattern, handler, methods)
        self.routes.append(route)
        self.routes.sort(key=lambda r: r.priority)
        return route

    def route(self, pattern, methods=("GET",)):
        """Decorator form of `add`."""
        def register(handler):
            self.add(pattern, handler, methods)
            return handler
        return register

    def resolve(self, method, path):
        """`(handler, params)` for the request; raises NotFound or MethodNotAllowed."""
        if not self.strict_slashes and len(path) > 1 and path.endswith("/"):
            path = path[:-1]
        allowed = set()
        for route in self.routes:
            params = route.match(path)
            if params is None:
                continue
            if method.upper() in route.methods:
                return route.handler, params
            allowed.update(route.methods)
        if allowed:
            raise MethodNotAllowed(sorted(allowed))
        raise NotFound(path)

    def url_for(self, handler, **params):
        """Build the path of the first route of `handler` from its parameters."""
        for route in self.routes:
            if route.handler is handler and set(params) == set(route.converters):
                return PARAM.sub(lambda m: str(params[m.group(2)]), route.pattern)
        raise LookupError("no route for these parameters")
