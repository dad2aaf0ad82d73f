"""The ticket page (一单到底) and every action on it, each a form posting to the same
service the API calls. A refused or invalid action re-renders the page with the errors
inline; a done one redirects (POST/redirect/GET)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from console.actions import ACTIONS
from console.forms import AnswerForm, AssistReplyForm, DecideForm, ResumeForm, RulingForm
from console.views.common import apply_errors, console_view, visible_ticket
from sla.extensions import sla_extension_decide
from sla.models import Extension, Supervision, Suspension, SuspensionState
from sla.supervision import supervision_answer
from sla.suspensions import sla_suspension_decide, sla_suspension_end
from tickets.core.errors import TicketError
from tickets.core.masking import mask_id_number, mask_phone
from tickets.core.selectors import ticket_event_list, ticket_visible_to
from tickets.dispatching.collaboration import (
    assist_task_reply,
    return_request_decide,
    ticket_ruling_decide,
)
from tickets.models import AssistTask, ReturnRequest, Ruling, Ticket
from tickets.services.privacy import ticket_pii_reveal


def _page(request: HttpRequest, ticket: Ticket, *, bound: tuple[str, forms.Form] | None = None,
          status: int = 200) -> HttpResponse:
    shown = [a for a in ACTIONS.values() if a.shown(ticket, request.user)]
    action_forms = [(a, bound[1] if bound and bound[0] == a.name else a.form(prefix=a.name))
                    for a in shown]
    if bound and bound[0] not in {a.name for a in shown}:
        action_forms.append((ACTIONS[bound[0]], bound[1]))
    suspension = ticket.suspensions.filter(state=SuspensionState.ACTIVE).first()
    context = {
        "title": f"工单 {ticket.number}", "ticket": ticket, "now": timezone.now(),
        "masked_phone": mask_phone(ticket.citizen_phone),
        "masked_id": mask_id_number(ticket.citizen_id_number),
        "may_reveal": request.user.has_perm("tickets.view_citizen_pii"),
        "clocks": ticket.clocks.order_by("started_at", "milestone"),
        "events": ticket_event_list(ticket=ticket),
        "action_forms": action_forms, "attachments": _attachments(ticket),
        "candidates": ticket.duplicate_candidates.select_related("original"),
        "supervisions": ticket.supervisions.all(), "suspension": suspension,
        "answer_form": AnswerForm(), "resume_form": ResumeForm(),
        "assist_tasks": ticket.assist_tasks.select_related("unit"),
        "assist_form": AssistReplyForm(),
    }
    return render(request, "console/ticket.html", context, status=status)


def _attachments(ticket: Ticket) -> list[dict[str, str]]:
    """What the channels hand over as links: web/app forms' photos, a camera's snapshot, the
    original post of a public-opinion item (only http(s) links are shown)."""
    details = ticket.source_details or {}
    items = [{"url": str(url), "name": _("照片 %(n)s") % {"n": i}}
             for i, url in enumerate(details.get("photos") or [], start=1)]
    if details.get("image_url"):
        items.append({"url": str(details["image_url"]), "name": _("抓拍图片")})
    if details.get("source_url"):
        items.append({"url": str(details["source_url"]), "name": _("原帖链接")})
    return [i for i in items if i["url"].startswith(("http://", "https://"))]


@console_view
def ticket_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _page(request, visible_ticket(request, number))


@console_view
@require_POST
def ticket_act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    spec = ACTIONS[action]
    ticket = visible_ticket(request, number)
    form = spec.form(request.POST, prefix=action)
    status = 400
    if form.is_valid():
        try:
            spec.call(ticket, request.user, dict(form.cleaned_data))
        except TicketError as error:
            status = apply_errors(form, error)
        else:
            messages.success(request, _("%(action)s：已完成") % {"action": spec.label})
            if spec.may_leave and not ticket_visible_to(user=request.user).filter(
                    pk=ticket.pk).exists():
                return redirect("console:home")
            return redirect("console:ticket", number=number)
    return _page(request, Ticket.objects.get(pk=ticket.pk), bound=(action, form), status=status)


@console_view
@require_POST
def ticket_reveal(request: HttpRequest, number: str) -> HttpResponse:
    ticket = visible_ticket(request, number)
    try:
        pii = ticket_pii_reveal(ticket=ticket, actor=request.user)
    except TicketError as error:
        return render(request, "console/error.html", {"message": str(error)}, status=403)
    return render(request, "console/partials/pii.html", {"pii": pii, "ticket": ticket})


# --- rows attached to a ticket: answered or decided from the ticket page or a list -----------

def _row_action(request: HttpRequest, *, model: Any, pk: int, form_class: type[forms.Form],
                call: Any, back: str | None = None) -> HttpResponse:
    visible = ticket_visible_to(user=request.user).values("pk")
    row = model.objects.filter(pk=pk, ticket_id__in=visible).select_related("ticket").first()
    if row is None:
        raise Http404
    form = form_class(request.POST)
    if form.is_valid():
        try:
            call(row, request.user, form.cleaned_data)
        except TicketError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已提交"))
    if form.errors:
        messages.error(request, "；".join(
            str(m) for field_errors in form.errors.values() for m in field_errors))
    # Decided from a list (approvals, rulings): back to it; otherwise to the ticket.
    return redirect(back) if back else redirect("console:ticket", number=row.ticket.number)


@console_view
@require_POST
def row_decide(request: HttpRequest, kind: str, pk: int) -> HttpResponse:

    kinds = {
        "return": (ReturnRequest, lambda r, u, v: return_request_decide(request=r, actor=u, **v)),
        "extension": (Extension, lambda r, u, v: sla_extension_decide(extension=r, actor=u,
                                                                       **v)),
        "suspension": (Suspension, lambda r, u, v: sla_suspension_decide(suspension=r, actor=u,
                                                                         **v)),
    }
    if kind not in kinds:
        raise Http404
    model, call = kinds[kind]
    back = "console:approvals" if request.POST.get("back") == "approvals" else None
    return _row_action(request, model=model, pk=pk, form_class=DecideForm, call=call, back=back)


@console_view
@require_POST
def suspension_end(request: HttpRequest, pk: int) -> HttpResponse:

    return _row_action(request, model=Suspension, pk=pk, form_class=ResumeForm,
                       call=lambda r, u, v: sla_suspension_end(suspension=r, actor=u, **v))


@console_view
@require_POST
def supervision_answer_view(request: HttpRequest, pk: int) -> HttpResponse:

    return _row_action(request, model=Supervision, pk=pk, form_class=AnswerForm,
                       call=lambda r, u, v: supervision_answer(supervision=r, actor=u, **v))


@console_view
@require_POST
def assist_reply(request: HttpRequest, pk: int) -> HttpResponse:

    return _row_action(request, model=AssistTask, pk=pk, form_class=AssistReplyForm,
                       call=lambda r, u, v: assist_task_reply(task=r, actor=u, **v))


@console_view
@require_POST
def ruling_decide(request: HttpRequest, pk: int) -> HttpResponse:

    return _row_action(request, model=Ruling, pk=pk, form_class=RulingForm,
                       call=lambda r, u, v: ticket_ruling_decide(ruling=r, actor=u, **v),
                       back="console:rulings")
