import pytest

import field_validators as fv


@pytest.mark.parametrize("address", ["a@b.co", "first.last@example.org", "x+tag@sub.example.com", "o'neil@ex-ample.io",
                                     "a@b-c.de", "user@a1.example"])
def test_valid_emails(address):
    assert fv.check_email(address) is None


@pytest.mark.parametrize(
    "address,message",
    [("ab.co", "must contain exactly one @"), ("a@b@c.co", "must contain exactly one @"),
     ("@b.co", "local part must be 1 to 64 characters"), ("a" * 65 + "@b.co", "local part must be 1 to 64 characters"),
     ("a..b@c.co", "invalid local part"), (".a@c.co", "invalid local part"), ("a b@c.co", "invalid local part"),
     ("a@localhost", "domain needs a dot"), ("a@-b.co", "invalid domain"), ("a@b-.co", "invalid domain"),
     ("a@b..co", "invalid domain"), ("a@b.123", "top-level domain cannot be numeric")],
)
def test_invalid_emails(address, message):
    assert fv.check_email(address) == message


def test_local_part_length_limit():
    assert fv.check_email("a" * 64 + "@b.co") is None


def test_normalize_email():
    assert fv.normalize_email("  Bob@Example.COM ") == "Bob@example.com"
    with pytest.raises(ValueError, match="needs a dot"):
        fv.normalize_email("bob@example")


def test_parse_ipv4():
    assert fv.parse_ipv4("0.0.0.0") == 0
    assert fv.parse_ipv4("255.255.255.255") == 2**32 - 1
    assert fv.parse_ipv4("10.0.0.1") == 10 * 2**24 + 1
    assert fv.parse_ipv4("192.168.1.10") == (192 << 24) | (168 << 16) | (1 << 8) | 10
    for bad in ("1.2.3", "1.2.3.4.5", "256.0.0.1", "01.2.3.4", "a.b.c.d", "1.2.3.-4", "", "1..2.3"):
        with pytest.raises(ValueError):
            fv.parse_ipv4(bad)


def test_in_cidr():
    assert fv.in_cidr("10.1.2.3", "10.0.0.0/8") is True
    assert fv.in_cidr("11.1.2.3", "10.0.0.0/8") is False
    assert fv.in_cidr("192.168.1.255", "192.168.1.0/24") is True
    assert fv.in_cidr("192.168.2.0", "192.168.1.0/24") is False
    assert fv.in_cidr("1.2.3.4", "0.0.0.0/0") is True
    assert fv.in_cidr("1.2.3.4", "1.2.3.4/32") is True
    assert fv.in_cidr("1.2.3.5", "1.2.3.4/32") is False
    assert fv.in_cidr("1.2.3.5", "1.2.3.4/31") is True
    for bad in ("10.0.0.0", "10.0.0.0/33", "10.0.0.0/x"):
        with pytest.raises(ValueError, match="bad prefix length"):
            fv.in_cidr("10.0.0.1", bad)


@pytest.mark.parametrize("text,color", [("#abc", "#aabbcc"), ("ABC", "#aabbcc"), ("#A0b1C2", "#a0b1c2"), (" #fff ", "#ffffff"),
                                        ("123456", "#123456")])
def test_hex_colors(text, color):
    assert fv.normalize_hex_color(text) == color


@pytest.mark.parametrize("text", ["#abcd", "#ggg", "", "#", "#12345"])
def test_bad_hex_colors(text):
    with pytest.raises(ValueError):
        fv.normalize_hex_color(text)


@pytest.mark.parametrize(
    "text,phone",
    [("+44 20 7946 0958", "+442079460958"), ("(555) 123-4567", "+15551234567"), ("555.123.4567", "+15551234567"),
     ("0555 123 4567", "+15551234567"), ("+1-555-123-4567", "+15551234567")],
)
def test_phones(text, phone):
    assert fv.normalize_phone(text) == phone


def test_phone_default_country_and_errors():
    assert fv.normalize_phone("030 1234567", default_country="49") == "+49301234567"
    for bad in ("12345", "+1234567", "+1234567890123456", "555-CALL-NOW", "+"):
        with pytest.raises(ValueError):
            fv.normalize_phone(bad)
    assert fv.normalize_phone("+12345678") == "+12345678"
    assert fv.normalize_phone("+123456789012345") == "+123456789012345"


def test_isbn13():
    assert fv.isbn13_check_digit("978030640615") == 7
    assert fv.isbn13_check_digit("978186197271") == 2
    assert fv.isbn13_check_digit("978000000004") == 0
    assert fv.check_isbn13("978-0-306-40615-7") is None
    assert fv.check_isbn13("9780306406157") is None
    assert fv.check_isbn13("9780306406158") == "wrong check digit"
    assert fv.check_isbn13("978030640615") == "an ISBN-13 has 13 digits"
    assert fv.check_isbn13("978030640615X") == "an ISBN-13 has 13 digits"
    for bad in ("97803064061", "97803064061x"):
        with pytest.raises(ValueError):
            fv.isbn13_check_digit(bad)
