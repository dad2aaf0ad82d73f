"""Photos taken on site (现场照片): checked, re-encoded and attached to a ticket.

Checked on the server, whatever the browser claimed: the size (ATTACHMENT_MAX_BYTES), the type
by content (Pillow must read it as JPEG, PNG or WebP; no other decoder is even tried), the
pixel count before decoding (ATTACHMENT_MAX_PIXELS: a small file can unpack to gigabytes).
Then the camera's orientation is applied, the photo scaled to ATTACHMENT_MAX_SIDE and
re-encoded as JPEG with a thumbnail (ATTACHMENT_THUMB_SIDE).

Who adds them: the person who may work the ticket (the assignee, the unit's lead), while it is
worked or just resolved (the result photo comes with the reply, 办结). Each photo is a row and
an ``attachment_add`` event in the trail, in one transaction; the files are written inside it
and removed again if it fails.

``photo_prepare`` does the checking and the image work without the database, so that the
console can refuse a bad photo before it performs the action it came with (meeting, resolve).
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models.fields.files import FieldFile
from PIL import Image, ImageOps, UnidentifiedImageError

from tickets.core.errors import IllegalTransition, TicketInputError, TransitionForbidden
from tickets.core.trail import Actor, actor_label, ticket_event_record
from tickets.models import WORKING_STATES, EventAction, Ticket, TicketAttachment, TicketState
from tickets.models import transition_rules as rules

# The ticket states photos may be added in: while worked, and once resolved (with the reply).
PHOTO_STATES = (*WORKING_STATES, TicketState.RESOLVED)
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
STORED_TYPE = "image/jpeg"
JPEG_QUALITY = 85
FIELD = "photos"  # the field the console's forms name; refusals are reported on it
MIB = 1024 * 1024


@dataclass(frozen=True)
class PreparedPhoto:
    """A checked photo, ready to store: the re-encoded image and thumbnail (JPEG bytes)."""

    data: bytes
    thumbnail: bytes
    width: int
    height: int
    original_name: str
    original_size: int


def _megabytes(size: int) -> str:
    value = size / MIB
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


def _refuse(message: str) -> TicketInputError:
    return TicketInputError({FIELD: [message]})


def _display_name(name: str) -> str:
    """The uploader's file name as text only: no control characters, at most 255 characters."""
    shown = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    return shown[:255]


def _flattened(image: Image.Image) -> Image.Image:
    """RGB for JPEG: a transparent photo (PNG, WebP) on white, any other mode converted."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P"
                                             and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode.startswith("I;16"):  # 16-bit greyscale PNG: to 8 bits first
        image = image.point(lambda value: value / 256).convert("L")
    return image.convert("RGB")


def _jpeg(image: Image.Image) -> bytes:
    # Saved without the original's EXIF (no exif= given): this strips the GPS position and the
    # device data a phone writes into every photo, i.e. where a citizen lives.
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


def photo_prepare(*, upload: IO[bytes], name: str = "", size: int | None = None) -> PreparedPhoto:
    """Check one uploaded file and turn it into the photo and thumbnail to store; refuses with
    a TicketInputError on the ``photos`` field, in Chinese. ``size`` is the upload's own
    (Django's UploadedFile.size); without it the file is measured."""
    if size is None:
        size = upload.seek(0, io.SEEK_END)
    upload.seek(0)
    limit = settings.ATTACHMENT_MAX_BYTES
    if size > limit:
        raise _refuse(f"照片最大 {_megabytes(limit)} MB，收到 {_megabytes(size)} MB")
    if size == 0:
        raise _refuse("照片文件是空的")
    too_many = f"照片像素过多，最多 {settings.ATTACHMENT_MAX_PIXELS / 1_000_000:g} 百万像素"
    try:
        # Only these decoders are tried: a file is what its bytes are, not what it is called.
        image = Image.open(upload, formats=ACCEPTED_FORMATS)
    except Image.DecompressionBombError as error:  # Pillow's own limit, far past ours
        raise _refuse(too_many) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise _refuse("不是可识别的照片：只接受 JPEG、PNG 或 WebP 格式的图片") from error
    with image:
        width, height = image.size
        # Checked from the header, before a single pixel is decoded.
        if width * height > settings.ATTACHMENT_MAX_PIXELS:
            raise _refuse(f"{too_many}（收到 {width}×{height}）")
        try:
            photo = _scaled(image, side=settings.ATTACHMENT_MAX_SIDE)
        except (OSError, SyntaxError, ValueError) as error:  # truncated or corrupt data
            raise _refuse("照片文件已损坏，无法读取") from error
    thumbnail = photo.copy()
    thumbnail.thumbnail((settings.ATTACHMENT_THUMB_SIDE,) * 2, Image.Resampling.LANCZOS)
    return PreparedPhoto(data=_jpeg(photo), thumbnail=_jpeg(thumbnail), width=photo.width,
                         height=photo.height, original_name=_display_name(name),
                         original_size=size)


def _scaled(image: Image.Image, *, side: int) -> Image.Image:
    """Decoded, turned upright as the camera held it, at most ``side`` on its long side."""
    width, height = image.size
    if image.format == "JPEG" and max(width, height) > side:
        # Let the JPEG decoder skip detail it would drop anyway (1/2, 1/4, 1/8 scale): far less
        # memory and time for a 48-megapixel phone photo. It keeps at least the target size.
        ratio = side / max(width, height)
        image.draft("RGB", (max(1, int(width * ratio)), max(1, int(height * ratio))))
    image.load()
    upright = ImageOps.exif_transpose(image)
    flat = _flattened(upright)
    flat.thumbnail((side, side), Image.Resampling.LANCZOS)
    return flat


def ticket_photo_check_may_add(*, ticket: Ticket, actor: Actor) -> None:
    """State first, then the person, as every transition checks them (the same messages)."""
    action = EventAction.ATTACHMENT_ADD
    if ticket.state not in PHOTO_STATES:
        raise IllegalTransition(ticket=ticket, action=action)
    if not rules.may_work(ticket, actor):
        raise TransitionForbidden(ticket=ticket, action=action, actor_label=actor_label(actor))


def ticket_photo_may_add(*, ticket: Ticket, actor: Actor) -> bool:
    """Whether to offer the upload (the service checks again)."""
    return ticket.state in PHOTO_STATES and rules.may_work(ticket, actor)


def _store(field: FieldFile, filename: str, data: bytes) -> str:
    """Write one file through the field (its upload_to names it); returns the stored name."""
    field.save(filename, ContentFile(data), save=False)
    return str(field.name)


def ticket_photos_add(*, ticket: Ticket, actor: Actor,
                      photos: Sequence[PreparedPhoto]) -> list[TicketAttachment]:
    """Attach checked photos: a row and an ``attachment_add`` event each, all or none.

    The ticket is locked and checked again as it is now (the console attaches a meeting's
    photos right after recording the meeting). Files written before a failure are removed;
    should an enclosing transaction roll back later, the files it wrote stay behind unnamed
    by any row, and so are never served."""
    written: list[str] = []
    try:
        with transaction.atomic():
            current = Ticket.objects.select_for_update().get(pk=ticket.pk)
            ticket_photo_check_may_add(ticket=current, actor=actor)
            label = actor_label(actor)
            added = []
            for photo in photos:
                row = TicketAttachment(
                    ticket=current, content_type=STORED_TYPE, size=len(photo.data),
                    width=photo.width, height=photo.height, stage=current.state,
                    uploaded_by_label=label, original_name=photo.original_name)
                written.append(_store(row.image, "photo.jpg", photo.data))
                written.append(_store(row.thumbnail, "thumb.jpg", photo.thumbnail))
                row.save()
                ticket_event_record(
                    ticket=current, actor=actor, action=EventAction.ATTACHMENT_ADD,
                    at=row.created_at,
                    payload={"attachment": row.pk, "size": row.size,
                             "width": row.width, "height": row.height})
                added.append(row)
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise
    return added


def ticket_photo_add(*, ticket: Ticket, actor: Actor,
                     upload: UploadedFile[bytes]) -> TicketAttachment:
    """One uploaded file checked and attached. Who may add is checked before the image work,
    so a refused person costs no decoding."""
    ticket_photo_check_may_add(ticket=ticket, actor=actor)
    prepared = photo_prepare(upload=upload, name=upload.name or "", size=upload.size)
    return ticket_photos_add(ticket=ticket, actor=actor, photos=[prepared])[0]
