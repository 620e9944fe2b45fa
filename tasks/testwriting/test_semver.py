import pytest

from semver import Version, max_satisfying, satisfies

V = Version.parse


def test_parse_and_str():
    v = V("1.2.3-alpha.1+build.5")
    assert (v.major, v.minor, v.patch) == (1, 2, 3)
    assert v.prerelease == ("alpha", "1")
    assert v.build == ("build", "5")
    assert str(v) == "1.2.3-alpha.1+build.5"
    assert str(V("0.0.0")) == "0.0.0"
    assert str(V(" 1.0.0+x ")) == "1.0.0+x"
    assert str(V("1.0.0-rc")) == "1.0.0-rc"


@pytest.mark.parametrize("bad", ["1.2", "1.2.3.4", "01.2.3", "1.02.3", "1.2.03", "v1.2.3", "1.2.3-", "1.2.3-01", "1.2.3+", "a.b.c"])
def test_parse_rejects(bad):
    with pytest.raises(ValueError):
        V(bad)


def test_prerelease_zero_alone_and_alnum_leading_zero_are_fine():
    assert V("1.0.0-0").prerelease == ("0",)
    assert V("1.0.0-0a").prerelease == ("0a",)


def test_precedence_chain_from_the_spec():
    chain = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
             "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.1.0", "2.0.0"]
    versions = [V(s) for s in chain]
    for a, b in zip(versions, versions[1:]):
        assert a < b, (a, b)
        assert not b < a
        assert a <= b and not b <= a
    assert sorted(reversed(versions)) == versions


def test_equality_ignores_build():
    assert V("1.0.0+a") == V("1.0.0+b")
    assert hash(V("1.0.0+a")) == hash(V("1.0.0"))
    assert V("1.0.0") != V("1.0.0-rc")
    assert V("1.0.0") != "1.0.0"
    assert V("2.0.0") <= V("2.0.0+x")


def test_bump():
    assert str(V("1.2.3").bump("major")) == "2.0.0"
    assert str(V("1.2.3").bump("minor")) == "1.3.0"
    assert str(V("1.2.3").bump("patch")) == "1.2.4"
    assert str(V("1.2.3-rc.1").bump("patch")) == "1.2.3"
    assert str(V("1.2.3-rc.1+b").bump("minor")) == "1.3.0"
    with pytest.raises(ValueError):
        V("1.2.3").bump("build")


@pytest.mark.parametrize(
    "version,spec,ok",
    [
        ("1.2.3", ">=1.2.0 <2.0.0", True),
        ("2.0.0", ">=1.2.0 <2.0.0", False),
        ("1.2.0", ">=1.2.0", True),
        ("1.1.9", ">=1.2.0", False),
        ("1.2.0", ">1.2.0", False),
        ("1.2.1", ">1.2.0", True),
        ("1.2.0", "<=1.2.0", True),
        ("1.2.1", "<=1.2.0", False),
        ("1.2.3", "1.2.3", True),
        ("1.2.3", "=1.2.4", False),
        ("1.9.9", "^1.2.3", True),
        ("2.0.0", "^1.2.3", False),
        ("1.2.2", "^1.2.3", False),
        ("0.2.9", "^0.2.3", True),
        ("0.3.0", "^0.2.3", False),
        ("0.1.9", "^0.1.3", True),
        ("0.2.0", "^0.1.3", False),
        ("0.0.3", "^0.0.3", True),
        ("0.0.4", "^0.0.3", False),
        ("2.0.0-rc.1", "<2.0.0", True),
    ],
)
def test_satisfies(version, spec, ok):
    assert satisfies(version, spec) is ok
    assert satisfies(V(version), spec) is ok


def test_satisfies_empty_range():
    with pytest.raises(ValueError):
        satisfies("1.0.0", "   ")


def test_max_satisfying():
    versions = ["1.0.0", "1.4.2", "1.10.0", "2.0.0", "1.10.1-beta"]
    assert max_satisfying(versions, "^1.0.0") == "1.10.1-beta"
    assert max_satisfying(versions, "<1.5.0") == "1.4.2"
    assert max_satisfying(versions, ">=3.0.0") is None
