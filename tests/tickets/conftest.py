from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from sla.models import Extension, Supervision, Suspension
from tickets.core.trail import ticket_event_record
from tickets.models import AssistTask, ReturnRequest, Ruling, Ticket

# Somebody's numbers written into free text, and how everybody without the permission sees them.
MOBILE, LANDLINE, ID_NUMBER = "13912345678", "0755-83001234", "110101199003071234"
RAW = (MOBILE, LANDLINE, ID_NUMBER)
MASKED = ("139****5678", "075*****1234", "110101********1234")
NUMBERS = f"{MOBILE}，座机 {LANDLINE}，身份证 {ID_NUMBER}"


@dataclass
class Numbered:
    """A ticket with phone and ID numbers in every kind of free text around it."""

    ticket: Ticket
    extension: Extension
    return_request: ReturnRequest


@pytest.fixture
def numbered(org) -> Numbered:
    now = timezone.now()
    ticket = org.ticket("assigned", title=f"请回电 {MOBILE}", content=f"邻居噪音扰民。{NUMBERS}",
                        reply=f"已答复 {MOBILE}", follow_up_note=f"回访 {LANDLINE}",
                        source_details={"reporter": f"网格员 {MOBILE}"})
    ticket_event_record(ticket=ticket, actor=org.assignee.user, action="record_contact",
                        reason=f"已电话联系 {NUMBERS}", payload={"note": f"号码 {MOBILE}"})
    Supervision.objects.create(ticket=ticket, unit=org.unit, level="district",
                               instructions=f"请联系 {MOBILE}", issued_by_label="督办员",
                               issued_at=now, reply_due_at=now + timedelta(hours=24),
                               state="answered", answer=f"已联系 {LANDLINE}",
                               answered_by_label="经办人", answered_at=now)
    AssistTask.objects.create(ticket=ticket, unit=org.other_unit, task=f"协助联系 {MOBILE}",
                              reply=f"已联系 {ID_NUMBER}", created_at=now)
    Suspension.objects.create(ticket=ticket, reason=f"联系不上 {MOBILE}", state="active",
                              requested_by=org.assignee.user, requested_at=now, started_at=now)
    extension = Extension.objects.create(
        ticket=ticket, reason=f"等待 {LANDLINE} 回复", new_due_at=now + timedelta(days=3),
        old_due_at=now + timedelta(days=1), requested_by=org.assignee.user, requested_at=now)
    return_request = ReturnRequest.objects.create(
        ticket=ticket, unit=org.unit, reason_code="other", text=f"报事人 {MOBILE} 不在辖区",
        requested_by=org.assignee.user, requested_at=now)
    Ruling.objects.create(ticket=ticket, returned_by=[org.unit.code], requested_at=now)
    return Numbered(ticket=ticket, extension=extension, return_request=return_request)


@pytest.fixture
def grant_pii():
    def grant(user) -> None:
        user.user_permissions.add(Permission.objects.get(content_type__app_label="tickets",
                                                         codename="view_citizen_pii"))
        for cache in ("_perm_cache", "_user_perm_cache"):
            user.__dict__.pop(cache, None)
    return grant


def shows_no_raw_number(page: str) -> bool:
    return not any(raw in page for raw in RAW)
