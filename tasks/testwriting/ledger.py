"""A bank-account ledger: accounts in integer cents, deposits, withdrawals with an optional
overdraft limit, transfers between accounts, and a statement of every entry."""


class LedgerError(Exception):
    pass


class InsufficientFunds(LedgerError):
    pass


class Account:
    def __init__(self, number, owner, overdraft_limit=0):
        if overdraft_limit < 0:
            raise ValueError("overdraft limit cannot be negative")
        self.number = number
        self.owner = owner
        self.overdraft_limit = overdraft_limit
        self.entries = []  # (kind, amount in cents, balance after, memo)
        self.frozen = False

    @property
    def balance(self):
        if not self.entries:
            return 0
        return self.entries[-1][2]

    def available(self):
        """What can still be withdrawn, overdraft included."""
        return self.balance + self.overdraft_limit


def _check_amount(amount):
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise TypeError("amounts are integer cents")
    if amount <= 0:
        raise ValueError("amount must be positive")


class Ledger:
    def __init__(self):
        self._accounts = {}

    def open(self, number, owner, overdraft_limit=0):
        if number in self._accounts:
            raise LedgerError(f"account {number} exists")
        account = Account(number, owner, overdraft_limit)
        self._accounts[number] = account
        return account

    def account(self, number):
        try:
            return self._accounts[number]
        except KeyError:
            raise LedgerError(f"no account {number}") from None

    def _post(self, account, kind, amount, memo):
        if account.frozen:
            raise LedgerError(f"account {account.number} is frozen")
        account.entries.append((kind, amount, account.balance + amount, memo))

    def deposit(self, number, amount, memo=""):
        _check_amount(amount)
        account = self.account(number)
        self._post(account, "deposit", amount, memo)
        return account.balance

    def withdraw(self, number, amount, memo=""):
        _check_amount(amount)
        account = self.account(number)
        if amount > account.available():
            raise InsufficientFunds(f"account {number} cannot cover {amount}")
        self._post(account, "withdrawal", -amount, memo)
        return account.balance

    def transfer(self, source, target, amount, memo=""):
        """Move `amount` from `source` to `target`; all or nothing."""
        if source == target:
            raise LedgerError("cannot transfer to the same account")
        _check_amount(amount)
        src, dst = self.account(source), self.account(target)
        if dst.frozen:
            raise LedgerError(f"account {target} is frozen")
        self.withdraw(source, amount, memo or f"to {target}")
        self._post(dst, "deposit", amount, memo or f"from {source}")

    def freeze(self, number):
        self.account(number).frozen = True

    def statement(self, number):
        """Lines `kind amount balance memo`, amounts as signed decimal currency units."""
        lines = []
        for kind, amount, balance, memo in self.account(number).entries:
            lines.append(f"{kind:<10} {format_cents(amount):>10} {format_cents(balance):>10} {memo}".rstrip())
        return lines

    def total_deposits(self):
        return sum(a.balance for a in self._accounts.values())


def format_cents(cents):
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{whole}.{frac:02d}"
