"""Who may do what: each action against every kind of actor. Refusals change nothing."""

from __future__ import annotations

import pytest

from tickets.core.errors import TransitionForbidden
from tickets.models import Ticket, TicketEvent
from tickets.services import lifecycle as services

ACTORS = ["system", "centre_dispatcher", "centre_supervisor", "lead", "assignee", "coworker",
          "unit_dispatcher", "other_lead", "outsider"]

# (action, state it is tried in) -> who may do it. Written from the brief, not from the code.
ALLOWED: dict[tuple[str, str], set[str]] = {
    ("triage", "received"): {"system", "centre_dispatcher"},
    ("assign", "triage"): {"system", "centre_dispatcher"},
    ("record_contact", "assigned"): {"assignee", "lead"},
    ("record_meeting", "contacted"): {"assignee", "lead"},
    ("resolve", "met"): {"assignee", "lead"},
    ("close", "resolved"): {"system", "centre_dispatcher", "centre_supervisor"},
    ("reopen", "resolved"): {"system", "centre_dispatcher", "centre_supervisor"},
    ("return_to_triage", "assigned"): {"lead"},
    ("transfer", "assigned"): {"lead", "centre_dispatcher"},
    ("merge", "triage"): {"system", "centre_dispatcher"},
    ("reject", "triage"): {"system", "centre_dispatcher"},
    ("reassign", "contacted"): {"system", "centre_dispatcher", "lead", "unit_dispatcher"},
    ("edit", "assigned"): {"system", "centre_dispatcher", "lead"},
}


def _actor(org, django_user_model, name: str):
    if name == "system":
        return None
    if name == "outsider":
        return django_user_model.objects.create_user("outsider", password="x")
    return getattr(org, name).user


def _run(org, action: str, ticket: Ticket, actor) -> Ticket:
    if action == "triage":
        return services.ticket_triage(ticket=ticket, actor=actor)
    if action == "assign":
        return services.ticket_assign(ticket=ticket, actor=actor, unit=org.unit,
                                      assignee=org.assignee)
    if action == "record_contact":
        return services.ticket_record_contact(ticket=ticket, actor=actor)
    if action == "record_meeting":
        return services.ticket_record_meeting(ticket=ticket, actor=actor)
    if action == "resolve":
        return services.ticket_resolve(ticket=ticket, actor=actor, reply="已处理")
    if action == "close":
        return services.ticket_follow_up(ticket=ticket, actor=actor, satisfaction="satisfied")
    if action == "reopen":
        return services.ticket_follow_up(ticket=ticket, actor=actor, satisfaction="unsatisfied")
    if action == "return_to_triage":
        return services.ticket_return(ticket=ticket, actor=actor, reason="非本单位职责")
    if action == "transfer":
        return services.ticket_transfer(ticket=ticket, actor=actor, unit=org.other_unit,
                                        assignee=org.other_caseworker, reason="供水问题")
    if action == "merge":
        return services.ticket_merge(ticket=ticket, actor=actor, parent=org.ticket("assigned"))
    if action == "reject":
        return services.ticket_reject(ticket=ticket, actor=actor, reason="骚扰")
    if action == "reassign":
        return services.ticket_reassign(ticket=ticket, actor=actor, assignee=org.coworker)
    if action == "edit":
        return services.ticket_update_routing(ticket=ticket, actor=actor, urgency="urgent")
    raise AssertionError(action)


@pytest.mark.parametrize("actor_name", ACTORS)
@pytest.mark.parametrize(("action", "state"), list(ALLOWED))
def test_only_the_right_roles_may_act(org, django_user_model, action, state, actor_name):
    ticket = org.ticket(state)
    before = Ticket.objects.values().get(pk=ticket.pk)
    actor = _actor(org, django_user_model, actor_name)

    if actor_name in ALLOWED[(action, state)]:
        _run(org, action, ticket, actor)
        assert Ticket.objects.get(pk=ticket.pk).version == before["version"] + 1
        assert TicketEvent.objects.filter(ticket=ticket).exists()
    else:
        with pytest.raises(TransitionForbidden) as err:
            _run(org, action, ticket, actor)
        assert "无权" in err.value.message
        assert Ticket.objects.values().get(pk=ticket.pk) == before
        assert not TicketEvent.objects.filter(ticket=ticket).exists()


def test_a_deactivated_assignee_may_no_longer_act(org):
    ticket = org.ticket("assigned")
    org.assignee.user.is_active = False
    org.assignee.user.save()
    with pytest.raises(TransitionForbidden):
        services.ticket_record_contact(ticket=ticket, actor=org.assignee.user)


def test_a_superuser_may_do_what_any_role_may(org, superuser):
    ticket = services.ticket_return(ticket=org.ticket("met"), actor=superuser, reason="测试")
    assert ticket.state == "triage"
