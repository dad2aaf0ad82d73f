"""What every console page shares: login, the person's role, and turning service errors into
pages (404 for tickets one may not see, 403 with the reason, inline field errors)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from console.roles import ConsoleRole, console_role
from tickets.core.errors import (
    IllegalTransition,
    TicketConflict,
    TicketError,
    TicketInputError,
    TransitionForbidden,
)
from tickets.core.selectors import ticket_visible_to
from tickets.models import Ticket

View = Callable[..., HttpResponse]


def console_view(view: View) -> View:
    """Logged in and known to the console (staff or superuser), else a page that says so."""
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        role = console_role(request.user)
        if role is None:
            return render(request, "console/error.html",
                          {"message": _("您的账号没有工作台权限，请联系管理员。")}, status=403)
        request.console_role = role
        return view(request, *args, **kwargs)
    return wrapped


def role_of(request: HttpRequest) -> ConsoleRole:
    return request.console_role


def visible_ticket(request: HttpRequest, number: str) -> Ticket:
    """A ticket the person may see, or 404 (not 403: numbers must not leak)."""
    return get_object_or_404(ticket_visible_to(user=request.user), number=number)


def apply_errors(form: forms.Form, error: TicketError) -> int:
    """Put a service's refusal on the form; returns the HTTP status to answer with."""
    if isinstance(error, TicketInputError):
        for field, messages in error.field_errors.items():
            for message in messages:
                form.add_error(field if field in form.fields else None, message)
        return 400
    form.add_error(None, str(error))
    if isinstance(error, TransitionForbidden):
        return 403
    if isinstance(error, TicketConflict | IllegalTransition):
        return 409
    return 400
