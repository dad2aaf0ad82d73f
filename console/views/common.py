"""What every console page shares: login, the signed-in person and their role, the pages only
some roles may open (403), and 404 for tickets one may not see (refusals go onto forms with
tickets.actions.forms.refusal_onto_form: 403 with the reason, inline field errors)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from console.roles import ConsoleRole, console_role, roles_that_may_open
from tickets.core.text import control_character_in
from tickets.models import Ticket
from tickets.selectors.visible import ticket_visible_by_number

View = Callable[..., HttpResponse]


def console_view(view: View) -> View:
    """Logged in and known to the console (staff or superuser), else a page that says so."""
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        role = console_role(person_of(request))
        if role is None:
            return render(request, "console/error.html",
                          {"message": _("您的账号没有工作台权限，请联系管理员。")}, status=403)
        request.console_role = role  # type: ignore[attr-defined]  # read by base.html's nav
        return view(request, *args, **kwargs)
    return wrapped


def console_page(page: str) -> Callable[[View], View]:
    """A page (or a form posting to it) only some roles may open: those whose navigation lists
    ``page`` (console.roles). Anyone else signed in gets the 403 page, which says who may."""
    def decorate(view: View) -> View:
        @wraps(view)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not role_of(request).may_open(page):
                allowed = "、".join(str(role.label) for role in roles_that_may_open(page))
                raise PermissionDenied(
                    _("此页面仅供%(roles)s使用，您的角色（%(role)s）无权查看。") % {
                        "roles": allowed, "role": role_of(request).label})
            return view(request, *args, **kwargs)
        return console_view(checked)
    return decorate


def person_of(request: HttpRequest) -> User:
    """The signed-in person (console_view lets nobody else through)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def role_of(request: HttpRequest) -> ConsoleRole:
    return cast(ConsoleRole, request.console_role)  # type: ignore[attr-defined]


def local_next(request: HttpRequest) -> str | None:
    """The page a form asks to go back to after it is done (POST ``next``): a path on this
    site only, never another host (an open redirect would hand a signed-in person elsewhere)."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return None


def visible_ticket(request: HttpRequest, number: str) -> Ticket:
    """A ticket the person may see, or 404 (not 403: numbers must not leak). A number with a
    control character in the URL is no ticket either, and never reaches the database."""
    if control_character_in(number, strict=True) is not None:
        raise Http404
    ticket = ticket_visible_by_number(user=person_of(request), number=number)
    if ticket is None:
        raise Http404
    return ticket
