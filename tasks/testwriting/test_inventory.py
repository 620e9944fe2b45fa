import pytest

from inventory import Inventory, InventoryError, OutOfStock


@pytest.fixture
def inv():
    i = Inventory()
    i.receive("apple", 10)
    i.receive("pear", 5)
    return i


def test_receive_and_levels(inv):
    assert inv.on_hand("apple") == 10
    inv.receive("apple", 2)
    assert inv.on_hand("apple") == 12
    assert inv.on_hand("kiwi") == 0
    assert inv.available("kiwi") == 0
    for bad in (0, -1, 1.5):
        with pytest.raises(ValueError):
            inv.receive("apple", bad)
    inv.receive("apple", 1)
    assert inv.on_hand("apple") == 13


def test_reserve_holds_stock(inv):
    rid = inv.reserve({"apple": 4, "pear": 5})
    assert inv.on_hand("apple") == 10
    assert inv.available("apple") == 6
    assert inv.available("pear") == 0
    assert rid == 1
    assert inv.reserve({"apple": 1}) == 2


def test_reserve_is_all_or_nothing(inv):
    with pytest.raises(OutOfStock) as err:
        inv.reserve({"apple": 2, "pear": 6})
    assert (err.value.sku, err.value.wanted, err.value.available) == ("pear", 6, 5)
    assert "pear: wanted 6, only 5 available" in str(err.value)
    assert inv.available("apple") == 10
    assert inv.reserve({"pear": 5}) == 1


def test_reserve_validation(inv):
    with pytest.raises(ValueError):
        inv.reserve({})
    with pytest.raises(ValueError):
        inv.reserve({"apple": 0})
    with pytest.raises(OutOfStock):
        inv.reserve({"kiwi": 1})


def test_release_returns_stock(inv):
    rid = inv.reserve({"apple": 4})
    inv.release(rid)
    assert inv.available("apple") == 10
    assert inv.on_hand("apple") == 10
    with pytest.raises(InventoryError, match="no open reservation 1"):
        inv.release(rid)


def test_commit_ships_stock(inv):
    rid = inv.reserve({"apple": 4, "pear": 1})
    other = inv.reserve({"apple": 2})
    inv.commit(rid)
    assert inv.on_hand("apple") == 6
    assert inv.available("apple") == 4
    assert inv.on_hand("pear") == 4
    with pytest.raises(InventoryError):
        inv.commit(rid)
    inv.release(other)
    assert inv.available("apple") == 6


def test_adjust(inv):
    inv.adjust("apple", -3, "broken")
    assert inv.on_hand("apple") == 7
    inv.reserve({"apple": 5})
    with pytest.raises(InventoryError, match="below reserved"):
        inv.adjust("apple", -3, "stocktake")
    inv.adjust("apple", -2, "stocktake")
    assert inv.available("apple") == 0
    with pytest.raises(ValueError):
        inv.adjust("apple", 1, "")


def test_reorder_alerts(inv):
    inv.set_reorder_level("apple", 5)
    inv.set_reorder_level("pear", 5)
    inv.set_reorder_level("kiwi", 0)
    assert inv.needs_reorder() == ["kiwi", "pear"]
    inv.reserve({"apple": 5})
    assert inv.needs_reorder() == ["apple", "kiwi", "pear"]
    inv.receive("pear", 1)
    assert inv.needs_reorder() == ["apple", "kiwi"]
    with pytest.raises(ValueError):
        inv.set_reorder_level("apple", -1)
    inv.set_reorder_level("apple", 0)


def test_audit_log(inv):
    rid = inv.reserve({"apple": 1})
    inv.commit(rid)
    rid2 = inv.reserve({"pear": 2})
    inv.release(rid2)
    inv.adjust("pear", 1, "found")
    assert inv.log == [
        ("receive", "apple", 10),
        ("receive", "pear", 5),
        ("reserve", 1, {"apple": 1}),
        ("commit", 1),
        ("reserve", 2, {"pear": 2}),
        ("release", 2),
        ("adjust", "pear", 1, "found"),
    ]
