"""The inbox (通知): one's own notices, the bell that counts the unread ones on every page, and
marking them read. Open to everyone the console knows; a person without a Staff row (a
superuser) has no notices, so the page says so and nothing else here has anything of theirs.

Opening a notice's ticket goes through inbox_open, a GET: it is a plain link (new tab, middle
click work) and it changes nothing but the person's own read flag on their own notice, so a
forged or prefetched request can do no more than mark one notice read."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from console.views.common import console_view, local_next, person_of
from org.models import Staff
from org.roles import staff_of
from tickets.outbox.notifications import notification_mark_read
from tickets.selectors.inbox import (
    notification_inbox_items,
    notification_list,
    notification_of,
    notification_unread_count,
)
from tickets.selectors.visible import ticket_is_visible

PAGE_SIZE = 50
UNREAD = "unread"


def _staff(request: HttpRequest) -> Staff | None:
    return staff_of(person_of(request))


def _own_staff(request: HttpRequest) -> Staff:
    """Only a Staff row has notices: anyone else has nothing here to act on."""
    staff = _staff(request)
    if staff is None:
        raise Http404
    return staff


@console_view
def inbox(request: HttpRequest) -> HttpResponse:
    staff = _staff(request)
    if staff is None:
        return render(request, "console/inbox.html", {"title": _("通知"), "no_staff": True})
    show = UNREAD if request.GET.get("show") == UNREAD else ""
    page = Paginator(notification_list(staff=staff, unread_only=bool(show)),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    params = {k: v for k, v in (("show", show), ("page", page.number)) if v and v != 1}
    here = reverse("console:inbox") + (f"?{urlencode(params)}" if params else "")
    context = {
        "title": _("通知"), "page": page, "show": show, "here": here,
        "poll": reverse("console:inbox") + "?" + urlencode({"partial": 1, **params}),
        "items": notification_inbox_items(user=person_of(request),
                                          notifications=page.object_list),
        "unread": notification_unread_count(staff=staff)}
    if request.headers.get("HX-Request") and request.GET.get("partial"):
        return render(request, "console/partials/inbox_list.html", context)
    return render(request, "console/inbox.html", context)


@console_view
def inbox_bell(request: HttpRequest) -> HttpResponse:
    """The bell alone, for its own 10-second poll (the template tag counts)."""
    return render(request, "console/partials/bell.html")


@console_view
@require_POST
def inbox_read(request: HttpRequest) -> HttpResponse:
    """标为已读: the notices named by ``id`` (each must be one's own, else 404), or with
    ``all`` every unread one."""
    staff = _own_staff(request)
    if request.POST.get("all"):
        marked = notification_mark_read(staff=staff)
    else:
        try:
            ids = {int(value) for value in request.POST.getlist("id")}
        except ValueError:
            raise Http404 from None
        if not ids or notification_list(staff=staff).filter(pk__in=ids).count() != len(ids):
            raise Http404
        marked = notification_mark_read(staff=staff, ids=ids)
    if marked:
        messages.success(request, _("已将 %(n)s 条通知标为已读") % {"n": marked})
    return redirect(local_next(request) or "console:inbox")


@console_view
def inbox_open(request: HttpRequest, pk: int) -> HttpResponse:
    """The notice's ticket, the notice marked read on the way."""
    staff = _own_staff(request)
    notice = notification_of(staff=staff, pk=pk)
    if notice is None:
        raise Http404
    notification_mark_read(staff=staff, ids=[notice.pk])
    ticket = notice.ticket
    if ticket is not None and ticket_is_visible(user=person_of(request), ticket=ticket):
        return redirect("console:ticket", number=ticket.number)
    if ticket is not None:  # it has left the person's unit since
        messages.info(request, _("该工单已不在您的可见范围内"))
    return redirect("console:inbox")
