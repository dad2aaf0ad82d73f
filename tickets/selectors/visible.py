"""One ticket, a few tickets, or a row on a ticket (a request, an order, a task), found only
among the tickets a person may see: what they may not see does not exist for them (404)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Model, QuerySet

from tickets.core.selectors import ticket_visible_to
from tickets.models import Ticket

Row = TypeVar("Row", bound=Model)
# A signed-in person, or a visitor who sees nothing.
Viewer = AbstractBaseUser | AnonymousUser


def ticket_visible_by_number(*, user: Viewer, number: str) -> Ticket | None:
    return ticket_visible_to(user=user).filter(number=number.strip()).first()


def ticket_visible_list(*, user: Viewer, numbers: Sequence[str]) -> list[Ticket]:
    """The tickets with these numbers that the person may see, in no particular order."""
    return list(ticket_visible_to(user=user).filter(number__in=list(numbers)))


def ticket_is_visible(*, user: Viewer, ticket: Ticket) -> bool:
    """Still in sight? After a return or a transfer the ticket may have left the unit."""
    return ticket_visible_to(user=user).filter(pk=ticket.pk).exists()


def ticket_rows_visible(*, user: Viewer, model: type[Row]) -> QuerySet[Row]:
    """Rows of ``model`` (each with a ``ticket``) that hang on tickets the person may see."""
    visible = ticket_visible_to(user=user).values("pk")
    return model._default_manager.filter(ticket_id__in=visible).select_related("ticket")


def ticket_row_visible(*, user: Viewer, model: type[Row], pk: int) -> Row | None:
    return ticket_rows_visible(user=user, model=model).filter(pk=pk).first()
