"""A shopping cart priced in integer cents: line items, quantity limits, percentage and
fixed-amount coupons with minimum spends, buy-X-get-Y offers, tax, and a free-shipping
threshold."""

FREE_SHIPPING_OVER = 5000
SHIPPING_FEE = 499
MAX_QUANTITY = 99


class CartError(ValueError):
    pass


class Cart:
    def __init__(self, tax_rate=0.0):
        if not 0 <= tax_rate < 1:
            raise CartError("tax rate must be in [0, 1)")
        self.tax_rate = tax_rate
        self.items = {}  # sku -> [unit price, quantity]
        self.coupon = None
        self.offers = {}  # sku -> (buy, free)

    def add(self, sku, unit_price, quantity=1):
        if unit_price < 0:
            raise CartError("price cannot be negative")
        if quantity < 1:
            raise CartError("quantity must be at least 1")
        line = self.items.setdefault(sku, [unit_price, 0])
        if line[1] + quantity > MAX_QUANTITY:
            raise CartError(f"at most {MAX_QUANTITY} of {sku}")
        line[0] = unit_price
        line[1] += quantity

    def remove(self, sku, quantity=None):
        """Remove `quantity` units (all of them by default)."""
        if sku not in self.items:
            raise CartError(f"{sku} not in cart")
        line = self.items[sku]
        if quantity is None or quantity >= line[1]:
            del self.items[sku]
        else:
            line[1] -= quantity

    def add_offer(self, sku, buy, free):
        """Buy `buy` units, get `free` more free, repeatedly (3-for-2 is buy=2, free=1)."""
        if buy < 1 or free < 1:
            raise CartError("offer needs buy >= 1 and free >= 1")
        self.offers[sku] = (buy, free)

    def apply_coupon(self, kind, value, min_spend=0):
        if kind not in ("percent", "fixed"):
            raise CartError(f"unknown coupon kind {kind!r}")
        if kind == "percent" and not 0 < value <= 100:
            raise CartError("percent must be in (0, 100]")
        self.coupon = (kind, value, min_spend)

    def subtotal(self):
        return sum(price * qty for price, qty in self.items.values())

    def offer_discount(self):
        total = 0
        for sku, (buy, free) in self.offers.items():
            if sku in self.items:
                price, qty = self.items[sku]
                total += (qty // (buy + free)) * free * price
        return total

    def coupon_discount(self):
        if self.coupon is None:
            return 0
        kind, value, min_spend = self.coupon
        base = self.subtotal() - self.offer_discount()
        if base < min_spend:
            return 0
        if kind == "percent":
            return round(base * value / 100)
        return min(value, base)

    def shipping(self):
        if not self.items:
            return 0
        discounted = self.subtotal() - self.offer_discount() - self.coupon_discount()
        return 0 if discounted >= FREE_SHIPPING_OVER else SHIPPING_FEE

    def total(self):
        """Discounted goods plus tax on them, plus shipping (untaxed)."""
        goods = self.subtotal() - self.offer_discount() - self.coupon_discount()
        return goods + round(goods * self.tax_rate) + self.shipping()

    def count(self):
        return sum(qty for _, qty in self.items.values())
