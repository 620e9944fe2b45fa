import pytest

from shopping_cart import FREE_SHIPPING_OVER, MAX_QUANTITY, SHIPPING_FEE, Cart, CartError


def test_constants():
    assert (FREE_SHIPPING_OVER, SHIPPING_FEE, MAX_QUANTITY) == (5000, 499, 99)


def test_tax_rate_validation():
    for bad in (-0.1, 1, 1.5):
        with pytest.raises(CartError):
            Cart(bad)
    assert Cart(0).tax_rate == 0


def test_empty_cart():
    c = Cart()
    assert c.subtotal() == 0
    assert c.shipping() == 0
    assert c.total() == 0
    assert c.count() == 0


def test_add_and_subtotal():
    c = Cart()
    c.add("pen", 150, 2)
    c.add("book", 1200)
    c.add("pen", 175)
    assert c.items["pen"] == [175, 3]
    assert c.subtotal() == 175 * 3 + 1200
    assert c.count() == 4
    c.add("free-sticker", 0)
    assert c.count() == 5


def test_add_validation():
    c = Cart()
    with pytest.raises(CartError):
        c.add("x", -1)
    with pytest.raises(CartError):
        c.add("x", 100, 0)
    c.add("x", 100, 99)
    with pytest.raises(CartError, match="at most 99 of x"):
        c.add("x", 100, 1)
    assert c.count() == 99


def test_remove():
    c = Cart()
    c.add("a", 100, 5)
    c.remove("a", 2)
    assert c.items["a"] == [100, 3]
    c.remove("a", 3)
    assert "a" not in c.items
    c.add("b", 100, 2)
    c.remove("b")
    assert c.items == {}
    with pytest.raises(CartError):
        c.remove("zzz")


def test_shipping_threshold():
    c = Cart()
    c.add("a", 4999)
    assert c.shipping() == 499
    assert c.total() == 4999 + 499
    c.add("b", 1)
    assert c.shipping() == 0
    assert c.total() == 5000


def test_offers():
    c = Cart()
    c.add("soap", 300, 7)
    c.add_offer("soap", buy=2, free=1)
    assert c.offer_discount() == 2 * 300
    c.add_offer("ghost", 1, 1)
    assert c.offer_discount() == 600
    for buy, free in ((0, 1), (1, 0)):
        with pytest.raises(CartError):
            c.add_offer("soap", buy, free)


def test_percent_coupon():
    c = Cart()
    c.add("a", 1000, 3)
    c.apply_coupon("percent", 15)
    assert c.coupon_discount() == 450
    c.apply_coupon("percent", 100)
    assert c.coupon_discount() == 3000
    for bad in (0, 101):
        with pytest.raises(CartError):
            c.apply_coupon("percent", bad)
    with pytest.raises(CartError):
        c.apply_coupon("bogus", 5)


def test_percent_coupon_rounds():
    c = Cart()
    c.add("a", 333)
    c.apply_coupon("percent", 10)
    assert c.coupon_discount() == 33


def test_fixed_coupon_and_min_spend():
    c = Cart()
    c.add("a", 800)
    c.apply_coupon("fixed", 1000)
    assert c.coupon_discount() == 800
    c.apply_coupon("fixed", 300, min_spend=1000)
    assert c.coupon_discount() == 0
    c.add("b", 200)
    assert c.coupon_discount() == 300


def test_coupon_applies_after_offers():
    c = Cart()
    c.add("a", 1000, 2)
    c.add_offer("a", 1, 1)
    c.apply_coupon("percent", 50, min_spend=1500)
    assert c.coupon_discount() == 0
    c.apply_coupon("percent", 50, min_spend=1000)
    assert c.coupon_discount() == 500


def test_total_with_tax_discounts_and_shipping():
    c = Cart(tax_rate=0.2)
    c.add("a", 2000, 3)
    c.add_offer("a", 2, 1)
    c.apply_coupon("fixed", 500)
    goods = 6000 - 2000 - 500
    assert c.total() == goods + 700 + 499
    c.add("b", 1500)
    goods = 7500 - 2000 - 500
    assert c.total() == goods + 1000
