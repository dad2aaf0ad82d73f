from __future__ import annotations

from datetime import time

import pytest

from org.models import WeeklyShift
from tests.factories import StaffFactory, UserFactory
from tickets.core.errors import IllegalTransition, TicketInputError, TransitionForbidden
from tickets.dispatching.collaboration import (
    assist_task_reply,
    return_request_decide,
    ticket_assist_add,
    ticket_return_request,
    ticket_ruling_decide,
)
from tickets.dispatching.services import ticket_dispatch
from tickets.models import DispatchCorrection, Notification, Ruling
from tickets.services.lifecycle import ticket_close_unreasonable, ticket_follow_up, ticket_resolve


def _always_on_duty(*staff):
    for s in staff:
        for weekday in range(7):
            WeeklyShift.objects.create(staff=s, weekday=weekday, starts=time(0), ends=time(0))


@pytest.fixture
def routed(org):
    """A ticket the model sent to the street office, the water bureau second."""
    return org.ticket("assigned", predicted_unit=org.unit, prediction_top3=[
        {"unit": org.unit.code, "probability": 0.6},
        {"unit": org.other_unit.code, "probability": 0.3},
        {"unit": "urban-mgmt", "probability": 0.1}])


def test_a_caseworkers_return_waits_for_the_lead_and_the_lead_is_told(org, routed):
    request = ticket_return_request(ticket=routed, actor=org.assignee.user,
                                    reason_code="not_our_duty", text="供水管网归水务")
    assert request.state == "pending"
    routed.refresh_from_db()
    assert routed.state == "assigned"
    assert Notification.objects.get(recipient=org.lead).kind == "return_request"


def test_an_approved_return_goes_to_triage_with_the_reason_and_without_the_unit(org, routed):
    request = ticket_return_request(ticket=routed, actor=org.assignee.user,
                                    reason_code="not_our_duty", text="供水管网归水务")
    return_request_decide(request=request, actor=org.lead.user, approve=True)
    routed.refresh_from_db()
    assert routed.state == "triage" and routed.unit is None and routed.return_count == 1
    assert [c["unit"] for c in routed.prediction_top3] == ["water", "urban-mgmt"]
    assert routed.predicted_unit == org.other_unit
    last = routed.events.order_by("pk").last()
    assert last.action == "return_to_triage" and last.reason == "【非本单位职责】供水管网归水务"


def test_a_refused_return_keeps_the_ticket_and_needs_a_reason(org, routed):
    request = ticket_return_request(ticket=routed, actor=org.assignee.user,
                                    reason_code="incomplete", text="没有地址")
    with pytest.raises(TicketInputError):
        return_request_decide(request=request, actor=org.lead.user, approve=False)
    return_request_decide(request=request, actor=org.lead.user, approve=False,
                          note="地址在附件里")
    routed.refresh_from_db()
    assert routed.state == "assigned"
    assert routed.events.order_by("pk").last().action == "return_refuse"


def test_only_the_lead_approves_and_only_the_unit_asks(org, routed):
    with pytest.raises(TransitionForbidden):
        ticket_return_request(ticket=routed, actor=org.other_caseworker.user,
                              reason_code="other", text="x")
    request = ticket_return_request(ticket=routed, actor=org.assignee.user,
                                    reason_code="other", text="x")
    with pytest.raises(TransitionForbidden):
        return_request_decide(request=request, actor=org.coworker.user, approve=True)
    with pytest.raises(TicketInputError):  # one pending request at a time
        ticket_return_request(ticket=routed, actor=org.coworker.user, reason_code="other",
                              text="y")


def test_a_leads_own_return_waits_for_a_second_person_who_is_told(org, routed):
    second_lead = StaffFactory(unit=org.unit, role="unit_lead",
                               user=UserFactory(username="lianhua.lead2"))
    request = ticket_return_request(ticket=routed, actor=org.lead.user,
                                    reason_code="not_our_duty", text="供水管网归水务")
    routed.refresh_from_db()
    assert (request.state, routed.state) == ("pending", "assigned")
    told = set(Notification.objects.filter(kind="return_request")
               .values_list("recipient__user__username", flat=True))
    assert told == {"lianhua.lead2", "centre.disp1"}  # not the lead who asked
    with pytest.raises(TransitionForbidden, match="不能审核自己提交的退单申请"):
        return_request_decide(request=request, actor=org.lead.user, approve=True)
    request.refresh_from_db()
    assert request.state == "pending"
    return_request_decide(request=request, actor=second_lead.user, approve=True)
    routed.refresh_from_db()
    request.refresh_from_db()
    assert routed.state == "triage" and request.decided_by == second_lead.user


def test_a_centre_dispatcher_approves_a_leads_own_return_but_not_a_caseworkers(org, routed):
    by_lead = ticket_return_request(ticket=routed, actor=org.lead.user, reason_code="other",
                                    text="不归本单位")
    return_request_decide(request=by_lead, actor=org.centre_dispatcher.user, approve=False,
                          note="请先核实")
    routed.refresh_from_db()
    assert routed.state == "assigned"
    by_caseworker = ticket_return_request(ticket=routed, actor=org.assignee.user,
                                          reason_code="other", text="不归本单位")
    with pytest.raises(TransitionForbidden):  # the unit's lead decides this one
        return_request_decide(request=by_caseworker, actor=org.centre_dispatcher.user,
                              approve=True)
    # Told of the lead's request only.
    assert Notification.objects.filter(recipient=org.centre_dispatcher,
                                       kind="return_request").count() == 1
    return_request_decide(request=by_caseworker, actor=org.lead.user, approve=True)
    routed.refresh_from_db()
    assert routed.state == "triage"


def test_a_centre_dispatcher_returns_a_ticket_only_by_approving_a_request(org, routed):
    from tickets.services.lifecycle import ticket_return

    with pytest.raises(TransitionForbidden):
        ticket_return(ticket=routed, actor=org.centre_dispatcher.user, reason="直接退回")
    routed.refresh_from_db()
    assert routed.state == "assigned"


def test_a_superuser_does_not_approve_their_own_return_either(org, routed, superuser):
    request = ticket_return_request(ticket=routed, actor=superuser, reason_code="other",
                                    text="测试退单")
    with pytest.raises(TransitionForbidden):
        return_request_decide(request=request, actor=superuser, approve=True)
    return_request_decide(request=request, actor=org.lead.user, approve=True)
    routed.refresh_from_db()
    assert routed.state == "triage"


def test_a_bad_reason_is_refused_in_chinese(org, routed):
    with pytest.raises(TicketInputError) as caught:
        ticket_return_request(ticket=routed, actor=org.lead.user, reason_code="bored", text="")
    assert "退单理由只能是" in str(caught.value.field_errors) and "请写明退单说明" in str(
        caught.value.field_errors)


def test_a_ticket_returned_twice_goes_to_a_supervisor_whose_ruling_binds(org, routed):
    _always_on_duty(org.other_caseworker, org.assignee)
    first = ticket_return_request(ticket=routed, actor=org.lead.user,
                                  reason_code="not_our_duty", text="归水务")
    # A lead's own request: the centre approves it.
    return_request_decide(request=first, actor=org.centre_dispatcher.user, approve=True)
    routed.refresh_from_db()
    routed = ticket_dispatch(ticket=routed, actor=org.centre_dispatcher.user,
                             unit=org.other_unit)
    second = ticket_return_request(ticket=routed, actor=org.other_lead.user,
                                   reason_code="overlapping", text="小区内部管网归街道")
    return_request_decide(request=second, actor=org.centre_dispatcher.user, approve=True)
    routed.refresh_from_db()
    ruling = Ruling.objects.get(ticket=routed, state="pending")
    assert ruling.returned_by == ["street-lianhua", "water"]
    assert Notification.objects.filter(recipient=org.centre_supervisor,
                                       kind="ruling_request").exists()
    with pytest.raises(TicketInputError):  # the dispatcher may not pre-empt the ruling
        ticket_dispatch(ticket=routed, actor=org.centre_dispatcher.user, unit=org.unit)
    with pytest.raises(TransitionForbidden):
        ticket_ruling_decide(ruling=ruling, actor=org.centre_dispatcher.user, unit=org.unit,
                             reason="x")

    ruled = ticket_ruling_decide(ruling=ruling, actor=org.centre_supervisor.user,
                                 unit=org.unit, reason="小区内部管网由街道牵头")
    assert (ruled.state, ruled.unit, ruled.assignee) == ("assigned", org.unit, org.assignee)
    correction = DispatchCorrection.objects.get(ticket=ruled, kind="ruling")
    assert correction.chosen_unit == "street-lianhua"
    with pytest.raises(TicketInputError, match="审定"):
        ticket_return_request(ticket=ruled, actor=org.lead.user, reason_code="other",
                              text="还是不归我们")


def test_assisting_units_have_their_own_tasks_and_the_lead_units_reply_closes(org):
    _always_on_duty(org.other_caseworker)
    ticket = org.ticket("met")
    with pytest.raises(TransitionForbidden):
        ticket_assist_add(ticket=ticket, actor=org.assignee.user, unit=org.other_unit,
                          task="x")
    task = ticket_assist_add(ticket=ticket, actor=org.lead.user, unit=org.other_unit,
                             task="核查小区供水管网压力")
    assert task.assignee == org.other_caseworker and task.state == "open"
    assert list(ticket.assisting_units.all()) == [org.other_unit]
    with pytest.raises(TicketInputError):
        ticket_assist_add(ticket=ticket, actor=org.lead.user, unit=org.other_unit, task="again")
    with pytest.raises(TransitionForbidden):
        assist_task_reply(task=task, actor=org.coworker.user, reply="x")
    replied = assist_task_reply(task=task, actor=org.other_caseworker.user, reply="压力正常")
    assert replied.state == "replied"
    second = ticket_assist_add(ticket=ticket, actor=org.centre_dispatcher.user,
                               unit=org.centre, task="协调")
    ticket_resolve(ticket=ticket, actor=org.assignee.user, reply="已处理")
    second.refresh_from_db()
    assert second.state == "closed"
    actions = list(ticket.events.values_list("action", flat=True))
    assert actions.count("assist_add") == 2 and "assist_reply" in actions


def test_resolving_opens_a_follow_up_task_which_the_rating_completes(org):
    ticket = org.ticket("met")
    ticket = ticket_resolve(ticket=ticket, actor=org.assignee.user, reply="已修复")
    task = ticket.follow_ups.get()
    assert task.state == "open" and (task.due_at - ticket.resolved_at).total_seconds() == 48 * 3600
    ticket_follow_up(ticket=ticket, actor=None, satisfaction="satisfied", note="渠道回传")
    task.refresh_from_db()
    assert (task.state, task.satisfaction, task.done_by_label) == ("done", "satisfied", "系统")


def test_an_unsatisfied_citizen_reopens_unless_a_supervisor_rules_it_unreasonable(org):
    ticket = ticket_resolve(ticket=org.ticket("met"), actor=org.assignee.user, reply="已答复")
    reopened = ticket_follow_up(ticket=ticket, actor=org.centre_dispatcher.user,
                                satisfaction="unsatisfied", note="要求赔偿十万")
    assert (reopened.state, reopened.unit, reopened.reopen_count) == ("assigned", org.unit, 1)
    with pytest.raises(TransitionForbidden):
        ticket_close_unreasonable(ticket=reopened, actor=org.centre_dispatcher.user,
                                  reason="x")
    closed = ticket_close_unreasonable(ticket=reopened, actor=org.centre_supervisor.user,
                                       reason="诉求超出政策范围")
    assert closed.state == "closed" and closed.satisfaction_excluded
    assert closed.events.order_by("pk").last().reason == "诉求超出政策范围"


def test_a_satisfied_ticket_cannot_be_ruled_unreasonable(org):
    ticket = org.ticket("assigned", satisfaction="satisfied")
    with pytest.raises(IllegalTransition):
        ticket_close_unreasonable(ticket=ticket, actor=org.centre_supervisor.user, reason="x")


def test_every_merged_citizen_hears_of_the_parents_progress(org):
    from tests.factories import ChannelFactory, TicketFactory
    from tickets.models import CallbackDelivery
    from tickets.services.lifecycle import ticket_merge, ticket_record_contact

    parent = org.ticket("assigned", channel=ChannelFactory(
        code="hotline", callback_url="https://hotline.example.invalid/cb"))
    child = TicketFactory(state="triage", channel=ChannelFactory(
        code="app", callback_url="https://app.example.invalid/cb"), external_id="APP-7")
    ticket_merge(ticket=child, actor=org.centre_dispatcher.user, parent=parent)
    ticket_record_contact(ticket=parent, actor=org.assignee.user)
    event = parent.events.get(action="record_contact")
    deliveries = {d.ticket_id: d for d in CallbackDelivery.objects.filter(event=event)}
    assert set(deliveries) == {parent.pk, child.pk}
    told = deliveries[child.pk]
    assert told.url == "https://app.example.invalid/cb"
    assert (told.payload["external_id"], told.payload["merged_into"], told.payload["state"]) == (
        "APP-7", parent.number, "contacted")


def test_the_dispatch_accuracy_report_counts_from_the_trail(org, routed):
    from datetime import timedelta

    from django.utils import timezone

    from tickets.dispatching.services import ticket_dispatch_auto
    from tickets.selectors.reports import dispatch_accuracy_report

    _always_on_duty(org.assignee, org.coworker, org.other_caseworker)
    stays = ticket_dispatch_auto(ticket=org.ticket("received"), unit=org.unit, probability=0.9)
    bounced = ticket_dispatch_auto(ticket=org.ticket("received"), unit=org.unit,
                                   probability=0.8)
    returned = ticket_return_request(ticket=bounced, actor=org.lead.user,
                                     reason_code="not_our_duty", text="归水务")
    return_request_decide(request=returned, actor=org.centre_dispatcher.user, approve=True)
    bounced.refresh_from_db()
    manual = ticket_dispatch(ticket=bounced, actor=org.centre_dispatcher.user,
                             unit=org.other_unit)
    from tickets.dispatching.services import ticket_reroute
    ticket_reroute(ticket=manual, actor=org.centre_dispatcher.user, unit=org.unit,
                   reason="再议")
    now = timezone.now()
    rows = {r.unit: r for r in dispatch_accuracy_report(since=now - timedelta(hours=1),
                                                        until=now + timedelta(hours=1))}
    lianhua = rows["street-lianhua"]
    assert (lianhua.tickets, lianhua.auto_dispatched, lianhua.auto_stayed) == (2, 2, 1)
    assert (lianhua.returns, lianhua.transfers) == (1, 1)
    assert lianhua.stayed_share == 0.5 and lianhua.returns_per_ticket == 0.5
    assert rows[""].tickets == 2 and stays.assignee is not None
    kinds = sorted(DispatchCorrection.objects.values_list("kind", flat=True))
    assert kinds == ["dispatch", "transfer"]


def test_a_demand_ruled_unreasonable_stays_out_of_the_units_satisfaction_rate(org):
    from datetime import timedelta

    from django.utils import timezone

    from tickets.selectors.reports import satisfaction_report

    happy = ticket_resolve(ticket=org.ticket("met"), actor=org.assignee.user, reply="好了")
    ticket_follow_up(ticket=happy, actor=None, satisfaction="satisfied")
    unhappy = ticket_resolve(ticket=org.ticket("met"), actor=org.assignee.user, reply="好了")
    ticket_follow_up(ticket=unhappy, actor=None, satisfaction="unsatisfied")
    unreasonable = ticket_resolve(ticket=org.ticket("met"), actor=org.assignee.user, reply="好")
    unreasonable = ticket_follow_up(ticket=unreasonable, actor=None, satisfaction="unsatisfied")
    ticket_close_unreasonable(ticket=unreasonable, actor=org.centre_supervisor.user,
                              reason="要求超出政策")
    now = timezone.now()
    (row,) = satisfaction_report(since=now - timedelta(hours=1), until=now + timedelta(hours=1))
    assert (row.unit, row.rated, row.satisfied, row.excluded) == ("street-lianhua", 2, 1, 1)
    assert row.rate == 0.5
