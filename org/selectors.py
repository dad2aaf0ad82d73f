"""Read-only questions about the org directory: who is on duty, where the roster has gaps."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from org.calendar import public_holidays_among
from org.models import ExtraShift, Leave, Staff, StaffRole, Unit, WeeklyShift

WEEK_HOURS = [(weekday, hour) for weekday in range(7) for hour in range(24)]


def _covers(shift: WeeklyShift, local: datetime, holidays: set[date]) -> bool:
    """Does a weekly shift cover this local moment? A night shift counts for the day it began."""
    today, now = local.date(), local.time()
    for start_day, in_today in ((today, True), (today - timedelta(days=1), False)):
        if shift.weekday != start_day.weekday():
            continue
        if start_day in holidays and not shift.on_holidays:
            continue
        if in_today and shift.starts <= now and (shift.overnight or now < shift.ends):
            return True
        if not in_today and shift.overnight and now < shift.ends:
            return True
    return False


def staff_on_duty(*, unit: Unit, at: datetime | None = None,
                  roles: tuple[str, ...] = (StaffRole.CASEWORKER,)) -> list[Staff]:
    """The unit's people in these roles on duty at ``at`` (default now): switch on, account
    active, not on leave, and a weekly (not holiday-suspended) or one-off shift covering it.

    One query (plus the holiday lookup): it runs for every dispatched ticket."""
    at = at or timezone.now()
    local = timezone.localtime(at)
    today, yesterday, now = local.date(), local.date() - timedelta(days=1), local.time()
    holidays = public_holidays_among([today, yesterday])
    overnight = Q(ends__lte=F("starts"))
    started_today = Q(weekday=today.weekday(), starts__lte=now) & (Q(ends__gt=now) | overnight)
    from_last_night = Q(weekday=yesterday.weekday(), ends__gt=now) & overnight
    if today in holidays:
        started_today &= Q(on_holidays=True)
    if yesterday in holidays:
        from_last_night &= Q(on_holidays=True)
    weekly = WeeklyShift.objects.filter(Q(staff=OuterRef("pk")),
                                        started_today | from_last_night)
    extra = ExtraShift.objects.filter(staff=OuterRef("pk"), starts_at__lte=at, ends_at__gt=at)
    leave = Leave.objects.filter(staff=OuterRef("pk"), starts_at__lte=at, ends_at__gt=at)
    return list(Staff.objects.filter(unit=unit, role__in=roles, on_duty=True,
                                     user__is_active=True)
                .filter(Exists(weekly) | Exists(extra)).exclude(Exists(leave))
                .select_related("user", "unit").order_by("pk"))


def staff_is_on_leave(*, staff: Staff, at: datetime) -> bool:
    return Leave.objects.filter(staff=staff, starts_at__lte=at, ends_at__gt=at).exists()


def roster_gaps(*, unit: Unit) -> list[tuple[int, int]]:
    """(weekday, hour) slots of an ordinary week that no caseworker's weekly shift covers: a
    7×24 unit must have none. Holidays and leave are ignored (they change week to week)."""
    shifts = list(WeeklyShift.objects.filter(staff__unit=unit, staff__role=StaffRole.CASEWORKER,
                                             staff__user__is_active=True))
    monday = date(2024, 1, 1)  # a Monday; any ordinary week will do
    gaps = []
    for weekday, hour in WEEK_HOURS:
        moments = [datetime.combine(monday + timedelta(days=weekday), time(hour, minute))
                   for minute in (0, 30, 59)]
        if not all(any(_covers(s, m, set()) for s in shifts) for m in moments):
            gaps.append((weekday, hour))
    return gaps


def units_always_on_with_gaps() -> list[tuple[Unit, list[tuple[int, int]]]]:
    return [(u, gaps) for u in Unit.objects.filter(always_on=True, active=True)
            if (gaps := roster_gaps(unit=u))]


def unit_leads(unit_id: int | None) -> list[Staff]:
    """The active leads of a unit (those who approve, and hear of its deadlines)."""
    if unit_id is None:
        return []
    return list(Staff.objects.filter(unit_id=unit_id, role=StaffRole.UNIT_LEAD,
                                     user__is_active=True).select_related("user"))


def district_supervisors() -> list[Staff]:
    """The active supervisors of the district-wide supervision office (督办)."""
    return list(Staff.objects.filter(role=StaffRole.SUPERVISOR, unit__is_district_wide=True,
                                     user__is_active=True).select_related("user"))


def district_dispatchers() -> list[Staff]:
    """The active dispatchers of the dispatch centre (分拨中心)."""
    return list(Staff.objects.filter(role=StaffRole.DISPATCHER, unit__is_district_wide=True,
                                     user__is_active=True).select_related("user"))


# --- the console's and the action forms' reads ---------------------------------------------------

def unit_ticket_handlers() -> QuerySet[Unit]:
    """The units a ticket can be sent to (every unit but the district-wide offices), by name:
    what a dispatcher reads (forms group them by kind, tickets.actions.forms)."""
    return Unit.objects.filter(is_district_wide=False).order_by("name")


def unit_by_code() -> dict[str, Unit]:
    return {u.code: u for u in Unit.objects.all()}


def unit_names(*, codes: Iterable[str]) -> dict[str, str]:
    """Code → name of these units (a code no unit has any more is left out)."""
    return dict(Unit.objects.filter(code__in=list(codes)).values_list("code", "name"))


def staff_directory() -> QuerySet[Staff]:
    """Everyone, by unit and account: the people an action may name."""
    return Staff.objects.select_related("user", "unit").order_by("unit__code", "user__username")


def staff_handlers_of_unit(*, unit: Unit) -> QuerySet[Staff]:
    """The unit's people who can hold a ticket, by account: whom a change of person names."""
    return staff_directory().filter(unit=unit)


def staff_of_unit(*, unit: Unit) -> QuerySet[Staff]:
    return Staff.objects.filter(unit=unit).select_related("user")


def staff_in_unit(*, unit: Unit, pk: int) -> Staff | None:
    """One person, only if they belong to the unit (a lead manages only their own people)."""
    return Staff.objects.filter(pk=pk, unit=unit).first()


def weekly_shift_list(*, unit: Unit) -> QuerySet[WeeklyShift]:
    """The unit's weekly roster, by person, day and start."""
    return (WeeklyShift.objects.filter(staff__unit=unit).select_related("staff__user")
            .order_by("staff__user__username", "weekday", "starts"))


def weekly_shift_in_unit(*, unit: Unit, pk: int) -> WeeklyShift | None:
    return WeeklyShift.objects.filter(pk=pk, staff__unit=unit).select_related("staff").first()
