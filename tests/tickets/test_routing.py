from __future__ import annotations

from datetime import time

import pytest
from django.utils import timezone

from org.models import WeeklyShift
from routing_model.models import RoutingRule
from routing_model.serving import routing_rules_forget
from tests.factories import TicketFactory
from tests.routing_model.conftest import gazetteer, router_data_dir, segmenter  # noqa: F401
from tests.routing_model.test_serving_and_retrain import active_model  # noqa: F401
from tickets.dispatching.routing import ticket_route_predict, ticket_training_samples


def test_an_unsure_routed_ticket_keeps_the_prediction_and_waits_for_a_dispatcher(
        org, active_model, settings):  # noqa: F811
    settings.DISPATCH_AUTO_THRESHOLD = 0.999
    ticket = TicketFactory(title="停水", content="家里停水两天了没有通知", address="")
    routed = ticket_route_predict(ticket=ticket)
    assert routed.state == "triage"
    assert routed.predicted_unit.code == "water" and 0 < routed.prediction_confidence <= 1
    assert routed.prediction_top3[0]["unit"] == "water"
    assert routed.prediction_explanation["model_version"] == active_model.version
    assert routed.prediction_explanation["terms"]
    assert routed.routing_tokens["tokens"] and routed.routing_tokens["signature"]
    actions = list(routed.events.order_by("pk").values_list("action", "reason"))
    assert [a for a, _ in actions][-2:] == ["predict", "triage"]
    assert "区水务局" in actions[-1][1] and "低于自动派单阈值 100%" in actions[-1][1]


def _water_on_duty(org):
    for weekday in range(7):
        WeeklyShift.objects.create(staff=org.other_caseworker, weekday=weekday,
                                   starts=time(0), ends=time(0))


def test_a_confident_routed_ticket_is_assigned_to_a_person_on_duty(org, active_model,  # noqa: F811
                                                                   settings):
    settings.DISPATCH_AUTO_THRESHOLD = 0.05
    _water_on_duty(org)
    routed = ticket_route_predict(ticket=TicketFactory(title="停水", content="家里停水两天了"))
    assert (routed.state, routed.unit, routed.assignee) == (
        "assigned", org.other_unit, org.other_caseworker)
    last = routed.events.order_by("pk").last()
    assert (last.action, last.actor_label) == ("assign", "系统") and "自动派单" in last.reason


def test_a_units_own_threshold_overrides_the_global_one(org, active_model,  # noqa: F811
                                                       settings):
    settings.DISPATCH_AUTO_THRESHOLD = 0.05
    org.other_unit.auto_threshold = 1.0
    org.other_unit.save()
    _water_on_duty(org)
    routed = ticket_route_predict(ticket=TicketFactory(title="停水", content="家里停水两天了"))
    assert routed.state == "triage"


def test_urgency_is_decided_before_the_ticket_is_assigned(org, active_model,  # noqa: F811
                                                          settings):
    settings.DISPATCH_AUTO_THRESHOLD = 0.05
    _water_on_duty(org)
    routed = ticket_route_predict(ticket=TicketFactory(title="停水", content="水管爆裂家里停水了"))
    assert routed.urgency == "urgent"
    actions = list(routed.events.order_by("pk").values_list("action", flat=True))
    assert actions[-2:] == ["edit", "assign"]


def test_a_street_matter_is_suggested_to_the_street_office_of_its_place(org, active_model):  # noqa: F811
    ticket = TicketFactory(title="健身器材", content="社区健身器材坏了没人修",
                           address="福田区天健花园")
    routed = ticket_route_predict(ticket=ticket)
    assert routed.predicted_unit.code == "street-lianhua"
    assert routed.prediction_explanation["place"]["community"] == "景田北社区"


def test_a_triage_rule_is_named_in_the_reason(org, active_model):  # noqa: F811
    RoutingRule.objects.create(name="热线件人工看", keywords="停水", action="triage")
    routing_rules_forget()
    routed = ticket_route_predict(ticket=TicketFactory(title="停水", content="家里停水了"))
    assert routed.state == "triage"
    assert routed.events.order_by("pk").last().reason == "规则「热线件人工看」要求人工分拨"


def test_the_training_samples_are_resolved_tickets_labelled_with_their_final_unit(org):
    now = timezone.now()
    later = TicketFactory(state="resolved", unit=org.other_unit, title="b", content="B",
                          resolved_at=now, routing_tokens={"signature": "s", "tokens": ["x"]})
    earlier = TicketFactory(state="closed", unit=org.unit, title="a", content="A",
                            resolved_at=now - timezone.timedelta(days=1))
    TicketFactory(state="assigned", unit=org.unit)  # not finished: no truth yet
    samples = ticket_training_samples()
    assert [s.label for s in samples] == [earlier.unit.code, later.unit.code]
    assert samples[0].text == "a\nA" and samples[0].tokens is None
    assert (samples[1].tokens, samples[1].tokens_signature) == (["x"], "s")


def test_a_supervisors_ruling_is_a_training_label_before_the_ticket_is_resolved(org):
    from tickets.models import Ruling

    ticket = org.ticket("assigned", unit=org.other_unit, title="管网", content="小区管网漏水")
    Ruling.objects.create(ticket=ticket, returned_by=["a", "b"], state="decided",
                          unit=org.other_unit, requested_at=timezone.now(),
                          decided_at=timezone.now())
    Ruling.objects.create(ticket=org.ticket("triage"), returned_by=["a", "b"],
                          requested_at=timezone.now())  # pending: no label yet
    samples = ticket_training_samples()
    assert [(s.text, s.label) for s in samples] == [("管网\n小区管网漏水", "water")]


@pytest.mark.django_db
def test_the_nightly_retrain_is_on_beat_at_two_in_the_morning(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["router-nightly-retrain"]
    assert entry["task"] == "routing_model.tasks.router_retrain_task"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({2}, {0})
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"
