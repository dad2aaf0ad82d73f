"""Choosing the named person for a ticket: on duty now, least loaded relative to capacity,
round-robin on ties; else the unit's duty lead; else the unit queue. Never an off-duty person.

Safe under concurrency on PostgreSQL: a candidate is taken with SELECT … FOR UPDATE SKIP LOCKED
and their load counted again under that lock, so two dispatches in parallel pick different
people or queue behind each other, and nobody is pushed over capacity.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, cast

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from org.models import Staff, Unit
from org.selectors import staff_is_on_leave, staff_on_duty
from tickets.models import WORKING_STATES, Ticket


class AssignedHow:
    ON_DUTY = "on_duty"
    DUTY_LEAD = "duty_lead"
    UNIT_QUEUE = "unit_queue"


@dataclass(frozen=True)
class AssigneeChoice:
    staff: Staff | None
    how: str
    load: int = 0  # the person's open tickets before this one


def _loads(staff_ids: list[int]) -> dict[int, int]:
    # Served by the ticket_assignee_state (assignee, state) index.
    rows = (Ticket.objects.filter(assignee_id__in=staff_ids, state__in=WORKING_STATES)
            .values("assignee_id").annotate(n=Count("pk")))
    loads = dict.fromkeys(staff_ids, 0)
    loads.update({r["assignee_id"]: r["n"] for r in rows})
    return loads


class _Full(Exception):
    pass


def _try(staff_id: int, how: str, at: datetime, *,
         wait: bool) -> AssigneeChoice | Literal[False] | None:
    """Lock the person and take them if they have room. In a savepoint, so that a person
    found full is unlocked again: holding a full person while waiting for another deadlocks
    with a dispatch doing the reverse. False: locked by another dispatch (skipped)."""
    try:
        with transaction.atomic():
            # of=("self",): only the person's row. Joined rows would be locked too, and every
            # dispatch to a unit locking the unit's row deadlocks with the commit-time
            # foreign-key checks (FOR KEY SHARE) of tickets pointing at that unit.
            query = Staff.objects.select_related("user", "unit").filter(pk=staff_id)
            staff = query.select_for_update(skip_locked=not wait, of=("self",)).first()
            if staff is None:
                return False
            load = _loads([staff.pk])[staff.pk]  # counted again under the lock
            if load >= staff.capacity:
                raise _Full
            staff.last_assigned_at = at
            staff.save(update_fields=["last_assigned_at"])
            return AssigneeChoice(staff, how, load)
    except _Full:
        return None


def assignee_choose(*, unit: Unit, at: datetime | None) -> AssigneeChoice:
    """Pick and lock the person; call inside the transaction that assigns the ticket (and
    lock the ticket first, so that two dispatches of one ticket queue before choosing)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("assignee_choose must run inside the assigning transaction")
    at = at or timezone.now()
    people = staff_on_duty(unit=unit, at=at)
    # The snapshot only ranks; with one candidate there is nothing to rank (the load that
    # counts is read again under the lock).
    loads = _loads([p.pk for p in people]) if len(people) > 1 else dict.fromkeys(
        [p.pk for p in people], 0)
    epoch = datetime.min.replace(tzinfo=at.tzinfo)
    ranked = sorted(people, key=lambda p: (loads[p.pk] / max(p.capacity, 1),
                                           p.last_assigned_at or epoch, p.pk))
    busy = []
    for person in ranked:
        if loads[person.pk] >= person.capacity:
            continue
        choice = _try(person.pk, AssignedHow.ON_DUTY, at, wait=False)
        if choice is False:
            busy.append(person.pk)  # being assigned to in another transaction right now
        elif choice:
            return choice
    for staff_id in busy:  # everyone free was busy: wait for them, in order of preference
        if choice := _try(staff_id, AssignedHow.ON_DUTY, at, wait=True):
            return choice
    lead = unit.duty_lead
    available = (lead is not None and lead.user.is_active
                 and not staff_is_on_leave(staff=lead, at=at))
    # available: lead is not None.
    if available and (choice := _try(cast(Staff, lead).pk, AssignedHow.DUTY_LEAD, at, wait=True)):
        return choice
    return AssigneeChoice(None, AssignedHow.UNIT_QUEUE)
