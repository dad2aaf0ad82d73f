"""A small district whose report figures are worked out by hand (see test_figures.py)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from reports.periods import Period
from reports.settled import report_days_settle
from sla.extensions import sla_extension_decide, sla_extension_request
from sla.supervision import supervision_answer, supervision_issue
from sla.suspensions import sla_suspension_decide, sla_suspension_end, sla_suspension_request
from tests.factories import ChannelFactory
from tickets.services import lifecycle as services

SH = ZoneInfo("Asia/Shanghai")
DECEMBER = Period(date(2026, 12, 1), date(2026, 12, 31))
NOW = datetime(2026, 12, 20, 12, 0, tzinfo=SH)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


class District:
    def __init__(self, org) -> None:
        self.org = org
        self.channel = ChannelFactory(code="hotline-12345")
        self.count = 0
        self.settled_days: int | None = None

    def create(self, when: datetime, urgency: str = "normal"):
        self.count += 1
        with time_machine.travel(when, tick=False):
            return services.ticket_create(
                channel=self.channel, external_id=f"r-{self.count}", title="路灯不亮",
                content="小区门口路灯不亮", received_at=when, urgency=urgency).ticket

    def do(self, when: datetime, step, **kwargs):
        with time_machine.travel(when, tick=False):
            return step(**kwargs)

    def assign(self, ticket, when, *, unit=None, person=None, by_router=False):
        return self.do(when, services.ticket_assign, ticket=ticket,
                       actor=None if by_router else self.org.centre_dispatcher.user,
                       unit=unit or self.org.unit, assignee=person or self.org.assignee)

    def work(self, ticket, person, contact=None, meet=None, resolve=None):
        if contact:
            ticket = self.do(contact, services.ticket_record_contact, ticket=ticket,
                             actor=person.user)
        if meet:
            ticket = self.do(meet, services.ticket_record_meeting, ticket=ticket,
                             actor=person.user)
        if resolve:
            ticket = self.do(resolve, services.ticket_resolve, ticket=ticket, actor=person.user,
                             reply="已处理")
        return ticket

    def follow_up(self, ticket, when, satisfaction):
        return self.do(when, services.ticket_follow_up, ticket=ticket,
                       actor=self.org.centre_dispatcher.user, satisfaction=satisfaction)


@pytest.fixture(params=["live", "settled"])
def district(org, request):
    """Every hand count holds both ways: counted from the tickets, and with the days before
    12-20 kept as the sums of their settled tickets (reports.settled), the open ones counted
    live beside them."""
    d = District(org)
    o = org
    t1 = d.assign(d.create(at(2026, 12, 2, 10, 0), "urgent"), at(2026, 12, 2, 10, 0),
                  by_router=True)
    t1 = d.work(t1, o.assignee, at(2026, 12, 2, 10, 10), at(2026, 12, 2, 10, 31),
                at(2026, 12, 2, 20, 0))
    d.follow_up(t1, at(2026, 12, 3, 9, 0), "satisfied")

    t2 = d.assign(d.create(at(2026, 12, 3, 9, 0)), at(2026, 12, 3, 9, 0))
    t2 = d.work(t2, o.assignee, at(2026, 12, 3, 9, 5), at(2026, 12, 3, 9, 20))
    dup = d.assign(d.create(at(2026, 12, 3, 9, 30)), at(2026, 12, 3, 9, 30))
    d.do(at(2026, 12, 3, 9, 40), services.ticket_merge, ticket=dup,
         actor=o.centre_dispatcher.user, parent=t2)
    s = d.do(at(2026, 12, 3, 10, 0), sla_suspension_request, ticket=t2, actor=o.assignee.user,
             reason="等待诉求人提供材料")
    s = d.do(at(2026, 12, 3, 10, 0), sla_suspension_decide, suspension=s, actor=o.lead.user,
             approve=True)
    d.do(at(2026, 12, 7, 10, 0), sla_suspension_end, suspension=s, actor=o.assignee.user)
    t2 = d.work(t2.__class__.objects.get(pk=t2.pk), o.assignee,
                resolve=at(2026, 12, 10, 16, 0))
    d.follow_up(t2, at(2026, 12, 11, 9, 0), "basically_satisfied")

    t3 = d.assign(d.create(at(2026, 12, 4, 22, 0), "urgent"), at(2026, 12, 4, 22, 0))
    t3 = d.work(t3, o.assignee, at(2026, 12, 4, 22, 25))
    t3 = d.do(at(2026, 12, 4, 22, 30), services.ticket_transfer, ticket=t3,
              actor=o.centre_dispatcher.user, unit=o.other_unit, assignee=o.other_caseworker,
              reason="供水问题")
    t3 = d.work(t3, o.other_caseworker, at(2026, 12, 4, 22, 35), at(2026, 12, 4, 22, 50),
                at(2026, 12, 5, 10, 0))
    t3 = d.follow_up(t3, at(2026, 12, 5, 11, 0), "unsatisfied")
    t3 = d.work(t3, o.other_caseworker, at(2026, 12, 5, 11, 5), at(2026, 12, 5, 11, 20),
                at(2026, 12, 6, 10, 0))
    d.follow_up(t3, at(2026, 12, 6, 11, 0), "satisfied")

    t9 = d.assign(d.create(at(2026, 12, 5, 10, 0), "urgent"), at(2026, 12, 5, 10, 0))
    first = d.do(at(2026, 12, 5, 11, 0), supervision_issue, ticket=t9,
                 actor=o.centre_supervisor.user, level="district", instructions="尽快联系",
                 reply_due_at=at(2026, 12, 5, 15, 0))
    d.do(at(2026, 12, 5, 14, 0), supervision_answer, supervision=first, actor=o.lead.user,
         answer="已安排")
    d.do(at(2026, 12, 6, 9, 0), supervision_issue, ticket=t9, actor=o.centre_supervisor.user,
         level="listed", instructions="挂牌督办", reply_due_at=at(2026, 12, 6, 12, 0))
    ext = d.do(at(2026, 12, 5, 12, 0), sla_extension_request, ticket=t9,
               actor=o.assignee.user, reason="需要协调", new_due_at=at(2026, 12, 7, 10, 0))
    d.do(at(2026, 12, 5, 12, 5), sla_extension_decide, extension=ext, actor=o.lead.user,
         approve=True)

    d.create(at(2026, 12, 31, 23, 59, 59))  # T4, received
    t6 = d.create(at(2026, 12, 1, 0, 0, 0))
    d.do(at(2026, 12, 1, 0, 1), services.ticket_triage, ticket=t6, actor=None)
    t8 = d.create(at(2026, 12, 8, 9, 0))
    d.do(at(2026, 12, 8, 9, 5), services.ticket_reject, ticket=t8,
         actor=o.centre_dispatcher.user, reason="无效来电")
    d.create(at(2026, 11, 30, 23, 59, 59))  # T0
    d.create(at(2027, 1, 1, 0, 0, 0))  # T5
    if request.param == "settled":
        with time_machine.travel(NOW, tick=False):
            d.settled_days = report_days_settle()
    return d
