"""Cron schedules: parse the five fields of a cron expression (minute hour day-of-month month
day-of-week) with lists, ranges, steps, names and `*`, test whether a time matches, and find
the next matching minute."""

import datetime

FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day", 1, 31), ("month", 1, 12), ("weekday", 0, 6))
MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
WEEKDAYS = {d: i for i, d in enumerate("sun mon tue wed thu fri sat".split())}


class CronError(ValueError):
    pass


def _number(text, names, low, high, field):
    value = names.get(text.lower()) if names else None
    if value is None:
        if not text.isdigit():
            raise CronError(f"{field}: {text!r} is not a number")
        value = int(text)
    if field == "weekday" and value == 7:
        value = 0  # both 0 and 7 mean Sunday
    if not low <= value <= high:
        raise CronError(f"{field}: {value} outside {low}-{high}")
    return value


def parse_field(text, field):
    """The set of values a field allows."""
    _, low, high = next(f for f in FIELDS if f[0] == field)
    names = MONTHS if field == "month" else WEEKDAYS if field == "weekday" else None
    top = 7 if field == "weekday" else high
    values = set()
    for part in text.split(","):
        if not part:
            raise CronError(f"{field}: empty list item")
        base, _, step_text = part.partition("/")
        step = 1
        if step_text:
            if not step_text.isdigit() or int(step_text) == 0:
                raise CronError(f"{field}: bad step {step_text!r}")
            step = int(step_text)
        if base == "*":
            start, end = low, high
        elif "-" in base:
            a, b = base.split("-", 1)
            start = _number(a, names, low, top, field)
            end = _number(b, names, low, top, field) if not (field == "weekday" and b == "7") else 7
            if end < start:
                raise CronError(f"{field}: range {base!r} runs backwards")
        else:
            start = _number(base, names, low, top, field)
            end = high if step_text else start
        values.update(v % 7 if field == "weekday" else v for v in range(start, end + 1, step))
    return values


class Schedule:
    def __init__(self, expression):
        parts = expression.split()
        if len(parts) != 5:
            raise CronError("a cron expression has five fields")
        self.fields = {name: parse_field(text, name) for (name, _, _), text in zip(FIELDS, parts)}
        # As in cron: when both day fields are restricted, either may match.
        self.day_restricted = parts[2] != "*"
        self.weekday_restricted = parts[4] != "*"

    def _day_matches(self, when):
        f = self.fields
        if when.month not in f["month"]:
            return False
        day_ok = when.day in f["day"]
        weekday_ok = (when.weekday() + 1) % 7 in f["weekday"]
        if self.day_restricted and self.weekday_restricted:
            return day_ok or weekday_ok
        return day_ok and weekday_ok

    def matches(self, when):
        f = self.fields
        return when.minute in f["minute"] and when.hour in f["hour"] and self._day_matches(when)

    def next_after(self, when, limit_days=366 * 4):
        """The first matching minute strictly after `when`, searched up to `limit_days` ahead
        (inclusive). Days and hours that cannot match are skipped whole."""
        t = when.replace(second=0, microsecond=0) + datetime.timedelta(minutes=1)
        end = when + datetime.timedelta(days=limit_days)
        while t <= end:
            if not self._day_matches(t):
                t = t.replace(hour=0, minute=0) + datetime.timedelta(days=1)
            elif t.hour not in self.fields["hour"]:
                t = t.replace(minute=0) + datetime.timedelta(hours=1)
            elif t.minute not in self.fields["minute"]:
                t += datetime.timedelta(minutes=1)
            else:
                return t
        raise CronError("no matching time within the search limit")
