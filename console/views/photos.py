"""Photos on the ticket page (现场照片): the upload, the photos a meeting or a resolution brings
along (the hook in console.views.tickets.ticket_act), and the files themselves, streamed only
to people who may see the ticket (another unit's photo is not found)."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from console.views.common import console_view, person_of, visible_ticket
from tickets.actions.refusals import refusal_message, refusal_status
from tickets.core.errors import TicketError, TicketInputError
from tickets.models import Ticket, TicketAttachment
from tickets.selectors.attachments import attachment_visible
from tickets.services.attachments import (
    PreparedPhoto,
    photo_prepare,
    ticket_photo_check_may_add,
    ticket_photos_add,
)
from tickets.services.privacy import personal_data_view

# The actions whose form takes photos along (their field: "<action>-photos").
ACTIONS_WITH_PHOTOS = ("meeting", "resolve")
UPLOAD_FIELD = "photos"
MAX_PER_UPLOAD = 10


def _checked(files: Sequence[UploadedFile[bytes]]) -> tuple[list[PreparedPhoto], list[str]]:
    """Every file checked (a refusal per bad file, named), nothing stored."""
    if len(files) > MAX_PER_UPLOAD:
        return [], [_("一次最多上传 %(n)s 张照片") % {"n": MAX_PER_UPLOAD}]
    prepared, errors = [], []
    for upload in files:
        try:
            prepared.append(photo_prepare(upload=upload, name=upload.name or "",
                                          size=upload.size))
        except TicketInputError as error:
            name = f"{upload.name}：" if len(files) > 1 and upload.name else ""
            errors.append(name + refusal_message(error))
    return prepared, errors


# --- the hook of the meeting and resolve forms (console.views.tickets.ticket_act) ------------

def photos_for_action(request: HttpRequest, *, action: str,
                      form: forms.Form) -> list[PreparedPhoto]:
    """The photos sent with an action's form, checked before the action is performed: a bad
    one goes onto the form (which is then invalid, so nothing is performed)."""
    if action not in ACTIONS_WITH_PHOTOS:
        return []
    prepared, errors = _checked(request.FILES.getlist(f"{action}-{UPLOAD_FIELD}"))
    for message in errors:
        form.add_error(None, message)
    return [] if errors else prepared


def photos_attach(request: HttpRequest, *, ticket: Ticket,
                  photos: Sequence[PreparedPhoto]) -> None:
    """After the action: attach its photos to the ticket as it is now. Should that be refused
    (someone moved the ticket on meanwhile), the action stands and the person is told."""
    if not photos:
        return
    try:
        ticket_photos_add(ticket=ticket, actor=person_of(request), photos=photos)
    except TicketError as error:
        messages.error(request, _("照片未保存：%(reason)s") % {"reason": refusal_message(error)})


# --- the upload form on the ticket page ----------------------------------------------------

@console_view
@require_POST
def photo_add(request: HttpRequest, number: str) -> HttpResponse:
    ticket = visible_ticket(request, number)
    person = person_of(request)
    status = 400
    try:
        ticket_photo_check_may_add(ticket=ticket, actor=person)
    except TicketError as error:
        errors, status = [refusal_message(error)], refusal_status(error)
    else:
        files = request.FILES.getlist(UPLOAD_FIELD)
        prepared, errors = _checked(files) if files else ([], [_("请选择要上传的照片")])
        if not errors:
            try:
                added = ticket_photos_add(ticket=ticket, actor=person, photos=prepared)
            except TicketError as error:
                errors, status = [refusal_message(error)], refusal_status(error)
            else:
                messages.success(request, _("已上传 %(n)s 张现场照片") % {"n": len(added)})
                url = reverse("console:ticket", args=[ticket.number])
                if getattr(request, "htmx", False):
                    return HttpResponseClientRedirect(url)
                return redirect(url)
    return render(request, "console/photo_upload.html", {
        "title": _("上传现场照片"), "ticket": ticket, "photo_errors": errors,
        "pii": personal_data_view(user=request.user, ticket=ticket),
    }, status=status)


# --- the files ---------------------------------------------------------------------------

def _stream(request: HttpRequest, pk: int, *, thumbnail: bool) -> HttpResponse:
    photo: TicketAttachment | None = attachment_visible(user=person_of(request), pk=pk)
    if photo is None:
        raise Http404
    field = photo.thumbnail if thumbnail else photo.image
    try:
        with field.open("rb") as handle:
            data = handle.read()  # re-encoded photos are small: read whole, no streaming
    except FileNotFoundError as error:
        raise Http404 from error
    kind = "thumb" if thumbnail else "photo"
    response = HttpResponse(data, content_type=photo.content_type)
    response["Content-Disposition"] = (
        f'inline; filename="{photo.ticket.number}-{photo.pk}-{kind}.jpg"')
    # Ours, re-encoded, and still never to be read as anything but what it says it is.
    response["X-Content-Type-Options"] = "nosniff"
    # A citizen's surroundings: the browser may keep it, no shared cache may.
    response["Cache-Control"] = "private, max-age=3600"
    return response


@console_view
@require_GET
def attachment_file(request: HttpRequest, pk: int) -> HttpResponse:
    return _stream(request, pk, thumbnail=False)


@console_view
@require_GET
def attachment_thumb(request: HttpRequest, pk: int) -> HttpResponse:
    return _stream(request, pk, thumbnail=True)
