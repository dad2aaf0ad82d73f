"""Queues per role. Each page re-renders only its table when htmx polls it (every 10 s), so
a new ticket appears without a reload."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from console.forms import BulkDispatchForm, QueueFilterForm, RulingForm
from console.views.common import console_page, console_view, person_of, role_of
from org.roles import staff_of
from org.selectors import unit_by_code
from tickets.core.text import control_character_in
from tickets.dispatching.services import ticket_dispatch_many
from tickets.models import Ticket
from tickets.selectors import oversight, queues
from tickets.selectors.visible import ticket_visible_list

PAGE_SIZE = 50


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("console:login")
    return _home(request)


@console_view
def _home(request: HttpRequest) -> HttpResponse:
    return redirect(role_of(request).home)


def _queue_page(request: HttpRequest, tickets: QuerySet[Ticket], *, title: str,
                template: str = "console/queue.html", **extra: Any) -> HttpResponse:
    filters = QueueFilterForm(request.GET or None)
    if filters.is_valid():
        tickets = queues.ticket_queue_filter(tickets=tickets, filters=queues.QueueFilters(
            **{k: v for k, v in filters.cleaned_data.items() if v not in (None, "")}))
    sort = queues.ticket_queue_sort_key(key=request.GET.get("sort", ""))
    tickets = queues.ticket_queue_sort(tickets=tickets, key=sort)
    page = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))
    # What the rows' polling and the one-click forms carry on: the filters, the sort and the
    # page, not the poll's own flag (else each poll would append another one).
    kept = request.GET.copy()
    kept.pop("partial", None)
    context = {"title": title, "page": page, "filters": filters, "now": timezone.now(),
               "query": kept.urlencode(), "sort": sort, **extra}
    if request.headers.get("HX-Request") and request.GET.get("partial"):
        return render(request, "console/partials/ticket_rows.html", context)
    return render(request, template, context)


@console_page("console:mine")
def mine(request: HttpRequest) -> HttpResponse:
    return _queue_page(request, queues.ticket_my_queue(user=person_of(request)),
                       title=_("我的工单"))


@console_page("console:unit")
def unit(request: HttpRequest) -> HttpResponse:
    staff = staff_of(person_of(request))
    title = _("%(unit)s · 在办工单") % {"unit": staff.unit.name} if staff else _("本单位工单")
    return _queue_page(request, queues.ticket_unit_queue(user=person_of(request)), title=title)


@console_page("console:all_open")
def all_open(request: HttpRequest) -> HttpResponse:
    return _queue_page(request, queues.ticket_all_open(user=person_of(request)),
                       title=_("全部在办工单"))


@console_page("console:triage")
def triage(request: HttpRequest) -> HttpResponse:
    tickets = queues.ticket_triage_queue(user=person_of(request))
    return _queue_page(request, tickets, title=_("分拨队列"), template="console/triage.html",
                       units=unit_by_code(), bulk_form=BulkDispatchForm(), triage=True)


@console_page("console:triage")
@require_POST
def bulk_dispatch(request: HttpRequest) -> HttpResponse:
    form = BulkDispatchForm(request.POST)
    # A "number" with a control character is no ticket (and PostgreSQL refuses a NUL).
    numbers = [n for n in request.POST.getlist("numbers")
               if control_character_in(n, strict=True) is None]
    if not form.is_valid() or not numbers:
        messages.error(request, _("请勾选工单并选择承办单位"))
        return redirect("console:triage")
    person = person_of(request)
    tickets = ticket_visible_list(user=person, numbers=numbers)
    outcomes = ticket_dispatch_many(tickets=tickets, actor=person,
                                    unit=form.cleaned_data["unit"],
                                    reason=form.cleaned_data["reason"])
    done = [o for o in outcomes if o.ok]
    if done:
        messages.success(request, _("已派 %(n)s 张工单到 %(unit)s") % {
            "n": len(done), "unit": form.cleaned_data["unit"].name})
    for failed in (o for o in outcomes if not o.ok):
        messages.error(request, f"{failed.number}：{failed.error}")
    return redirect("console:triage")


@console_page("console:overview")
def overview(request: HttpRequest) -> HttpResponse:
    since = timezone.now() - timedelta(days=30)
    return render(request, "console/overview.html", {
        "title": _("全区概览"), "units": queues.unit_overview(since=since),
        "open_supervisions": oversight.supervision_open_count(),
        "pending_rulings": oversight.ruling_pending_count()})


@console_page("console:supervisions")
def supervisions(request: HttpRequest) -> HttpResponse:
    return render(request, "console/supervisions.html", {
        "title": _("督办单"), "orders": oversight.supervision_visible_list(user=person_of(request)),
        "now": timezone.now()})


@console_page("console:rulings")
def rulings(request: HttpRequest) -> HttpResponse:
    return render(request, "console/rulings.html", {
        "title": _("待审定（多次退单）"),
        "rulings": oversight.ruling_pending_list(user=person_of(request)), "form": RulingForm()})
