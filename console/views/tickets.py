"""The ticket page (一单到底) and every action on it, each a form posting to the same
service the API calls. A refused or invalid action re-renders the page with the errors
inline; a done one redirects (POST/redirect/GET)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from console.forms import AnswerForm, AssistReplyForm, DecideForm, ResumeForm, RulingForm
from console.views.common import console_view, local_next, person_of, visible_ticket
from console.views.photos import photos_attach, photos_for_action
from org.selectors import unit_names
from sla.extensions import sla_extension_decide
from sla.models import Extension, Supervision, Suspension
from sla.supervision import supervision_answer
from sla.suspensions import sla_suspension_decide, sla_suspension_end
from tickets.actions.catalogue import CATALOGUE, ticket_actions_offered
from tickets.actions.forms import ActionForm, refusal_onto_form
from tickets.actions.spec import TicketAction
from tickets.core.errors import TicketError, TransitionForbidden
from tickets.core.selectors import ticket_event_list
from tickets.dispatching.collaboration import (
    assist_task_reply,
    return_request_decide,
    ticket_ruling_decide,
)
from tickets.models import AssistTask, ReturnRequest, Ruling, Ticket
from tickets.selectors import detail
from tickets.selectors.visible import ticket_is_visible, ticket_row_visible
from tickets.services.privacy import PersonalDataView, personal_data_view, ticket_pii_reveal

Row = TypeVar("Row", bound=Model)


def _page(request: HttpRequest, ticket: Ticket, *, bound: ActionForm | None = None,
          status: int = 200) -> HttpResponse:
    offered = ticket_actions_offered(ticket=ticket, user=person_of(request))
    action_forms = [(a, bound if bound and bound.action is a
                     else ActionForm(action=a, prefix=a.name, ticket=ticket))
                    for a in offered]
    if bound and bound.action not in offered:  # refused: the form shows why
        action_forms.append((bound.action, bound))
    around = detail.ticket_detail(ticket=ticket)
    pii = personal_data_view(user=request.user, ticket=ticket)
    context = {
        "title": _("工单 %(number)s") % {"number": ticket.number}, "ticket": ticket,
        "now": timezone.now(),
        "pii": pii, "masked_phone": pii.phone(ticket.citizen_phone),
        "masked_id": pii.id_number(ticket.citizen_id_number),
        "clocks": around.clocks, "events": ticket_event_list(ticket=ticket),
        "action_forms": action_forms, "attachments": _attachments(ticket, pii),
        "candidates": around.candidates, "supervisions": around.supervisions,
        "suspension": around.suspension, "answer_form": AnswerForm(),
        "resume_form": ResumeForm(), "assist_tasks": around.assist_tasks,
        "assist_form": AssistReplyForm(), "suggested": _suggested(ticket),
    }
    return render(request, "console/ticket.html", context, status=status)


def _suggested(ticket: Ticket) -> list[dict[str, object]]:
    """The router's top 3 by unit name (a dispatcher reads names, not codes)."""
    top3 = [c for c in ticket.prediction_top3 or [] if isinstance(c, dict)]
    names = unit_names(codes=[str(c.get("unit", "")) for c in top3])
    return [{"code": c.get("unit"), "name": names.get(str(c.get("unit")), c.get("unit")),
             "probability": c.get("probability")} for c in top3]


def _attachments(ticket: Ticket, pii: PersonalDataView) -> list[dict[str, str]]:
    """What the channels hand over as links: web/app forms' photos, a camera's snapshot, the
    original post of a public-opinion item (only http(s) links are shown; a number in a link
    is masked like any text, for those who may not read it)."""
    details = pii.data(ticket.source_details or {})
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
    entry = CATALOGUE.get(action)
    if entry is None:
        raise Http404
    person = person_of(request)
    ticket = visible_ticket(request, number)
    form = ActionForm(request.POST, action=entry, prefix=entry.name, ticket=ticket)
    # Photos of a meeting or a resolution (console.views.photos): a bad one invalidates the form.
    photos = photos_for_action(request, action=entry.name, form=form)
    status = 400
    if form.is_valid():
        try:
            entry.perform(ticket=ticket, actor=person, values=form.cleaned_data)
        except TicketError as error:
            status = refusal_onto_form(form, error)
        else:
            photos_attach(request, ticket=ticket, photos=photos)
            messages.success(request, _("%(action)s：已完成") % {"action": entry.label})
            return _done(request, _after_action(request, entry=entry, ticket=ticket))
    return _page(request, visible_ticket(request, number), bound=form, status=status)


def _after_action(request: HttpRequest, *, entry: TicketAction, ticket: Ticket) -> str:
    """Where a done action goes: where the form asked (the triage queue's one-click
    dispatch), else the ticket, or the home page if the action took it out of sight."""
    if (back := local_next(request)) is not None:
        return back
    if entry.may_leave and not ticket_is_visible(user=person_of(request), ticket=ticket):
        return reverse("console:home")
    return reverse("console:ticket", args=[ticket.number])


def _done(request: HttpRequest, url: str) -> HttpResponse:
    """POST/redirect/GET; a form posted by htmx is told to load the page (HX-Redirect)."""
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return redirect(url)


@console_view
@require_POST
def ticket_reveal(request: HttpRequest, number: str) -> HttpResponse:
    ticket = visible_ticket(request, number)
    try:
        pii = ticket_pii_reveal(ticket=ticket, actor=person_of(request))
    except TicketError as error:
        return render(request, "console/error.html", {"message": str(error)}, status=403)
    return render(request, "console/partials/pii.html", {"pii": pii, "ticket": ticket})


# --- rows attached to a ticket: answered or decided from the ticket page or a list -----------

def _row_action(request: HttpRequest, *, model: type[Row], pk: int,
                form_class: type[forms.Form], call: Callable[[Row, User,
                                                                dict[str, Any]], object],
                back: str | None = None) -> HttpResponse:
    person = person_of(request)
    row = ticket_row_visible(user=person, model=model, pk=pk)
    if row is None:
        raise Http404
    form = form_class(request.POST)
    if form.is_valid():
        try:
            call(row, person, form.cleaned_data)
        except TransitionForbidden as error:
            raise PermissionDenied(error.message) from error  # the 403 page, with the reason
        except TicketError as error:
            refusal_onto_form(form, error)
        else:
            messages.success(request, _("已提交"))
    if form.errors:
        messages.error(request, "；".join(
            str(m) for field_errors in form.errors.values() for m in field_errors))
    # Decided from a list (approvals, rulings): back to it; otherwise to the ticket.
    ticket: Ticket = row.ticket  # type: ignore[attr-defined]  # every row model has one
    return redirect(back) if back else redirect("console:ticket", number=ticket.number)


def _decide_return(request: ReturnRequest, actor: User,
                   values: dict[str, Any]) -> object:
    return return_request_decide(request=request, actor=actor, **values)


def _decide_extension(extension: Extension, actor: User,
                      values: dict[str, Any]) -> object:
    return sla_extension_decide(extension=extension, actor=actor, **values)


def _decide_suspension(suspension: Suspension, actor: User,
                       values: dict[str, Any]) -> object:
    return sla_suspension_decide(suspension=suspension, actor=actor, **values)


@console_view
@require_POST
def row_decide(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    back = "console:approvals" if request.POST.get("back") == "approvals" else None
    if kind == "return":
        return _row_action(request, model=ReturnRequest, pk=pk, form_class=DecideForm,
                           call=_decide_return, back=back)
    if kind == "extension":
        return _row_action(request, model=Extension, pk=pk, form_class=DecideForm,
                           call=_decide_extension, back=back)
    if kind == "suspension":
        return _row_action(request, model=Suspension, pk=pk, form_class=DecideForm,
                           call=_decide_suspension, back=back)
    raise Http404


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
