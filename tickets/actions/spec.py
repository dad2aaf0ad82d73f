"""The shape of a catalogue entry: plain frozen dataclasses, no forms or serializers. The
interfaces turn a ``Field`` into their own input (a Django form field, a DRF field) and call
``TicketAction.perform``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import User
from django.db.models import Model

from tickets.models import Ticket, TicketState

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class FieldKind(Enum):
    TEXT = "text"  # one line
    LONG_TEXT = "long_text"  # a few lines (a note, a reply)
    CHOICE = "choice"  # one of the field's choices
    UNIT = "unit"  # a unit, by its code
    PERSON = "person"  # a member of staff (the API names them by account)
    DATETIME = "datetime"
    TICKET_NUMBER = "ticket_number"  # another ticket, by its number
    VERSION = "version"  # the ticket version the caller saw (the API's optimistic check)


Choices = tuple[tuple[str, "StrOrPromise"], ...]


@dataclass(frozen=True)
class Field:
    name: str
    kind: FieldKind
    label: StrOrPromise
    # The caller must send it. With ``blank`` an empty text still passes, so that the service
    # says what is missing in its own words ("请填写作废原因").
    required: bool = True
    blank: bool = False
    choices: Choices = ()
    help: str = ""
    rows: int = 2  # of a long text's box


Values = Mapping[str, Any]
# The service call: the values are the fields' (version aside), shaped into the service's
# keyword arguments. It returns the ticket, or the row it created on it.
Call = Callable[[Ticket, User, Values], Model]
MayTake = Callable[[Ticket, User], bool]


class Result(Enum):
    TICKET = "ticket"  # the service moves or edits the ticket and returns it
    ROW = "row"  # the service adds a row on the ticket (a request, a task, an order)


@dataclass(frozen=True)
class TicketAction:
    name: str  # console URL and form prefix, the admin's act/<name>/
    label: StrOrPromise  # the button and the form's title
    api_path: str  # POST /api/tickets/<number>/<api_path>/
    api_name: str  # the API view's method: names the route
    summary: str  # the OpenAPI operation's summary
    fields: tuple[Field, ...]
    call: Call
    # Who is offered the action, in which states: only what to show. The services decide.
    may_take: MayTake
    states: tuple[TicketState, ...]
    result: Result = Result.TICKET
    may_leave: bool = False  # afterwards the ticket may be out of the person's sight
    # The state machine's transitions the service applies (none for requests and edits).
    transitions: tuple[str, ...] = ()

    def offered_to(self, ticket: Ticket, user: User) -> bool:
        return ticket.state in self.states and self.may_take(ticket, user)

    def perform(self, *, ticket: Ticket, actor: User, values: Values) -> Ticket:
        """Run the service; answer with the ticket as it now stands. Refusals are the
        service's errors (tickets.core.errors), raised unchanged."""
        given = dict(values)
        seen = given.pop("version", None)
        if seen is not None:
            ticket.version = seen  # the service refuses a ticket changed since the caller saw it
        done = self.call(ticket, actor, given)
        return done if isinstance(done, Ticket) else Ticket.objects.get(pk=ticket.pk)
