"""The 回访 worklist of the dispatch centre: resolved tickets waiting for the follow-up call,
the most overdue first, each with its outcome form. 满意/基本满意/不满意 end the task through
``ticket_follow_up`` (the service the API calls); 未接通 counts an attempt and keeps the task
open. A done outcome redirects back to the worklist (POST/redirect/GET); a refused one (the
ticket was followed up or changed meanwhile) is a message there, never an error page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from console.views.common import console_page, local_next, person_of
from tickets.actions.forms import no_control_characters
from tickets.actions.refusals import refusal_message
from tickets.core.errors import TicketError, TransitionForbidden
from tickets.models import FollowUpTask, Satisfaction
from tickets.selectors.follow_ups import follow_up_open_list, follow_up_visible, follow_up_warn_at
from tickets.selectors.queues import channel_choice_list
from tickets.services.follow_ups import follow_up_record_attempt, follow_up_task_complete
from tickets.services.privacy import PersonalDataView, personal_data_view

PAGE = "console:follow_ups"
PAGE_SIZE = 50
UNREACHABLE = "unreachable"


class FollowUpFilterForm(forms.Form):
    overdue = forms.BooleanField(label=gettext_lazy("只看超时"), required=False)
    channel = forms.ChoiceField(label=gettext_lazy("渠道"), required=False)

    def __init__(self, data: Any = None) -> None:
        super().__init__(data)
        cast(forms.ChoiceField, self.fields["channel"]).choices = [
            ("", gettext_lazy("全部")), *channel_choice_list()]


class FollowUpOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("回访结果"), choices=[
        *Satisfaction.choices, (UNREACHABLE, gettext_lazy("未接通"))])
    note = forms.CharField(label=gettext_lazy("回访记录"), required=False, max_length=500,
                           validators=[no_control_characters])
    # The ticket's version the caller saw: a ticket changed since is refused (TicketConflict).
    version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)


@dataclass(frozen=True)
class Row:
    """One task as the worklist shows it: the phone masked for everybody (the ticket page
    has the reveal button, which is audited)."""

    task: FollowUpTask
    phone: str
    warn_at: datetime
    overdue: bool


def _rows(tasks: list[FollowUpTask], pii: PersonalDataView, now: datetime) -> list[Row]:
    return [Row(task=t, phone=pii.phone(t.ticket.citizen_phone),
                warn_at=follow_up_warn_at(task=t), overdue=t.due_at <= now) for t in tasks]


@console_page(PAGE)
def follow_ups(request: HttpRequest) -> HttpResponse:
    filters = FollowUpFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    now = timezone.now()
    tasks = follow_up_open_list(user=person_of(request), now=now,
                                overdue_only=bool(chosen.get("overdue")),
                                channel=chosen.get("channel") or "")
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    pii = personal_data_view(user=request.user)
    return render(request, "console/follow_ups.html", {
        "title": _("回访"), "page": page, "filters": filters, "now": now,
        "rows": _rows(list(page.object_list), pii, now),
        "here": request.get_full_path()})


@console_page(PAGE)
@require_POST
def follow_up_record(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_of(request)
    task = follow_up_visible(user=person, pk=pk)
    if task is None:  # no such task, or on a ticket the person may not see
        raise Http404
    back = local_next(request) or reverse(PAGE)
    number = task.ticket.number
    form = FollowUpOutcomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"{number}：" + "；".join(
            str(m) for errors in form.errors.values() for m in errors))
        return redirect(back)
    outcome, note = form.cleaned_data["outcome"], form.cleaned_data["note"]
    try:
        if outcome == UNREACHABLE:
            done = follow_up_record_attempt(task=task, actor=person, note=note)
            messages.success(request, _("%(number)s 未接通，已记录第 %(n)s 次回访尝试") % {
                "number": number, "n": done.attempts})
        else:
            ticket = follow_up_task_complete(task=task, actor=person, satisfaction=outcome,
                                             note=note,
                                             seen_version=form.cleaned_data["version"])
            if outcome == Satisfaction.UNSATISFIED:
                messages.success(request, _("%(number)s 回访不满意，已退回%(unit)s重办") % {
                    "number": number, "unit": ticket.unit.name if ticket.unit else ""})
            else:
                messages.success(request, _("%(number)s 回访%(result)s，工单已归档") % {
                    "number": number, "result": Satisfaction(outcome).label})
    except TransitionForbidden as error:
        raise PermissionDenied(error.message) from error
    except TicketError as error:
        messages.error(request, f"{number}：{refusal_message(error)}")
    return redirect(back)
