"""Warehouse inventory: stock levels per SKU, reservations that hold stock for an order until
they are committed or released, reorder alerts, and an audit log."""


class InventoryError(Exception):
    pass


class OutOfStock(InventoryError):
    def __init__(self, sku, wanted, available):
        super().__init__(f"{sku}: wanted {wanted}, only {available} available")
        self.sku = sku
        self.wanted = wanted
        self.available = available


class Inventory:
    def __init__(self):
        self._on_hand = {}
        self._reserved = {}  # sku -> units held by open reservations
        self._reservations = {}  # reservation id -> {sku: qty}
        self._reorder_levels = {}
        self._next_id = 1
        self.log = []

    def _qty(self, qty):
        if not isinstance(qty, int) or qty <= 0:
            raise ValueError("quantity must be a positive int")

    def receive(self, sku, qty):
        self._qty(qty)
        self._on_hand[sku] = self._on_hand.get(sku, 0) + qty
        self.log.append(("receive", sku, qty))

    def on_hand(self, sku):
        return self._on_hand.get(sku, 0)

    def available(self, sku):
        """Units on hand that no reservation holds."""
        return self.on_hand(sku) - self._reserved.get(sku, 0)

    def reserve(self, items):
        """Hold stock for `items` ({sku: qty}); all or nothing. Returns a reservation id."""
        if not items:
            raise ValueError("nothing to reserve")
        for sku, qty in items.items():
            self._qty(qty)
            if qty > self.available(sku):
                raise OutOfStock(sku, qty, self.available(sku))
        rid = self._next_id
        self._next_id += 1
        for sku, qty in items.items():
            self._reserved[sku] = self._reserved.get(sku, 0) + qty
        self._reservations[rid] = dict(items)
        self.log.append(("reserve", rid, dict(items)))
        return rid

    def _take(self, rid):
        try:
            return self._reservations.pop(rid)
        except KeyError:
            raise InventoryError(f"no open reservation {rid}") from None

    def release(self, rid):
        """Give the held stock back."""
        for sku, qty in self._take(rid).items():
            self._reserved[sku] -= qty
        self.log.append(("release", rid))

    def commit(self, rid):
        """Ship the held stock: it leaves the warehouse."""
        for sku, qty in self._take(rid).items():
            self._reserved[sku] -= qty
            self._on_hand[sku] -= qty
        self.log.append(("commit", rid))

    def adjust(self, sku, delta, reason):
        """Correct the count (breakage, stocktake); cannot go below what is reserved."""
        if not reason:
            raise ValueError("an adjustment needs a reason")
        new = self.on_hand(sku) + delta
        if new < self._reserved.get(sku, 0):
            raise InventoryError(f"{sku}: adjustment would drop below reserved stock")
        self._on_hand[sku] = new
        self.log.append(("adjust", sku, delta, reason))

    def set_reorder_level(self, sku, level):
        if level < 0:
            raise ValueError("reorder level cannot be negative")
        self._reorder_levels[sku] = level

    def needs_reorder(self):
        """SKUs whose available stock is at or below their reorder level, sorted."""
        return sorted(s for s, level in self._reorder_levels.items() if self.available(s) <= level)
