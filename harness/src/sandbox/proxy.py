# The channel between a checked program's two children, loaded once into the warm parent (never
# importable: it is not left in sys.modules). The solution's child runs the solution and serves
# calls to its functions (`serve`); the check's child, an interpreter the solution never touches,
# calls them through proxies (`Link`). Only plain data crosses: what goes out is written by
# `marshal` (version 2), which takes only exact builtin types (no subclass, no other object);
# what comes in from the solution is read by `decode`, a strict reader of that format that
# builds plain data and never runs code. Frames are a 4-byte little-endian length and a payload
# of at most MAX_FRAME bytes.
#
# The solution's child is untrusted from the moment its program runs: whatever its serving code
# sends is read as hostile. Anything in the check's child that cannot be trusted any more (the
# channel closed, a malformed or oversized frame, a result that is not plain data) marks the link
# broken, and a broken link fails the sample whatever the check did with the exception (the
# worker's Rust code reads `Link.broken` after the check).
import builtins
import marshal
import os
import struct

MAX_FRAME = 16 << 20
_VERSION = 2
_MAX_DEPTH = 400
_HEADER = struct.Struct("<I")
_INT32 = struct.Struct("<i")
_DOUBLE = struct.Struct("<d")
_COMPLEX = struct.Struct("<dd")
_PLAIN = (type(None), bool, int, float, complex, str, bytes, tuple, list, dict, set, frozenset)
# Builtin exception classes by name: what the check may raise on the solution's behalf.
_EXCEPTIONS = {
    name: value
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException)
}


def _write_frame(fd, payload):
    data = _HEADER.pack(len(payload)) + payload
    written = os.write(fd, data)
    while written < len(data):
        written += os.write(fd, data[written:])


class _Frames:
    """Frames read from a stream: as much as is there per read, the rest kept for later."""

    def __init__(self, fd):
        self.fd = fd
        self.buffer = b""

    def _fill(self, n):
        while len(self.buffer) < n:
            chunk = os.read(self.fd, max(n - len(self.buffer), 1 << 16))
            if not chunk:
                return False
            self.buffer += chunk
        return True

    def read(self):
        """A frame's payload; None at the end of the stream; ValueError when it is too long."""
        if not self._fill(4):
            return None
        (n,) = _HEADER.unpack_from(self.buffer)
        if n > MAX_FRAME:
            raise ValueError(f"a frame of {n} bytes (at most {MAX_FRAME})")
        if not self._fill(4 + n):
            return None
        payload = self.buffer[4 : 4 + n]
        self.buffer = self.buffer[4 + n :]
        return payload


# --- the solution's side ----------------------------------------------------------------------

def _first_unplain(value, depth=0):
    """The first object in `value` that marshal refuses, or None when it is plain data."""
    if depth > _MAX_DEPTH:
        return value
    kind = type(value)
    if kind in (list, tuple, set, frozenset):
        for item in value:
            bad = _first_unplain(item, depth + 1)
            if bad is not None:
                return bad
        return None
    if kind is dict:
        for key, item in value.items():
            bad = _first_unplain(key, depth + 1)
            if bad is None:
                bad = _first_unplain(item, depth + 1)
            if bad is not None:
                return bad
        return None
    return None if kind in _PLAIN else value


def _type_name(value):
    kind = type(value)
    module = getattr(kind, "__module__", "")
    name = getattr(kind, "__qualname__", "?")
    return name if module in ("builtins", "__main__", None) else f"{module}.{name}"


def _not_plain(what, value):
    bad = _first_unplain(value)
    if bad is None:  # refused all the same (nested too deeply, say)
        return ("bad", f"{what} cannot be written as plain data")
    inside = "" if bad is value else f" holding a `{_type_name(bad)}`"
    return ("bad", f"{what} is of type `{_type_name(value)}`{inside}, not plain data")


def _raised(error):
    """How an exception of the solution's crosses: its nearest builtin class, and its arguments
    when they are plain data (its message otherwise)."""
    name = "Exception"
    for cls in type(error).__mro__:
        if _EXCEPTIONS.get(getattr(cls, "__name__", None)) is cls:
            name = cls.__name__
            break
    try:
        args = tuple(error.args)
        marshal.dumps(args, _VERSION)
    except Exception:
        args = (_message(error),)
    return ("raise", name, args)


def _message(error):
    try:
        return str(error)[:4000]
    except Exception:
        return "<unprintable>"


def load_failed(status, error):
    """What the solution's child says when its program did not compile ("syntax_error") or
    raised ("failed"): the exception's nearest builtin class and its message."""
    return ("failed", status, _raised(error)[1], _message(error))


def _describe(namespace, names):
    found = {}
    for name in names:
        value = namespace.get(name, _describe)
        if value is _describe:
            continue
        if type(value) is type(os):
            found[name] = ("module", value.__name__)
        elif callable(value):
            found[name] = ("function",)
        elif _first_unplain(value) is None:
            found[name] = ("value", value)
    return found


def _call(namespace, name, args, kwargs):
    """The reply to a call, written: marshal refuses what is not plain data (but writes other
    buffers, a bytearray say, as bytes), and only then is the culprit looked for and named."""
    function = namespace.get(name)
    if function is None:
        return marshal.dumps(("raise", "NameError", (f"name '{name}' is not defined",)), _VERSION)
    args = list(args)
    try:
        result = function(*args, **kwargs)
    except BaseException as error:  # SystemExit too: the check fails on it, as in one process
        return marshal.dumps(_raised(error), _VERSION)
    if type(result) not in _PLAIN:
        return marshal.dumps(_not_plain("the result", result), _VERSION)
    try:
        return marshal.dumps(("ok", result, tuple(args), kwargs), _VERSION)
    except ValueError:
        pass
    if _first_unplain(result) is not None:
        reply = _not_plain("the result", result)
    else:
        bad = [i for i, arg in enumerate(args) if _first_unplain(arg) is not None]
        reply = _not_plain(f"argument {bad[0] + 1} after the call", args[bad[0]]) if bad else ("bad", "the reply cannot be written as plain data")
    return marshal.dumps(reply, _VERSION)


def serve(fd, namespace, loaded):
    """In the solution's child, after its program ran: say how loading went (`loaded` is
    ("loaded",) or ("failed", status, exception type, message)), then answer the check's
    requests until it closes the channel."""
    _write_frame(fd, marshal.dumps(loaded, _VERSION))
    if loaded[0] != "loaded":
        return
    frames = _Frames(fd)
    while True:
        payload = frames.read()
        if payload is None:
            return
        request = marshal.loads(payload)
        if request[0] == "names":
            data = marshal.dumps(("names", _describe(namespace, request[1])), _VERSION)
        else:
            data = _call(namespace, request[1], request[2], request[3])
        _write_frame(fd, data)


# --- the check's side -------------------------------------------------------------------------

class Malformed(Exception):
    pass


def decode(data):
    """The plain value marshal (version 2) wrote into `data`; Malformed for anything else."""
    value, end = _decode(data, 0, 0)
    if end != len(data):
        raise Malformed(f"{len(data) - end} bytes after the value")
    return value


def _take(data, pos, n):
    end = pos + n
    if n < 0 or end > len(data):
        raise Malformed("truncated")
    return data[pos:end], end


def _count(data, pos):
    raw, pos = _take(data, pos, 4)
    (n,) = _INT32.unpack(raw)
    # Each item takes at least a byte: a count beyond the rest of the data is a lie.
    if n < 0 or n > len(data) - pos:
        raise Malformed(f"a count of {n}")
    return n, pos


def _decode(data, pos, depth):
    if depth > _MAX_DEPTH:
        raise Malformed("nested too deeply")
    if pos >= len(data):
        raise Malformed("truncated")
    tag = data[pos]
    pos += 1
    if tag == 0x4E:  # N
        return None, pos
    if tag == 0x54:  # T
        return True, pos
    if tag == 0x46:  # F
        return False, pos
    if tag == 0x2E:  # .
        return ..., pos
    if tag == 0x69:  # i: int32
        raw, pos = _take(data, pos, 4)
        return _INT32.unpack(raw)[0], pos
    if tag == 0x6C:  # l: digits of 15 bits, the count's sign is the number's
        raw, pos = _take(data, pos, 4)
        (n,) = _INT32.unpack(raw)
        size = abs(n)
        raw, pos = _take(data, pos, 2 * size)
        value = 0
        for i in range(size - 1, -1, -1):
            digit = raw[2 * i] | (raw[2 * i + 1] << 8)
            if digit >= 1 << 15:
                raise Malformed("a digit out of range")
            value = (value << 15) | digit
        return (-value if n < 0 else value), pos
    if tag == 0x67:  # g: binary double
        raw, pos = _take(data, pos, 8)
        return _DOUBLE.unpack(raw)[0], pos
    if tag == 0x79:  # y: binary complex
        raw, pos = _take(data, pos, 16)
        real, imag = _COMPLEX.unpack(raw)
        return complex(real, imag), pos
    if tag == 0x73:  # s: bytes
        n, pos = _count(data, pos)
        raw, pos = _take(data, pos, n)
        return bytes(raw), pos
    if tag in (0x75, 0x74):  # u, t: str as UTF-8 (surrogates allowed, as marshal writes them)
        n, pos = _count(data, pos)
        raw, pos = _take(data, pos, n)
        try:
            return str(raw, "utf-8", "surrogatepass"), pos
        except UnicodeDecodeError:
            raise Malformed("a string that is not UTF-8") from None
    if tag in (0x28, 0x5B, 0x3C, 0x3E):  # ( tuple, [ list, < set, > frozenset
        n, pos = _count(data, pos)
        items = []
        for _ in range(n):
            item, pos = _decode(data, pos, depth + 1)
            items.append(item)
        try:
            if tag == 0x28:
                return tuple(items), pos
            if tag == 0x5B:
                return items, pos
            return (set(items) if tag == 0x3C else frozenset(items)), pos
        except TypeError:
            raise Malformed("an unhashable set member") from None
    if tag == 0x7B:  # { key value ... 0
        result = {}
        while True:
            if pos < len(data) and data[pos] == 0x30:
                return result, pos + 1
            key, pos = _decode(data, pos, depth + 1)
            value, pos = _decode(data, pos, depth + 1)
            try:
                result[key] = value
            except TypeError:
                raise Malformed("an unhashable key") from None
    raise Malformed(f"type code {tag:#04x}")


class _Broken(BaseException):
    """Raised in the check when the link broke (what it says is in `Link.broken`)."""


def _sync(original, now):
    """Make a mutable argument of the check's hold what the solution left in its copy."""
    if type(original) is not type(now) or original == now:
        return
    if type(original) is list:
        original[:] = now
    elif type(original) in (dict, set):
        original.clear()
        original.update(now)


_REPLIES = {"ok": 4, "raise": 3, "bad": 2, "names": 2}


class Link:
    """The check's end of the channel."""

    def __init__(self, fd):
        self.fd = fd
        self.frames = _Frames(fd)
        self.broken = None

    def _fail(self, why):
        if self.broken is None:
            self.broken = why
        raise _Broken(self.broken)

    def _receive(self, during):
        try:
            payload = self.frames.read()
        except (ValueError, OSError) as error:
            self._fail(f"the solution's channel failed {during}: {error}")
        if payload is None:
            self._fail(f"the solution's process ended {during} (it exited, was killed or closed the channel)")
        try:
            return decode(payload)
        except (Malformed, RecursionError, MemoryError) as error:
            self._fail(f"the solution's process sent malformed data {during}: {error}")

    def _exchange(self, request, during):
        if self.broken is not None:
            raise _Broken(self.broken)
        try:
            payload = marshal.dumps(request, _VERSION)
        except ValueError:
            self._fail(f"the check's arguments {during} cannot cross to the solution's process (not plain data)")
        if len(payload) > MAX_FRAME:
            self._fail(f"the check's arguments {during} exceed {MAX_FRAME} bytes")
        try:
            _write_frame(self.fd, payload)
        except OSError as error:
            self._fail(f"the solution's process ended {during} ({error})")
        return self._reply(during)

    def _reply(self, during):
        reply = self._receive(during)
        if type(reply) is not tuple or not reply or _REPLIES.get(reply[0]) != len(reply):
            self._fail(f"the solution's process answered {during} out of protocol")
        if reply[0] == "bad":
            self._fail(f"{during}: {str(reply[1])[:300]}")
        return reply

    def open(self, namespace, names, modules):
        """Learn how the solution's program ran and bind what the check takes from it (see
        `bind`). The request for the names goes first, so that the solution's child finds it
        waiting once its program ran. None when it ran; else (status, exception type, message)."""
        request = ("names", list(names))
        try:
            _write_frame(self.fd, marshal.dumps(request, _VERSION))
        except OSError:
            pass  # the solution's child is gone: its end says more
        failed = self._loaded()
        if failed is None:
            self._bind(namespace, names, self._reply("while naming its functions"), modules)
        return failed

    def _loaded(self):
        reply = self._receive("while its program ran")
        if type(reply) is tuple and reply == ("loaded",):
            return None
        if (
            type(reply) is tuple
            and len(reply) == 4
            and reply[0] == "failed"
            and reply[1] in ("syntax_error", "failed")
            and type(reply[2]) is str
            and reply[2] in _EXCEPTIONS
            and type(reply[3]) is str
        ):
            return reply[1], reply[2], reply[3][:4000]
        self._fail("the solution's process reported its start out of protocol")

    def _bind(self, namespace, names, reply, modules):
        """Put what the solution defines under `names` into the check's `namespace`: a proxy
        for a function, the value for plain data, the check's own copy for a module."""
        found = reply[1]
        if reply[0] != "names" or type(found) is not dict:
            self._fail("the solution's process named its functions out of protocol")
        for name in names:
            entry = found.get(name)
            if type(entry) is not tuple or not entry:
                continue
            if entry == ("function",):
                namespace[name] = self.proxy(name)
            elif entry[0] == "value" and len(entry) == 2:
                namespace[name] = entry[1]
            elif entry[0] == "module" and len(entry) == 2 and type(entry[1]) is str:
                module = modules.get(entry[1])
                if module is not None:
                    namespace[name] = module

    def proxy(self, name):
        link = self

        def proxy(*args, **kwargs):
            return link.call(name, args, kwargs)

        proxy.__name__ = proxy.__qualname__ = name
        return proxy

    def call(self, name, args, kwargs):
        reply = self._exchange(("call", name, args, kwargs), f"in a call of {name}")
        if reply[0] == "raise":
            cls = _EXCEPTIONS.get(reply[1]) if type(reply[1]) is str else None
            if cls is None or type(reply[2]) is not tuple:
                self._fail(f"the solution's process answered a call of {name} out of protocol")
            try:
                error = cls(*reply[2])
            except Exception:  # a class whose constructor wants other arguments
                error = cls.__new__(cls)
                error.args = reply[2]
            raise error
        if reply[0] != "ok" or type(reply[2]) is not tuple or type(reply[3]) is not dict:
            self._fail(f"the solution's process answered a call of {name} out of protocol")
        _, result, args_after, kwargs_after = reply
        if len(args_after) != len(args) or kwargs_after.keys() != kwargs.keys():
            self._fail(f"the solution's process answered a call of {name} out of protocol")
        for original, now in zip(args, args_after):
            _sync(original, now)
        for key, original in kwargs.items():
            _sync(original, kwargs_after[key])
        return result
