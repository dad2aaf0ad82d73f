"""The one rule of who sees what of citizens' personal data (tickets.services.privacy)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from tickets.core.errors import TransitionConditionFailed, TransitionForbidden
from tickets.core.masking import mask_data, mask_name
from tickets.models import TicketEvent
from tickets.services.privacy import personal_data_view, ticket_pii_reveal

pytestmark = pytest.mark.django_db
TEXT = "请回电 13912345678"


def test_without_the_permission_free_text_is_masked_and_nothing_may_be_revealed(org):
    shown = personal_data_view(user=org.centre_supervisor.user)
    assert (shown.text(TEXT), shown.may_reveal) == ("请回电 139****5678", False)


def test_with_the_permission_free_text_reads_as_written_but_the_citizen_stays_masked(
        org, grant_pii):
    grant_pii(org.assignee.user)
    shown = personal_data_view(user=org.assignee.user)
    assert (shown.text(TEXT), shown.may_reveal) == (TEXT, True)
    assert shown.phone("13812345678") == "138****5678"
    assert shown.id_number("440304199001011234") == "440304********1234"


def test_a_superuser_reads_free_text_but_still_reveals_the_citizen(superuser):
    shown = personal_data_view(user=superuser)
    assert shown.text(TEXT) == TEXT and shown.phone("13812345678") == "138****5678"


@pytest.mark.parametrize("who", ["nobody", "visitor", "inactive"])
def test_nobody_a_visitor_or_an_inactive_account_sees_everything_masked(org, grant_pii, who):
    user = {"nobody": None, "visitor": AnonymousUser(), "inactive": org.assignee.user}[who]
    if who == "inactive":
        grant_pii(user)
        user.is_active = False
    assert personal_data_view(user=user).text(TEXT) == "请回电 139****5678"


def test_an_anonymised_ticket_is_masked_for_the_permitted_too(org, grant_pii):
    grant_pii(org.assignee.user)
    ticket = org.ticket("closed", anonymised_at=timezone.now())
    shown = personal_data_view(user=org.assignee.user, ticket=ticket)
    assert (shown.text(TEXT), shown.may_reveal) == ("请回电 139****5678", False)
    with pytest.raises(TransitionConditionFailed):
        ticket_pii_reveal(ticket=ticket, actor=org.assignee.user)
    assert not TicketEvent.objects.filter(action="reveal_pii").exists()


def test_a_reveal_without_the_permission_is_refused_and_leaves_no_event(org):
    with pytest.raises(TransitionForbidden):
        ticket_pii_reveal(ticket=org.ticket("assigned"), actor=org.assignee.user)
    assert not TicketEvent.objects.exists()


def test_json_values_keep_their_shape_with_every_string_masked():
    value = {"reporter": "网格员 13912345678", "photos": ["a 0755-83001234"], "heat": 13912345678}
    assert mask_data(value) == {"reporter": "网格员 139****5678",
                                "photos": ["a 075*****1234"], "heat": 13912345678}


@pytest.mark.parametrize(("name", "masked"), [("张先生", "张**"), ("李", "*"), ("", "")])
def test_an_anonymised_name_keeps_the_surname(name, masked):
    assert mask_name(name) == masked
