"""NCRONTAB schedules as timer triggers use them: six fields, `{second} {minute} {hour} {day} {month} {dow}`.

Each field takes `*`, numbers, ranges `a-b`, steps `*/n` and `a-b/n`, and lists `a,b`; months and days of the
week also take three-letter names (JAN, MON), and Sunday is 0 (7 too). As in the NCrontab library the
Functions host uses, a time matches when every field matches (day and day of week are not OR-ed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

_MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
_DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
# (lowest, highest, names numbered from `lowest`) per field
_FIELDS: tuple[tuple[int, int, list[str]], ...] = (
    (0, 59, []), (0, 59, []), (0, 23, []), (1, 31, []), (1, 12, _MONTHS), (0, 7, _DAYS))


class CronError(ValueError):
    pass


@dataclass(frozen=True)
class Schedule:
    seconds: frozenset[int]
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday

    @classmethod
    def parse(cls, text: str) -> Schedule:
        parts = text.split()
        if len(parts) != 6:
            raise CronError(f"a timer schedule needs six fields (second to day of week), got {text!r}")
        sets = [_parse_field(part, *spec) for part, spec in zip(parts, _FIELDS, strict=True)]
        weekdays = frozenset(d % 7 for d in sets[5])  # 7 is Sunday too
        return cls(sets[0], sets[1], sets[2], sets[3], sets[4], weekdays)

    def matches(self, moment: datetime) -> bool:
        return (moment.second in self.seconds and moment.minute in self.minutes and moment.hour in self.hours
                and self._day_matches(moment))

    def next_after(self, moment: datetime) -> datetime:
        """The first matching whole second strictly after `moment` (same time zone as `moment`)."""
        candidate = moment.replace(microsecond=0) + timedelta(seconds=1)
        limit = candidate + timedelta(days=366 * 5)  # e.g. 30 FEB never matches
        while candidate < limit:
            if not self._day_matches(candidate):  # skip whole days, hours, minutes where possible
                candidate = candidate.replace(hour=0, minute=0, second=0) + timedelta(days=1)
            elif candidate.hour not in self.hours:
                candidate = candidate.replace(minute=0, second=0) + timedelta(hours=1)
            elif candidate.minute not in self.minutes:
                candidate = candidate.replace(second=0) + timedelta(minutes=1)
            elif candidate.second not in self.seconds:
                candidate += timedelta(seconds=1)
            else:
                return candidate
        raise CronError("the schedule never matches")

    def _day_matches(self, moment: datetime) -> bool:
        weekday = (moment.weekday() + 1) % 7  # Python's Monday=0 to cron's Sunday=0
        return moment.month in self.months and moment.day in self.days and weekday in self.weekdays


def _parse_field(text: str, low: int, high: int, names: list[str]) -> frozenset[int]:
    values: set[int] = set()
    for item in text.split(","):
        span, _, step_text = item.partition("/")
        step = _number(step_text, names, low) if step_text else 1
        if span == "*":
            first, last = low, high
        elif "-" in span:
            first, last = (_number(p, names, low) for p in span.split("-", 1))
        else:
            first = _number(span, names, low)
            last = high if step_text else first  # `5/15` means from 5 on, every 15
        if step < 1 or not low <= first <= last <= high:
            raise CronError(f"{item!r} is out of range {low}-{high}")
        values.update(range(first, last + 1, step))
    return frozenset(values)


def _number(text: str, names: list[str], low: int) -> int:
    upper = text.strip().upper()
    if upper in names:
        return names.index(upper) + low
    if not upper.isdigit():
        raise CronError(f"{text!r} is not a number")
    return int(upper)
