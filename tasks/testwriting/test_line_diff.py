import pytest

from line_diff import apply, lcs_table, operations, similarity, unified


def test_lcs_length():
    assert lcs_table(list("ABCBDAB"), list("BDCABA"))[0][0] == 4
    assert lcs_table([], ["x"])[0][0] == 0
    assert lcs_table(["x"], ["x"])[0][0] == 1
    assert lcs_table(list("abc"), list("xyz"))[0][0] == 0


def test_operations_simple():
    assert operations(["a", "b", "c"], ["a", "c"]) == [("=", "a"), ("-", "b"), ("=", "c")]
    assert operations(["a", "c"], ["a", "b", "c"]) == [("=", "a"), ("+", "b"), ("=", "c")]
    assert operations([], ["x", "y"]) == [("+", "x"), ("+", "y")]
    assert operations(["x"], []) == [("-", "x")]
    assert operations([], []) == []


def test_replacement_puts_deletion_first():
    assert operations(["a", "old", "c"], ["a", "new", "c"]) == [("=", "a"), ("-", "old"), ("+", "new"), ("=", "c")]


def test_operations_follow_the_longest_common_subsequence():
    a, b = list("ABCBDAB"), list("BDCABA")
    ops = operations(a, b)
    assert sum(1 for op, _ in ops if op == "=") == 4
    assert [line for op, line in ops if op != "+"] == a
    assert [line for op, line in ops if op != "-"] == b


def test_operations_prefer_insertion_when_it_keeps_more():
    assert operations(["b", "c"], ["a", "b", "c"]) == [("+", "a"), ("=", "b"), ("=", "c")]


def test_unified():
    a = "1\n2\n3\n4\n5\n6\n7\n"
    b = "1\n2\nthree\n4\n5\n6\n7\neight\n"
    assert unified(a, b, context=0) == "-3\n+three\n@@\n+eight\n"
    assert unified(a, b, context=1) == " 2\n-3\n+three\n 4\n@@\n 7\n+eight\n"
    assert unified(a, b, context=3) == " 1\n 2\n-3\n+three\n 4\n 5\n 6\n 7\n+eight\n"
    assert unified(a, a) == ""


def test_unified_context_at_the_edges():
    assert unified("a\nb\n", "x\nb\n", context=2) == "-a\n+x\n b\n"
    assert unified("a\nb\n", "a\nx\n", context=5) == " a\n-b\n+x\n"


def test_apply_round_trip():
    a = ["alpha", "beta", "gamma", "delta"]
    b = ["alpha", "gamma", "epsilon", "delta", "zeta"]
    assert apply(a, operations(a, b)) == b
    assert apply([], operations([], ["x"])) == ["x"]


def test_apply_checks_the_old_lines():
    ops = operations(["a", "b"], ["a", "c"])
    with pytest.raises(ValueError, match="old line 2"):
        apply(["a", "z"], ops)
    with pytest.raises(ValueError, match="every old line"):
        apply(["a", "b", "extra"], ops)
    with pytest.raises(ValueError):
        apply(["a"], ops)


def test_similarity():
    assert similarity("", "") == 1.0
    assert similarity("a\nb\n", "a\nb\n") == 1.0
    assert similarity("a\n", "b\n") == 0.0
    assert similarity("a\nb\nc\nd\n", "a\nx\nc\nd\n") == 0.75
    assert similarity("", "a\n") == 0.0
