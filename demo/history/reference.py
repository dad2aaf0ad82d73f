"""What a synthetic history is built on: the channels, units, people and SLA policies already in
the database, read once into plain values (the story of 500,000 tickets must not query)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from functools import cached_property

from django.utils import timezone, translation

from org.calendar import WorkingCalendar, working_calendar_get
from org.directory import DEFAULT_FIXTURES_DIR, OrgNotLoadedError, fixture_read, org_units
from org.models import Staff, StaffRole
from org.selectors import district_dispatchers, district_supervisors
from sla.clocks import sla_policy_for
from sla.models import EscalationLevel, Milestone, SlaPolicy
from tickets.core.trail import actor_label
from tickets.models import Channel, Urgency


class RememberingCalendar(WorkingCalendar):
    """The same working calendar, each day's working windows worked out once: a year of
    tickets asks about the same few hundred days millions of times."""

    def __init__(self, calendar: WorkingCalendar) -> None:
        super().__init__(calendar.periods, calendar.overrides)
        self._days: dict[date, list[tuple[datetime, datetime]]] = {}

    def _windows(self, day: date) -> list[tuple[datetime, datetime]]:
        windows = self._days.get(day)
        if windows is None:
            windows = self._days[day] = super()._windows(day)
        return windows


class HistoryRefused(RuntimeError):
    """The database is not ready for a history (the message says what to run first)."""


@dataclass(frozen=True)
class Person:
    """Someone who acts in the trail: the Staff row, its user and the trail's label for it."""

    staff_id: int
    user_id: int
    username: str
    label: str


@dataclass(frozen=True)
class UnitInfo:
    pk: int
    code: str
    name: str
    is_street: bool
    workers: tuple[Person, ...]  # on-duty caseworkers, else the leads: who gets tickets
    leads: tuple[Person, ...]


@dataclass(frozen=True)
class PolicyInfo:
    pk: int
    warn_ratio: float
    restart_on_transfer: bool
    limits: tuple[tuple[str, int, str], ...]  # (milestone, minutes, calendar)
    ladder: tuple[tuple[str, int], ...]  # (level, minutes after the deadline)


@dataclass
class HistoryReference:
    channels: dict[str, tuple[int, str]]  # code -> (pk, family)
    units: dict[str, UnitInfo]
    street_ids: dict[str, int]  # street office code -> pk
    dispatchers: tuple[Person, ...]
    supervisors: tuple[Person, ...]
    calendar: WorkingCalendar
    surnames: tuple[str, ...]
    given_names: tuple[str, ...]
    # The district's time zone, held here: django.utils.timezone.localtime looks the active
    # one up on every call, which a million calls feel.
    tz: tzinfo = field(default_factory=timezone.get_current_timezone)
    policy_categories: frozenset[str] = frozenset()  # those some active policy names
    policy_channels: frozenset[str] = frozenset()
    _policies: dict[tuple[str, str, str], PolicyInfo | None] = field(default_factory=dict)

    def policy(self, *, urgency: str, category_l1: str, channel_code: str) -> PolicyInfo | None:
        """sla.clocks.sla_policy_for, asked once per distinct answer: a category or channel
        that no policy names can only match the general policies, like "" does."""
        key = (urgency, category_l1 if category_l1 in self.policy_categories else "",
               channel_code if channel_code in self.policy_channels else "")
        if key not in self._policies:
            found = sla_policy_for(urgency=key[0], category_l1=key[1], channel_code=key[2])
            self._policies[key] = None if found is None else PolicyInfo(
                pk=found.pk, warn_ratio=found.warn_ratio,
                restart_on_transfer=found.restart_on_transfer, limits=tuple(found.limits()),
                ladder=tuple(found.ladder()))
        return self._policies[key]

    def policies_preload(self) -> None:
        """Every answer policy() can give, so that a forked worker never queries."""
        for urgency in Urgency.values:
            for category in (*self.policy_categories, ""):
                for channel in (*self.policy_channels, ""):
                    self.policy(urgency=urgency, category_l1=category, channel_code=channel)

    @cached_property
    def unit_list(self) -> tuple[UnitInfo, ...]:
        return tuple(self.units.values())

    @cached_property
    def units_by_pk(self) -> dict[int, UnitInfo]:
        return {info.pk: info for info in self.units.values()}

    @cached_property
    def channel_codes(self) -> tuple[str, ...]:
        return tuple(sorted(self.channels))


def _labels() -> tuple[dict[str, str], dict[str, str]]:
    # The source strings (Chinese), as the Celery workers that write these events use them.
    with translation.override(None):
        return ({m.value: str(m.label) for m in Milestone},
                {level.value: str(level.label) for level in EscalationLevel})


MILESTONE_LABELS, LEVEL_LABELS = _labels()


def _person(staff: Staff) -> Person:
    return Person(staff.pk, staff.user_id, staff.user.get_username(), actor_label(staff.user))


def history_reference_load() -> HistoryReference:
    """Read everything once; HistoryRefused when the org directory or its people are missing."""
    try:
        units = org_units()
    except OrgNotLoadedError as exc:
        raise HistoryRefused(str(exc)) from exc
    channels = {c.code: (c.pk, c.family) for c in Channel.objects.filter(active=True)}
    if not channels:
        raise HistoryRefused("没有启用的受理渠道：请先运行 manage.py load_org")
    people: dict[int, dict[str, list[Person]]] = {}
    for staff in (Staff.objects.filter(user__is_active=True).select_related("user")
                  .order_by("unit_id", "user__username")):
        if staff.role == StaffRole.CASEWORKER and not staff.on_duty:
            continue
        people.setdefault(staff.unit_id, {}).setdefault(staff.role, []).append(_person(staff))
    infos: dict[str, UnitInfo] = {}
    unstaffed = []
    for code, unit in units.items():
        roles = people.get(unit.pk, {})
        leads = tuple(roles.get(StaffRole.UNIT_LEAD, ()))
        workers = tuple(roles.get(StaffRole.CASEWORKER, ())) or leads
        if not workers:
            unstaffed.append(unit.name)
        infos[code] = UnitInfo(unit.pk, code, unit.name, unit.kind == "street_office",
                               workers, leads or workers)
    dispatchers = tuple(_person(s) for s in district_dispatchers())
    supervisors = tuple(_person(s) for s in district_supervisors())
    if unstaffed or not dispatchers or not supervisors:
        missing = "、".join(unstaffed[:5]) + (" 等" if len(unstaffed) > 5 else "")
        raise HistoryRefused(
            "历史工单要由具体人员办理，但"
            + (f"{len(unstaffed)} 个单位没有经办人或负责人（{missing}）" if unstaffed
               else "分拨中心没有分拨员或督查室没有督办员")
            + "：请先用 manage.py import_staff 导入人员，演示库可运行 load_demo_staff")
    names = fixture_read(fixtures_dir=DEFAULT_FIXTURES_DIR, name="demo_staff.json")
    active = SlaPolicy.objects.filter(active=True)
    return HistoryReference(
        policy_categories=frozenset(active.exclude(category_l1="")
                                    .values_list("category_l1", flat=True)),
        policy_channels=frozenset(active.exclude(channel_code="")
                                  .values_list("channel_code", flat=True)),
        channels=channels, units=infos,
        street_ids={code: info.pk for code, info in infos.items() if info.is_street},
        dispatchers=dispatchers, supervisors=supervisors,
        calendar=RememberingCalendar(working_calendar_get()),
        surnames=tuple(names["surnames"]), given_names=tuple(names["given_names"]))
