import pytest

from trie import Trie


def test_insert_count_contains():
    t = Trie()
    t.insert("car")
    t.insert("car")
    t.insert("cart", count=3)
    assert len(t) == 2
    assert t.count("car") == 2
    assert t.count("cart") == 3
    assert t.count("ca") == 0
    assert t.count("cars") == 0
    assert "car" in t and "ca" not in t and "zebra" not in t


def test_insert_validation():
    t = Trie()
    with pytest.raises(ValueError):
        t.insert("")
    with pytest.raises(ValueError):
        t.insert("a", count=0)
    t.insert("a", count=1)
    assert t.count("a") == 1


def test_constructor_words():
    t = Trie(["b", "a", "b"])
    assert len(t) == 2
    assert t.count("b") == 2


def test_has_prefix():
    t = Trie(["apple"])
    assert t.has_prefix("") is True
    assert t.has_prefix("app") is True
    assert t.has_prefix("apple") is True
    assert t.has_prefix("apples") is False
    assert t.has_prefix("b") is False


def test_words():
    t = Trie(["tea", "ten", "to", "inn", "in", "tea"])
    assert t.words() == ["in", "inn", "tea", "ten", "to"]
    assert t.words("te") == ["tea", "ten"]
    assert t.words("to") == ["to"]
    assert t.words("x") == []
    assert Trie().words() == []


def test_complete_ranks_by_count_then_alphabet():
    t = Trie()
    for word, n in [("pear", 2), ("peach", 5), ("pea", 2), ("plum", 9), ("pecan", 1)]:
        t.insert(word, count=n)
    assert t.complete("pe") == ["peach", "pea", "pear", "pecan"]
    assert t.complete("pe", limit=2) == ["peach", "pea"]
    assert t.complete("p", limit=1) == ["plum"]
    assert t.complete("pe", limit=0) == []
    assert t.complete("q") == []
    assert len(t.complete("")) == 5
    assert t.complete("p", limit=4) == ["plum", "peach", "pea", "pear"]


def test_delete_leaf_prunes_branch():
    t = Trie(["car", "cart"])
    nodes = t.node_count()
    assert t.delete("cart") is True
    assert t.node_count() == nodes - 1
    assert "cart" not in t and "car" in t
    assert len(t) == 1


def test_delete_inner_word_keeps_children():
    t = Trie(["car", "cart"])
    assert t.delete("car") is True
    assert "car" not in t
    assert "cart" in t
    assert t.node_count() == 4


def test_delete_missing():
    t = Trie(["car"])
    assert t.delete("ca") is False
    assert t.delete("cars") is False
    assert t.delete("dog") is False
    assert len(t) == 1


def test_delete_everything_leaves_an_empty_tree():
    t = Trie(["ab", "ac", "b"])
    for w in ["ab", "ac", "b"]:
        assert t.delete(w)
    assert t.node_count() == 0
    assert len(t) == 0
    assert t.words() == []


def test_delete_prunes_only_up_to_a_shared_node():
    t = Trie(["abc", "abd"])
    t.delete("abc")
    assert t.node_count() == 3
    assert t.words() == ["abd"]


def test_longest_common_prefix():
    assert Trie(["flower", "flow", "flight"]).longest_common_prefix() == "fl"
    assert Trie(["flow", "flower"]).longest_common_prefix() == "flow"
    assert Trie(["dog", "car"]).longest_common_prefix() == ""
    assert Trie(["alone"]).longest_common_prefix() == "alone"
    assert Trie().longest_common_prefix() == ""
