import pytest

from ledger import InsufficientFunds, Ledger, LedgerError, format_cents


@pytest.fixture
def ledger():
    lg = Ledger()
    lg.open("A", "alice")
    lg.open("B", "bob", overdraft_limit=500)
    return lg


def test_open_and_lookup(ledger):
    acct = ledger.account("A")
    assert acct.owner == "alice" and acct.number == "A"
    assert acct.balance == 0
    assert acct.frozen is False
    with pytest.raises(LedgerError):
        ledger.open("A", "again")
    with pytest.raises(LedgerError, match="no account Z"):
        ledger.account("Z")
    with pytest.raises(ValueError):
        ledger.open("C", "carol", overdraft_limit=-1)
    assert ledger.open("D", "dave", overdraft_limit=0).overdraft_limit == 0


def test_deposit_and_withdraw(ledger):
    assert ledger.deposit("A", 1000) == 1000
    assert ledger.withdraw("A", 300) == 700
    assert ledger.account("A").balance == 700
    assert ledger.withdraw("A", 700) == 0


def test_amount_validation(ledger):
    for bad in (0, -5):
        with pytest.raises(ValueError):
            ledger.deposit("A", bad)
    for bad in (1.5, "10", True):
        with pytest.raises(TypeError):
            ledger.deposit("A", bad)
    assert ledger.deposit("A", 1) == 1


def test_no_overdraft_by_default(ledger):
    ledger.deposit("A", 100)
    with pytest.raises(InsufficientFunds):
        ledger.withdraw("A", 101)
    assert ledger.account("A").balance == 100


def test_overdraft_limit(ledger):
    ledger.deposit("B", 100)
    assert ledger.account("B").available() == 600
    assert ledger.withdraw("B", 600) == -500
    with pytest.raises(InsufficientFunds):
        ledger.withdraw("B", 1)


def test_transfer(ledger):
    ledger.deposit("A", 1000)
    ledger.transfer("A", "B", 400)
    assert ledger.account("A").balance == 600
    assert ledger.account("B").balance == 400
    assert ledger.account("A").entries[-1][3] == "to B"
    assert ledger.account("B").entries[-1] == ("deposit", 400, 400, "from A")


def test_transfer_memo(ledger):
    ledger.deposit("A", 1000)
    ledger.transfer("A", "B", 10, memo="rent")
    assert ledger.account("A").entries[-1][3] == "rent"
    assert ledger.account("B").entries[-1][3] == "rent"


def test_transfer_is_all_or_nothing(ledger):
    ledger.deposit("A", 100)
    with pytest.raises(InsufficientFunds):
        ledger.transfer("A", "B", 200)
    assert ledger.account("A").balance == 100
    assert ledger.account("B").balance == 0
    ledger.freeze("B")
    with pytest.raises(LedgerError, match="frozen"):
        ledger.transfer("A", "B", 50)
    assert ledger.account("A").balance == 100
    with pytest.raises(LedgerError):
        ledger.transfer("A", "A", 50)
    with pytest.raises(ValueError):
        ledger.transfer("A", "B", 0)
    with pytest.raises(LedgerError):
        ledger.transfer("A", "nobody", 10)


def test_frozen_account_rejects_postings(ledger):
    ledger.deposit("A", 100)
    ledger.freeze("A")
    with pytest.raises(LedgerError):
        ledger.deposit("A", 1)
    with pytest.raises(LedgerError):
        ledger.withdraw("A", 1)
    assert ledger.account("A").balance == 100


def test_statement(ledger):
    ledger.deposit("A", 12345, "salary")
    ledger.withdraw("A", 45)
    assert ledger.statement("A") == [
        "deposit        123.45     123.45 salary",
        "withdrawal      -0.45     123.00",
    ]
    assert ledger.statement("B") == []


def test_total_deposits(ledger):
    ledger.deposit("A", 300)
    ledger.deposit("B", 200)
    ledger.withdraw("B", 50)
    assert ledger.total_deposits() == 450


@pytest.mark.parametrize("cents,text", [(0, "0.00"), (5, "0.05"), (100, "1.00"), (-250, "-2.50"), (123456, "1234.56")])
def test_format_cents(cents, text):
    assert format_cents(cents) == text
