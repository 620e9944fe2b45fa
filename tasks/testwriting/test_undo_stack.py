import pytest

from undo_stack import Delete, Editor, Group, Insert


def test_insert_and_delete():
    e = Editor("hello")
    e.insert(5, " world")
    assert e.text == "hello world"
    e.delete(0, 6)
    assert e.text == "world"


def test_bounds():
    e = Editor("abc")
    with pytest.raises(IndexError):
        e.insert(4, "x")
    with pytest.raises(IndexError):
        e.insert(-1, "x")
    with pytest.raises(IndexError):
        e.delete(2, 2)
    with pytest.raises(IndexError):
        e.delete(-1, 1)
    e.insert(3, "d")
    e.delete(0, 4)
    assert e.text == ""
    assert e.can_undo()


def test_undo_redo():
    e = Editor("abc")
    assert not e.can_undo() and not e.can_redo()
    e.delete(1, 1)
    e.insert(0, "> ")
    assert e.text == "> ac"
    e.undo()
    assert e.text == "ac"
    e.undo()
    assert e.text == "abc"
    assert e.can_undo() is False and e.can_redo() is True
    e.redo()
    assert e.text == "ac"
    e.redo()
    assert e.text == "> ac"
    with pytest.raises(IndexError):
        e.redo()
    e.undo()
    e.undo()
    with pytest.raises(IndexError):
        e.undo()


def test_new_edit_clears_redo():
    e = Editor("a")
    e.insert(1, "b")
    e.undo()
    e.insert(0, "z")
    assert e.can_redo() is False


def test_typing_merges_into_one_step():
    e = Editor()
    for i, ch in enumerate("hello"):
        e.insert(i, ch)
    assert e.text == "hello"
    e.undo()
    assert e.text == ""


def test_space_or_jump_starts_a_new_step():
    e = Editor()
    e.insert(0, "ab")
    e.insert(2, " c")
    e.insert(0, "X")
    assert e.text == "Xab c"
    e.undo()
    assert e.text == "ab c"
    e.undo()
    assert e.text == "ab"
    e.undo()
    assert e.text == ""


def test_merge_can_be_disabled():
    e = Editor()
    e.execute(Insert(0, "a"))
    e.execute(Insert(1, "b"), merge=False)
    e.undo()
    assert e.text == "a"


def test_deletes_do_not_merge():
    e = Editor("abcd")
    e.delete(3, 1)
    e.delete(2, 1)
    e.undo()
    assert e.text == "abc"


def test_history_limit():
    e = Editor(limit=2)
    e.execute(Insert(0, "a"), merge=False)
    e.execute(Insert(1, "b"), merge=False)
    e.execute(Insert(2, "c"), merge=False)
    e.undo()
    e.undo()
    assert e.text == "a"
    assert e.can_undo() is False
    with pytest.raises(ValueError):
        Editor(limit=0)
    Editor(limit=1)


def test_groups_undo_together():
    e = Editor("one two")
    e.begin_group()
    e.delete(0, 3)
    e.insert(0, "1")
    e.delete(2, 3)
    e.insert(2, "2")
    e.end_group()
    assert e.text == "1 2"
    e.undo()
    assert e.text == "one two"
    e.redo()
    assert e.text == "1 2"


def test_group_errors_and_empty_group():
    e = Editor("x")
    with pytest.raises(RuntimeError):
        e.end_group()
    e.begin_group()
    with pytest.raises(RuntimeError):
        e.begin_group()
    e.end_group()
    assert e.can_undo() is False


def test_group_clears_redo_and_respects_limit():
    e = Editor("", limit=1)
    e.insert(0, "a")
    e.undo()
    e.begin_group()
    e.insert(0, "b")
    e.end_group()
    assert e.can_redo() is False
    e.begin_group()
    e.insert(1, "c")
    e.end_group()
    e.undo()
    assert e.text == "b"
    assert e.can_undo() is False


def test_commands_directly():
    d = Delete(1, 2)
    assert d.apply("abcd") == "ad"
    assert d.revert("ad") == "abcd"
    g = Group([Insert(0, "x"), Insert(2, "y")])
    assert g.apply("ab") == "xayb"
    assert g.revert("xayb") == "ab"
    assert Insert(0, "ab").merge(Insert(2, "c")).text == "abc"
    assert Insert(0, "ab").merge(Insert(1, "c")) is None
    assert Insert(0, "ab").merge(Delete(2, 1)) is None
    assert d.merge(d) is None and g.merge(g) is None


def test_merge_goes_into_the_latest_step():
    e = Editor()
    e.insert(0, "ab")
    e.insert(0, "X")
    e.insert(1, "Y")
    assert e.text == "XYab"
    e.undo()
    assert e.text == "ab"
    e.undo()
    assert e.text == ""


def test_defaults():
    e = Editor()
    assert e.text == "" and e.limit == 100
    assert Delete(0, 1).removed is None
