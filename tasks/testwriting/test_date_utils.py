import datetime as dt

import pytest

import date_utils as du

D = dt.date


@pytest.mark.parametrize("year,leap", [(2024, True), (2023, False), (1900, False), (2000, True), (2100, False)])
def test_is_leap_year(year, leap):
    assert du.is_leap_year(year) is leap


def test_days_in_month():
    assert du.days_in_month(2023, 1) == 31
    assert du.days_in_month(2023, 2) == 28
    assert du.days_in_month(2024, 2) == 29
    assert du.days_in_month(2024, 4) == 30
    assert du.days_in_month(2024, 12) == 31
    assert du.days_in_month(2024, 3) == 31
    for bad in (0, 13):
        with pytest.raises(ValueError):
            du.days_in_month(2024, bad)


def test_add_months():
    assert du.add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert du.add_months(D(2023, 1, 31), 1) == D(2023, 2, 28)
    assert du.add_months(D(2023, 11, 15), 2) == D(2024, 1, 15)
    assert du.add_months(D(2024, 1, 15), -1) == D(2023, 12, 15)
    assert du.add_months(D(2024, 5, 10), 0) == D(2024, 5, 10)
    assert du.add_months(D(2024, 3, 31), -1) == D(2024, 2, 29)
    assert du.add_months(D(2024, 12, 1), 12) == D(2025, 12, 1)


def test_is_business_day():
    assert du.is_business_day(D(2024, 6, 7))  # Friday
    assert not du.is_business_day(D(2024, 6, 8))  # Saturday
    assert not du.is_business_day(D(2024, 6, 9))  # Sunday
    assert not du.is_business_day(D(2024, 6, 7), holidays={D(2024, 6, 7)})


def test_add_business_days():
    fri = D(2024, 6, 7)
    assert du.add_business_days(fri, 1) == D(2024, 6, 10)
    assert du.add_business_days(fri, 0) == fri
    assert du.add_business_days(D(2024, 6, 10), -1) == fri
    assert du.add_business_days(fri, 5) == D(2024, 6, 14)
    assert du.add_business_days(fri, 1, holidays={D(2024, 6, 10)}) == D(2024, 6, 11)
    assert du.add_business_days(D(2024, 6, 8), 1) == D(2024, 6, 10)


def test_business_days_between():
    mon = D(2024, 6, 3)
    assert du.business_days_between(mon, D(2024, 6, 10)) == 5
    assert du.business_days_between(mon, mon) == 0
    assert du.business_days_between(mon, D(2024, 6, 4)) == 1
    assert du.business_days_between(D(2024, 6, 10), mon) == -5
    assert du.business_days_between(mon, D(2024, 6, 10), holidays={D(2024, 6, 5)}) == 4


def test_age():
    assert du.age(D(2000, 6, 15), D(2024, 6, 14)) == 23
    assert du.age(D(2000, 6, 15), D(2024, 6, 15)) == 24
    assert du.age(D(2000, 6, 15), D(2000, 6, 15)) == 0
    assert du.age(D(2000, 2, 29), D(2023, 2, 28)) == 22
    assert du.age(D(2000, 2, 29), D(2023, 3, 1)) == 23
    with pytest.raises(ValueError):
        du.age(D(2000, 1, 2), D(2000, 1, 1))


def test_quarter_and_bounds():
    assert [du.quarter(D(2024, m, 1)) for m in (1, 3, 4, 6, 7, 9, 10, 12)] == [1, 1, 2, 2, 3, 3, 4, 4]
    assert du.quarter_bounds(D(2024, 2, 10)) == (D(2024, 1, 1), D(2024, 3, 31))
    assert du.quarter_bounds(D(2024, 5, 10)) == (D(2024, 4, 1), D(2024, 6, 30))
    assert du.quarter_bounds(D(2023, 12, 31)) == (D(2023, 10, 1), D(2023, 12, 31))


def test_day_of_year():
    assert du.day_of_year(D(2024, 1, 1)) == 1
    assert du.day_of_year(D(2024, 3, 1)) == 61
    assert du.day_of_year(D(2023, 3, 1)) == 60
    assert du.day_of_year(D(2023, 12, 31)) == 365


def test_parse_iso_date():
    assert du.parse_iso_date("2024-02-29") == D(2024, 2, 29)
    assert du.parse_iso_date("2024-12-01") == D(2024, 12, 1)
    for bad in ["2023-02-29", "2024-2-01", "2024/02/01", "24-02-01", "2024-02-00", "abcd-01-01", "2024-01-01-01"]:
        with pytest.raises(ValueError):
            du.parse_iso_date(bad)
    for bad in ["2023-02-29", "2024-02-00", "2024-04-31"]:
        with pytest.raises(ValueError, match="day out of range"):
            du.parse_iso_date(bad)
