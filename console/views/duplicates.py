"""Suspected duplicates (重复件) waiting for a dispatcher, wherever the new ticket is now: in
triage, or already dispatched by the router. Merge it into the open ticket it repeats, or say
it is not a repeat; both are the services' own decisions (tickets.dispatching.duplicates)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from console.forms import DuplicateDecisionForm
from console.views.common import console_page, person_of
from tickets.core.errors import TicketError, TransitionForbidden
from tickets.dispatching.duplicates import (
    duplicate_candidate_dismiss,
    duplicate_candidate_merge,
)
from tickets.selectors.oversight import duplicate_candidate_open_list

PAGE_SIZE = 30


@console_page("console:duplicates")
def duplicates(request: HttpRequest) -> HttpResponse:
    candidates = duplicate_candidate_open_list(user=person_of(request))
    page = Paginator(candidates, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "console/duplicates.html", {
        "title": _("疑似重复件"), "page": page, "form": DuplicateDecisionForm()})


@console_page("console:duplicates")
@require_POST
def duplicate_decide(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = duplicate_candidate_open_list(user=person_of(request)).filter(pk=pk).first()
    if candidate is None:  # decided already, or a ticket the person may not see
        raise Http404
    form = DuplicateDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(str(m) for errors in form.errors.values()
                                          for m in errors))
        return redirect("console:duplicates")
    decision, reason = form.cleaned_data["decision"], form.cleaned_data["reason"]
    try:
        if decision == "merge":
            duplicate_candidate_merge(candidate=candidate, actor=person_of(request),
                                      reason=reason)
            messages.success(request, _("%(new)s 已并入 %(original)s") % {
                "new": candidate.ticket.number, "original": candidate.original.number})
        else:
            duplicate_candidate_dismiss(candidate=candidate, actor=person_of(request),
                                        reason=reason)
            messages.success(request, _("%(new)s 已确认不是 %(original)s 的重复件") % {
                "new": candidate.ticket.number, "original": candidate.original.number})
    except TransitionForbidden as error:
        raise PermissionDenied(error.message) from error
    except TicketError as error:
        messages.error(request, f"{candidate.ticket.number}：{error}")
    return redirect("console:duplicates")
