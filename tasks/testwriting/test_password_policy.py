import math

import pytest

from password_policy import Policy, entropy_bits, has_sequence, longest_run, strength


def test_policy_validation():
    with pytest.raises(ValueError):
        Policy(min_length=0)
    with pytest.raises(ValueError):
        Policy(min_length=10, max_length=9)
    Policy(min_length=1, max_length=1)


def test_good_password():
    p = Policy()
    assert p.violations("Tr0ub4dor&Horse") == []
    assert p.is_valid("Tr0ub4dor&Horse") is True


def test_length_limits():
    p = Policy(min_length=8, max_length=10)
    assert p.violations("Ab1xyzw") == ["shorter than 8 characters"]
    assert p.violations("Ab1xyzwq") == []
    assert p.violations("Ab1xyzwqrt") == []
    assert p.violations("Ab1xyzwqrtp") == ["longer than 10 characters"]


def test_character_classes_in_order():
    p = Policy(require_symbol=True)
    assert p.violations(" \t" * 4) == ["no upper-case letter", "no lower-case letter", "no digit", "no symbol"]
    assert p.violations("Pass9word!") == []
    assert Policy(require_upper=False, require_lower=False, require_digit=False).violations(" \t" * 4) == []
    assert p.is_valid("pass9word!") is False


def test_repeats():
    p = Policy(max_repeat=2)
    assert p.violations("Paas9wxyq") == []
    assert p.violations("Paaas9wxq") == ["a character repeated more than 2 times in a row"]


def test_sequences():
    p = Policy()
    assert p.violations("Xabcd9wq") == ["a sequence of 4 or more characters"]
    assert p.violations("Xabc9wqz") == []
    assert p.violations("Xq4321wz") == ["a sequence of 4 or more characters"]


def test_forbidden_words_and_username():
    p = Policy(forbidden=["Secret", "admin"])
    assert p.violations("MySECRET9x") == ["contains the forbidden word 'secret'"]
    assert p.violations("Bob9xwqzBob", username="bob") == ["contains the user name"]
    assert p.violations("Bo9xwqzBo", username="bo") == []
    assert p.violations("Zz9xwqzyq", username=None) == []
    assert p.violations("Adm1nAdmin9", username="") == ["contains the forbidden word 'admin'"]


def test_longest_run():
    assert longest_run("") == 0
    assert longest_run("a") == 1
    assert longest_run("aabbbc") == 3
    assert longest_run("abab") == 1
    assert longest_run("xyzzzz") == 4


def test_has_sequence():
    assert has_sequence("xxQWERxx", 4) is True
    assert has_sequence("lkjh", 4) is True
    assert has_sequence("abc", 4) is False
    assert has_sequence("abc", 3) is True
    assert has_sequence("z", 1) is True
    assert has_sequence("mnbv", 4) is True
    assert has_sequence("wxyz", 4) is True


def test_entropy_bits():
    assert entropy_bits("") == 0.0
    assert entropy_bits("abcd") == round(4 * math.log2(26), 1)
    assert entropy_bits("aB") == round(2 * math.log2(52), 1)
    assert entropy_bits("a1") == round(2 * math.log2(36), 1)
    assert entropy_bits("a!") == round(2 * math.log2(58), 1)
    assert entropy_bits("é") == round(math.log2(126), 1)
    assert entropy_bits("a b") == round(3 * math.log2(126), 1)
    assert entropy_bits("7") == round(math.log2(10), 1)
    assert entropy_bits("A") == round(math.log2(26), 1)


@pytest.mark.parametrize(
    "password,label",
    [("abc", "very weak"), ("abcde", "very weak"), ("abcdef", "weak"), ("abcdefg", "weak"), ("abcdefgh", "reasonable"),
     ("abcdefghijkl", "reasonable"), ("abcdefghijklm", "strong"), ("Abcdefgh1!Abcdefgh1!", "very strong")],
)
def test_strength(password, label):
    assert strength(password) == label


@pytest.mark.parametrize(
    "bits,label",
    [(27.9, "very weak"), (28, "weak"), (35.9, "weak"), (36, "reasonable"), (59.9, "reasonable"), (60, "strong"),
     (127.9, "strong"), (128, "very strong"), (128.5, "very strong")],
)
def test_strength_boundaries(monkeypatch, bits, label):
    import password_policy

    monkeypatch.setattr(password_policy, "entropy_bits", lambda password: bits)
    assert strength("anything") == label
