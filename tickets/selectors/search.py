"""History and search for the console: a caseworker's or a unit's finished tickets, and the
centre's search across every ticket (number, phone, text, place), fast at a year's scale.

Why the search is shaped the way it is (530,000 tickets a year in PostgreSQL):

- A number and a phone are exact lookups on their b-tree indexes (``number`` is unique,
  ``ticket_citizen_phone``).
- Text and place are substring searches (``icontains``: ``UPPER(col) LIKE UPPER('%…%')``),
  which only a trigram index serves: the GIN ``gin_trgm_ops`` indexes on ``UPPER(title)``,
  ``UPPER(content)``, ``UPPER(address)`` and ``UPPER(community)`` (migration 0026; they index
  the expression Django's icontains compares, so the planner can use them). pg_trgm treats
  Chinese characters as word characters in this database's C.UTF-8 locale, so a 3-character
  Chinese term is one trigram the index can look up.
- A term without 3 word characters in a row (two Chinese characters such as 路灯, "3#") gives
  pg_trgm no trigram to look up: the index would have to be read whole, and the planner falls
  back to reading the table (a rare two-character term over the whole year: 5 s). Such a term
  therefore searches only ``SHORT_TERM_DAYS`` days of tickets (by received time, on the
  ``ticket_received_at`` index), compared with strpos() rather than UPPER() LIKE (several
  times cheaper on Chinese text): the page says so and asks for a longer term to search
  everything. (pg_bigm would index two-character terms, but Debian does not package it.)
- Pages are fetched with one row more than they show (``page_size + 1``): whether there is a
  next page is known without counting every match, and the page number is capped so that no
  one pages through an OFFSET of the whole year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce, StrIndex
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from org.models import StaffRole, Unit
from org.roles import staff_of
from tickets.core.selectors import ticket_visible_to
from tickets.core.text import normalise_mobile, to_half_width
from tickets.models import Ticket
from tickets.models.ticket import FINISHED_STATES, OPEN_STATES

MIN_TERM_LENGTH = 2
# A term pg_trgm can look up: three word characters in a row (Chinese characters count).
_INDEXABLE = re.compile(r"\w{3}")
SHORT_TERM_DAYS = 31
SEARCH_PAGE_SIZE = 50
SEARCH_MAX_PAGE = 20  # beyond 1,000 results the person narrows the search instead
_NUMBER = re.compile(r"[A-Z]{1,8}[0-9]{8}-[0-9]{6}")
# A landline or a number written without its mobile shape: digits, maybe with - or spaces.
_DIGITS = re.compile(r"[0-9][0-9 -]{5,18}[0-9]")


class SearchKind(StrEnum):
    ANY = "any"  # detect: a ticket number, a phone, else text and place
    NUMBER = "number"
    PHONE = "phone"
    TEXT = "text"  # title and content
    PLACE = "place"  # address, community, street


class SearchRefused(ValueError):
    """Input the search cannot take, with the reason in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class SearchTerm:
    """What the person is looking for, once recognised (``kind`` ANY now means: text or place)."""

    kind: SearchKind
    value: str

    @property
    def indexable(self) -> bool:
        return self.kind in (SearchKind.NUMBER, SearchKind.PHONE) or bool(
            _INDEXABLE.search(self.value))


def search_term_parse(*, text: str, kind: SearchKind = SearchKind.ANY) -> SearchTerm:
    """Recognise the term (a ticket number, a full phone number, or text), or SearchRefused."""
    value = to_half_width(text).strip()
    if kind in (SearchKind.ANY, SearchKind.NUMBER) and _NUMBER.fullmatch(value.upper()):
        return SearchTerm(SearchKind.NUMBER, value.upper())
    if kind == SearchKind.NUMBER:
        raise SearchRefused("工单号格式应为 FT20261128-000123")
    if kind in (SearchKind.ANY, SearchKind.PHONE):
        if (mobile := normalise_mobile(value)) is not None:
            return SearchTerm(SearchKind.PHONE, mobile)
        if _DIGITS.fullmatch(value):
            digits = re.sub(r"[ -]", "", value)
            # A landline (0755…, or 8 local digits); from a 1 it is part of a mobile number,
            # and a phone is looked up whole (a prefix search would list strangers' tickets).
            if not digits.startswith("1") and len(digits) <= 12:
                return SearchTerm(SearchKind.PHONE, digits)
            raise SearchRefused("请输入完整的电话号码，如 13800001111")
        if kind == SearchKind.PHONE:
            raise SearchRefused("请输入完整的电话号码，如 13800001111")
    if len(value) < MIN_TERM_LENGTH:
        raise SearchRefused(f"请至少输入 {MIN_TERM_LENGTH} 个字")
    return SearchTerm(SearchKind.TEXT if kind == SearchKind.TEXT else (
        SearchKind.PLACE if kind == SearchKind.PLACE else SearchKind.ANY), value)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _within(tickets: QuerySet[Ticket], field: str, first: date | None,
            last: date | None) -> QuerySet[Ticket]:
    """Tickets whose ``field`` falls on the days first..last (the district's days)."""
    if first is not None:
        tickets = tickets.filter(**{f"{field}__gte": _day_start(first)})
    if last is not None:
        tickets = tickets.filter(**{f"{field}__lt": _day_start(last + timedelta(days=1))})
    return tickets


# --- history ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class HistoryFilters:
    finished_from: date | None = None
    finished_to: date | None = None
    state: str = ""  # "" both, or resolved / closed
    channel: str = ""  # a channel code


def ticket_history(*, user: AbstractBaseUser, filters: HistoryFilters) -> QuerySet[Ticket]:
    """The finished (resolved or closed) tickets a person handled (a caseworker: those assigned
    to them) or their unit's (a unit lead or unit dispatcher), the latest finished first.
    Finished means resolved, or for a ticket a ruling closed without a resolve, closed: the
    period and the order are on that moment (the indexes ticket_finished_by_unit and
    ticket_finished_by_assignee are on the same expression, so a page reads 50 index rows)."""
    staff = staff_of(user)
    if staff is None or staff.unit.is_district_wide:
        return Ticket.objects.none()
    tickets = ticket_visible_to(user=user)
    if staff.role in (StaffRole.UNIT_LEAD, StaffRole.DISPATCHER, StaffRole.SUPERVISOR):
        tickets = tickets.filter(unit_id=staff.unit_id)
    else:
        tickets = tickets.filter(assignee=staff)
    states = [s.value for s in FINISHED_STATES if not filters.state or s.value == filters.state]
    tickets = tickets.filter(state__in=states).annotate(
        finished_at=Coalesce("resolved_at", "closed_at"))
    if filters.channel:
        tickets = tickets.filter(channel__code=filters.channel)
    tickets = _within(tickets, "finished_at", filters.finished_from, filters.finished_to)
    return tickets.order_by(F("finished_at").desc(), "-id")


# --- search -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SearchFilters:
    received_from: date | None = None
    received_to: date | None = None
    state: str = ""  # "" any, "open" (any open state), or a TicketState


@dataclass(frozen=True)
class SearchPage:
    tickets: list[Ticket]
    number: int
    has_next: bool
    has_previous: bool
    # The days searched when a short term had to be limited (else None: the whole period).
    limited_to: tuple[date, date] | None
    # There are more results than anyone may page to: narrow the search.
    capped: bool


def _contains(field: str, term: SearchTerm) -> Q:
    if term.indexable:
        return Q(**{f"{field}__icontains": term.value})
    # No trigram to look up: the window's rows are read one by one, and strpos() is several
    # times cheaper there than UPPER(col) LIKE on Chinese text (measured: 31 days, 37,000
    # tickets, ~0.1 s against ~1.3 s). Letters are tried as typed, upper and lower case.
    q = Q()
    for variant in dict.fromkeys((term.value, term.value.upper(), term.value.lower())):
        q |= Q(GreaterThan(StrIndex(field, Value(variant)), 0))
    return q


def _match(term: SearchTerm) -> Q:
    if term.kind == SearchKind.NUMBER:
        return Q(number=term.value)
    if term.kind == SearchKind.PHONE:
        return Q(citizen_phone=term.value)
    text = _contains("title", term) | _contains("content", term)
    place = _contains("address", term) | _contains("community", term)
    # Streets are few: their ids first, so the ticket query uses the street_id index.
    streets = list(Unit.objects.filter(kind="street_office", name__icontains=term.value)
                   .values_list("pk", flat=True))
    if streets:
        place |= Q(street_id__in=streets)
    if term.kind == SearchKind.TEXT:
        return text
    if term.kind == SearchKind.PLACE:
        return place
    return text | place


def _short_term_window(filters: SearchFilters) -> tuple[date, date]:
    """The at most SHORT_TERM_DAYS days a short term searches: the end of the period asked
    for (today without one), back SHORT_TERM_DAYS days, not before the period's start."""
    last = filters.received_to or timezone.localdate()
    first = last - timedelta(days=SHORT_TERM_DAYS - 1)
    if filters.received_from is not None and filters.received_from > first:
        first = filters.received_from
    return first, last


def ticket_search(*, user: AbstractBaseUser, query: SearchTerm, filters: SearchFilters,
                  page: int = 1, page_size: int = SEARCH_PAGE_SIZE) -> SearchPage:
    """Tickets of any state the person may see that match ``query``, newest first, one page
    (no COUNT: one row more than the page tells whether another follows)."""
    page = max(1, min(page, SEARCH_MAX_PAGE))
    tickets = ticket_visible_to(user=user).filter(_match(query))
    if filters.state == "open":
        tickets = tickets.filter(state__in=[s.value for s in OPEN_STATES])
    elif filters.state:
        tickets = tickets.filter(state=filters.state)
    first, last = filters.received_from, filters.received_to
    limited: tuple[date, date] | None = None
    if not query.indexable:
        window = _short_term_window(filters)
        if first is None or window[0] > first:
            limited = window
        first, last = window
    tickets = _within(tickets, "received_at", first, last)
    start = (page - 1) * page_size
    rows = list(tickets.order_by("-received_at", "-id")[start:start + page_size + 1])
    more = len(rows) > page_size
    return SearchPage(tickets=rows[:page_size], number=page,
                      has_next=more and page < SEARCH_MAX_PAGE, has_previous=page > 1,
                      limited_to=limited, capped=more and page >= SEARCH_MAX_PAGE)
