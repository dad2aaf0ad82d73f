"""Citizens' personal data: what each person sees of it, the reveal of a citizen's full phone
and ID number, and raw intake bodies.

``personal_data_view`` is the one rule the console, the API and the admin apply, so they cannot
disagree:

- the citizen's phone and ID number are masked for everybody; a person with
  ``tickets.view_citizen_pii`` may reveal them (``ticket_pii_reveal``), and every reveal is a
  ``reveal_pii`` event;
- phone and ID numbers inside free text (title, content, reply, notes, the trail, the rows
  around a ticket) are masked for people without that permission. People with it read free
  text as written: it is the request they work on, the numbers in it are often somebody
  else's (a shop, a property manager) that they must call, and a reveal per ticket just to
  read it would make ``reveal_pii`` events routine and worthless as an audit;
- once a ticket's citizen data has been anonymised (tickets.services.retention), its free
  text is masked for everybody, the trail included (events are append-only and keep what
  was written), and there is nothing left to reveal.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied

from org.roles import is_superuser
from tickets.core.errors import TransitionConditionFailed, TransitionForbidden
from tickets.core.masking import (
    mask_data,
    mask_id_number,
    mask_personal_numbers,
    mask_phone,
)
from tickets.core.trail import actor_label, ticket_event_record
from tickets.models import AccessKind, AccessLog, EventAction, IntakeRecord, Ticket

# Whoever asks: a signed-in user, a visitor (request.user), or None for the system.
Viewer = AbstractBaseUser | AnonymousUser | None

PII_PERMISSION = "tickets.view_citizen_pii"


@dataclass(frozen=True)
class PersonalDataView:
    """What one person sees of citizens' personal data (on one ticket, or in a list)."""

    may_reveal: bool  # may ask for the full phone and ID number (each time an event)
    text_in_full: bool  # reads free text as written

    def phone(self, value: str) -> str:
        return mask_phone(value)

    def id_number(self, value: str) -> str:
        return mask_id_number(value)

    def text(self, value: str) -> str:
        return value if self.text_in_full else mask_personal_numbers(value)

    def data(self, value: Any) -> Any:
        return value if self.text_in_full else mask_data(value)


# For a page that forgot to ask: everything masked.
MASKED = PersonalDataView(may_reveal=False, text_in_full=False)


def citizen_pii_permitted(*, user: Viewer) -> bool:
    return (isinstance(user, User) and user.is_active
            and user.has_perm(PII_PERMISSION))


def personal_data_view(*, user: Viewer, ticket: Ticket | None = None) -> PersonalDataView:
    """What ``user`` sees; with ``ticket``, of that ticket (its trail included), without, of a
    list (whose anonymised tickets hold masked values already)."""
    permitted = citizen_pii_permitted(user=user)
    if ticket is not None and ticket.anonymised_at is not None:
        return MASKED
    return PersonalDataView(may_reveal=permitted, text_in_full=permitted)


@dataclass(frozen=True)
class RevealedPii:
    phone: str
    id_number: str


def ticket_pii_reveal(*, ticket: Ticket, actor: User) -> RevealedPii:
    if not citizen_pii_permitted(user=actor):
        raise TransitionForbidden(ticket=ticket, action="reveal_pii",
                                  actor_label=actor_label(actor))
    if ticket.anonymised_at is not None:
        raise TransitionConditionFailed(ticket=ticket, action="reveal_pii",
                                        reason="诉求人信息已过保存期限并匿名化")
    ticket_event_record(ticket=ticket, actor=actor, action=EventAction.REVEAL_PII,
                        reason="查看诉求人完整电话和身份证号")
    return RevealedPii(ticket.citizen_phone, ticket.citizen_id_number)


@dataclass(frozen=True)
class IntakeBody:
    """A raw intake request as received; ``text`` is None once purged (the hash stays)."""

    text: str | None
    headers: dict[str, Any]
    sha256: str
    purged_at: datetime | None


def intake_body_read(*, record: IntakeRecord, actor: User) -> IntakeBody:
    """The body and headers of a stored request: superusers only, each look an AccessLog row
    (a purged record shows only its hash, and nothing is logged)."""
    if not is_superuser(actor):
        raise PermissionDenied("只有超级管理员可以查看受理原始请求")
    if record.body_purged_at is not None:
        return IntakeBody(text=None, headers={}, sha256=record.body_sha256,
                          purged_at=record.body_purged_at)
    AccessLog.objects.create(actor=actor, actor_label=actor_label(actor),
                             kind=AccessKind.INTAKE_BODY, intake_record=record,
                             ticket_id=record.ticket_id)
    body = bytes(record.body)
    return IntakeBody(text=body.decode("utf-8", errors="replace"), headers=dict(record.headers),
                      sha256=hashlib.sha256(body).hexdigest(), purged_at=None)
