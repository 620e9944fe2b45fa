"""Semantic versions (semver.org 2.0.0): parsing, precedence (pre-releases sort before the
release, build metadata is ignored), bumping, and simple range checks like `>=1.2.0 <2.0.0`
or `^1.2.3`."""

import re

_PATTERN = re.compile(
    r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
    r"(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
)


class Version:
    def __init__(self, major, minor, patch, prerelease=(), build=()):
        self.major, self.minor, self.patch = major, minor, patch
        self.prerelease = tuple(prerelease)
        self.build = tuple(build)

    @classmethod
    def parse(cls, text):
        m = _PATTERN.fullmatch(text.strip())
        if m is None:
            raise ValueError(f"not a semantic version: {text!r}")
        pre = m.group(4).split(".") if m.group(4) else []
        for part in pre:
            if part.isdigit() and len(part) > 1 and part[0] == "0":
                raise ValueError(f"leading zero in pre-release {part!r}")
        build = m.group(5).split(".") if m.group(5) else []
        return cls(int(m.group(1)), int(m.group(2)), int(m.group(3)), pre, build)

    def __str__(self):
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.prerelease:
            text += "-" + ".".join(self.prerelease)
        if self.build:
            text += "+" + ".".join(self.build)
        return text

    def _key(self):
        # A release sorts after all of its pre-releases; numeric identifiers sort numerically
        # and before alphanumeric ones.
        if not self.prerelease:
            pre = (1,)
        else:
            pre = (0, tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in self.prerelease))
        return (self.major, self.minor, self.patch, pre)

    def __eq__(self, other):
        return isinstance(other, Version) and self._key() == other._key()

    def __lt__(self, other):
        return self._key() < other._key()

    def __le__(self, other):
        return self._key() <= other._key()

    def __hash__(self):
        return hash(self._key())

    def bump(self, part):
        if part == "major":
            return Version(self.major + 1, 0, 0)
        if part == "minor":
            return Version(self.major, self.minor + 1, 0)
        if part == "patch":
            # Bumping the patch of a pre-release releases it.
            if self.prerelease:
                return Version(self.major, self.minor, self.patch)
            return Version(self.major, self.minor, self.patch + 1)
        raise ValueError(f"unknown part {part!r}")


def _caret_bounds(v):
    """^1.2.3 := >=1.2.3 <2.0.0; ^0.2.3 := >=0.2.3 <0.3.0; ^0.0.3 := >=0.0.3 <0.0.4."""
    if v.major > 0:
        upper = Version(v.major + 1, 0, 0)
    elif v.minor > 0:
        upper = Version(0, v.minor + 1, 0)
    else:
        upper = Version(0, 0, v.patch + 1)
    return [(">=", v), ("<", upper)]


def satisfies(version, spec):
    """Whether `version` matches every space-separated comparator of `spec`."""
    if isinstance(version, str):
        version = Version.parse(version)
    comparators = []
    for item in spec.split():
        if item.startswith("^"):
            comparators.extend(_caret_bounds(Version.parse(item[1:])))
            continue
        m = re.fullmatch(r"(>=|<=|>|<|=)?(.+)", item)
        comparators.append((m.group(1) or "=", Version.parse(m.group(2))))
    if not comparators:
        raise ValueError("empty range")
    for op, bound in comparators:
        ok = {
            ">=": bound <= version,
            "<=": version <= bound,
            ">": bound < version,
            "<": version < bound,
            "=": version == bound,
        }[op]
        if not ok:
            return False
    return True


def max_satisfying(versions, spec):
    matching = [Version.parse(v) for v in versions if satisfies(v, spec)]
    return str(max(matching)) if matching else None
