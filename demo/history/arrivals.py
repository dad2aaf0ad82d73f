"""When tickets arrive: a year of hours weighted by season, weekday and hour of the day.

The shape is made up but follows what a district hotline sees: more in the hot, rainy summer
(noise, water, power), fewer at weekends and on public holidays, day-time peaks after 9:00 and
14:00 and a quiet night. Counts per hour are drawn once (bounded memory: one int per hour); the
moments inside each hour are drawn as they are consumed, in order.
"""

from __future__ import annotations

import bisect
import math
import random
from collections.abc import Iterator
from datetime import datetime, timedelta, tzinfo
from itertools import accumulate

from org.calendar import WorkingCalendar, day_is_public_holiday

# Relative load per local hour 0..23.
HOUR_SHAPE = (0.18, 0.12, 0.08, 0.06, 0.06, 0.09, 0.2, 0.45, 0.95, 1.55, 1.7, 1.55, 1.0, 0.9,
              1.35, 1.6, 1.55, 1.35, 1.0, 0.85, 0.9, 0.85, 0.6, 0.35)
WEEKDAY_SHAPE = (1.15, 1.05, 1.0, 1.0, 0.98, 0.72, 0.62)  # Monday first
HOLIDAY_FACTOR = 0.6
SEASON_AMPLITUDE = 0.3  # ±30 % around the mean, peak in mid-July


def _season(moment: datetime) -> float:
    day_of_year = moment.timetuple().tm_yday
    return 1 + SEASON_AMPLITUDE * math.sin(2 * math.pi * (day_of_year - 105) / 365)


def arrival_moments(*, rng: random.Random, count: int, start: datetime, stop: datetime,
                    calendar: WorkingCalendar, tz: tzinfo) -> Iterator[datetime]:
    """``count`` moments in [start, stop) in ascending order (``start`` on a local hour of
    ``tz``, the district's time zone, whose hours and days shape the load)."""
    hours = max(1, math.ceil((stop - start).total_seconds() / 3600))
    weights = []
    for h in range(hours):
        begin = start + timedelta(hours=h)
        local = begin.astimezone(tz)
        span = min(3600.0, (stop - begin).total_seconds()) / 3600
        factor = HOLIDAY_FACTOR if day_is_public_holiday(local.date(), calendar.overrides) \
            else WEEKDAY_SHAPE[local.weekday()]
        weights.append(_season(local) * factor * HOUR_SHAPE[local.hour] * span)
    cumulative = list(accumulate(weights))
    total = cumulative[-1]
    counts = [0] * hours
    for _ in range(count):
        counts[min(hours - 1, bisect.bisect_right(cumulative, rng.random() * total))] += 1
    for h, n in enumerate(counts):
        if not n:
            continue
        begin = start + timedelta(hours=h)
        span = min(3600.0, (stop - begin).total_seconds())
        # Whole microseconds: what the database keeps, so the trail's hashes survive it.
        for offset in sorted(rng.randrange(int(span * 1_000_000)) for _ in range(n)):
            yield begin + timedelta(microseconds=offset)
