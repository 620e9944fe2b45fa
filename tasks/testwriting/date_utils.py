"""Calendar arithmetic on `datetime.date`: month lengths, adding months, business days, ages,
quarters and ISO-like week numbers."""

import datetime

MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def is_leap_year(year):
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def days_in_month(year, month):
    if not 1 <= month <= 12:
        raise ValueError(f"month out of range: {month}")
    if month == 2 and is_leap_year(year):
        return 29
    return MONTH_DAYS[month - 1]


def add_months(day, months):
    """Move `day` by `months` calendar months, clamping to the end of a shorter month
    (Jan 31 + 1 month = Feb 28 or 29)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, days_in_month(year, month)))


def is_business_day(day, holidays=()):
    return day.weekday() < 5 and day not in holidays


def add_business_days(day, n, holidays=()):
    """The date `n` business days after `day` (before it if `n` is negative). Weekends and
    `holidays` are skipped; `day` itself need not be a business day."""
    step = 1 if n >= 0 else -1
    remaining = abs(n)
    current = day
    while remaining > 0:
        current += datetime.timedelta(days=step)
        if is_business_day(current, holidays):
            remaining -= 1
    return current


def business_days_between(start, end, holidays=()):
    """Business days in the half-open range [start, end); negative if end is before start."""
    if end < start:
        return -business_days_between(end, start, holidays)
    count = 0
    current = start
    while current < end:
        if is_business_day(current, holidays):
            count += 1
        current += datetime.timedelta(days=1)
    return count


def age(born, on):
    """Whole years from `born` to `on`; someone born on Feb 29 turns a year older on Mar 1
    in common years."""
    if on < born:
        raise ValueError("date is before birth")
    years = on.year - born.year
    if (on.month, on.day) < (born.month, born.day):
        years -= 1
    return years


def quarter(day):
    return (day.month - 1) // 3 + 1


def quarter_bounds(day):
    """First and last date of the quarter containing `day`."""
    q = quarter(day)
    first_month = 3 * (q - 1) + 1
    last_month = first_month + 2
    return (datetime.date(day.year, first_month, 1),
            datetime.date(day.year, last_month, days_in_month(day.year, last_month)))


def day_of_year(day):
    return sum(days_in_month(day.year, m) for m in range(1, day.month)) + day.day


def parse_iso_date(text):
    """Parse `YYYY-MM-DD` strictly (no other separators, no missing zeros)."""
    parts = text.split("-")
    if len(parts) != 3 or [len(p) for p in parts] != [4, 2, 2] or not all(p.isdigit() for p in parts):
        raise ValueError(f"not an ISO date: {text!r}")
    year, month, dom = (int(p) for p in parts)
    if dom < 1 or dom > days_in_month(year, month):
        raise ValueError(f"day out of range: {text!r}")
    return datetime.date(year, month, dom)
