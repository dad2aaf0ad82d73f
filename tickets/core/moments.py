"""Times that channels and API callers send (ISO 8601), held to what the house can store and
compare: Python reads offsets up to ±23:59 and years 1 to 9999, PostgreSQL refuses offsets
beyond ±15:59 ("time zone displacement out of range"), and moving a time near year 1 or 9999 to
another zone overflows. So an offset beyond the world's own (UTC−12:00 to UTC+14:00) or a year
outside 1900–2999 is refused as bad input instead of failing in the database."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.dateparse import parse_datetime

EARLIEST_YEAR = 1900
LATEST_YEAR = 2999
LOWEST_OFFSET = timedelta(hours=-12)
HIGHEST_OFFSET = timedelta(hours=14)
FORMAT_HINT = "应为 ISO 8601 格式，如 2026-11-28T09:30:00+08:00"


class MomentRefused(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def moment_problem(value: datetime) -> str | None:
    """Why this time cannot be taken, in Chinese, or None."""
    offset = value.utcoffset()
    if offset is not None and not LOWEST_OFFSET <= offset <= HIGHEST_OFFSET:
        return "时区偏移超出范围（应在 -12:00 到 +14:00 之间）"
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        return f"年份超出范围（应在 {EARLIEST_YEAR} 到 {LATEST_YEAR} 之间）"
    return None


def moment_parse(value: str) -> datetime:
    """An aware datetime from ISO 8601 text; a time without an offset is read in the district's
    zone (TIME_ZONE). Raises MomentRefused with the reason."""
    try:
        parsed = parse_datetime(value.strip())
    except (ValueError, OverflowError):  # well-formed but impossible, e.g. 2026-02-30
        parsed = None
    if parsed is None:
        raise MomentRefused(f"不是有效的时间，{FORMAT_HINT}")
    if (problem := moment_problem(parsed)) is not None:
        raise MomentRefused(problem)
    if timezone.is_naive(parsed):
        try:
            parsed = timezone.make_aware(parsed)
        except (ValueError, OverflowError):
            raise MomentRefused(f"不是有效的时间，{FORMAT_HINT}") from None
    return parsed
