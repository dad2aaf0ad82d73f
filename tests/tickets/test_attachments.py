"""Photos on tickets (tickets.services.attachments): checked by content and size on the server,
turned upright, scaled, stripped of their metadata, stored under the ticket's number with a
random name, and recorded in the trail; refused to anyone who may not work the ticket."""

from __future__ import annotations

import io

import pytest
from PIL import ExifTags, Image

from tests.photo_files import media_root, photo_bytes, stored_files, upload  # noqa: F401
from tickets.core.errors import IllegalTransition, TicketInputError, TransitionForbidden
from tickets.core.trail import trail_verify
from tickets.models import Ticket, TicketAttachment
from tickets.services import attachments
from tickets.services.attachments import ticket_photo_add

pytestmark = pytest.mark.django_db


def _opened(field) -> tuple[Image.Image, bytes]:
    with field.open("rb") as handle:
        data = handle.read()
    return Image.open(io.BytesIO(data)), data


def _refusal(error: pytest.ExceptionInfo[TicketInputError]) -> list[str]:
    return error.value.field_errors["photos"]


def test_it_stores_a_large_jpeg_scaled_to_1600_px_without_its_exif(org, media):
    source = photo_bytes(size=(4000, 3000), gps=True)
    assert Image.open(io.BytesIO(source)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # it has GPS
    ticket = org.ticket("met")

    photo = ticket_photo_add(ticket=ticket, actor=org.assignee.user,
                             upload=upload(source, "IMG_4032.jpg"))

    image, data = _opened(photo.image)
    assert image.format == "JPEG" and image.size == (1600, 1200)
    assert (photo.width, photo.height, photo.size) == (1600, 1200, len(data))
    assert len(image.getexif()) == 0 and b"Exif" not in data
    assert photo.content_type == "image/jpeg" and photo.stage == "met"
    assert photo.original_name == "IMG_4032.jpg"
    thumb, _ = _opened(photo.thumbnail)
    assert thumb.size == (320, 240)
    # Under the ticket's number, with a random name: never the uploader's.
    for name in (photo.image.name, photo.thumbnail.name):
        assert name.startswith(f"tickets/{ticket.number}/") and "IMG_4032" not in name
    assert stored_files(media) == sorted([photo.image.name, photo.thumbnail.name])


def test_it_turns_the_photo_upright_as_the_camera_held_it(org, media):
    # Orientation 6: the camera was turned a quarter clockwise; the picture is stored 400×800.
    source = photo_bytes(size=(800, 400), orientation=6)
    photo = ticket_photo_add(ticket=org.ticket("contacted"), actor=org.assignee.user,
                             upload=upload(source))
    image, _ = _opened(photo.image)
    assert image.size == (400, 800)
    # The red half was on the left; turned clockwise, it is on top.
    assert image.convert("RGB").getpixel((200, 50))[0] > 200
    assert image.convert("RGB").getpixel((200, 750))[1] > 200


def test_it_keeps_a_small_png_at_its_size_and_re_encodes_it_as_jpeg(org, media):
    photo = ticket_photo_add(ticket=org.ticket("assigned"), actor=org.lead.user,
                             upload=upload(photo_bytes(size=(640, 480), fmt="PNG", mode="RGBA"),
                                           "plan.png", "image/png"))
    image, _ = _opened(photo.image)
    assert (image.format, image.size) == ("JPEG", (640, 480))
    assert photo.uploaded_by_label.endswith("（lianhua.lead）")


def test_it_takes_a_webp(org, media):
    photo = ticket_photo_add(ticket=org.ticket("met"), actor=org.assignee.user,
                             upload=upload(photo_bytes(size=(2000, 500), fmt="WEBP"),
                                           "x.webp", "image/webp"))
    assert (photo.width, photo.height) == (1600, 400)


def test_it_refuses_a_text_file_that_claims_to_be_a_jpeg(org, media):
    ticket = org.ticket("met")
    with pytest.raises(TicketInputError) as refused:
        ticket_photo_add(ticket=ticket, actor=org.assignee.user,
                         upload=upload(b"this is not a photo at all\n" * 40, "site.jpg"))
    assert _refusal(refused) == ["不是可识别的照片：只接受 JPEG、PNG 或 WebP 格式的图片"]
    assert not TicketAttachment.objects.exists() and stored_files(media) == []
    assert not ticket.events.filter(action="attachment_add").exists()


def test_it_refuses_an_image_of_another_format(org, media):
    with pytest.raises(TicketInputError) as refused:
        ticket_photo_add(ticket=org.ticket("met"), actor=org.assignee.user,
                         upload=upload(photo_bytes(fmt="GIF"), "a.gif", "image/gif"))
    assert "只接受 JPEG、PNG 或 WebP" in _refusal(refused)[0]


def test_it_refuses_a_photo_over_the_size_limit_saying_both_sizes(org, media):
    too_big = upload(b"\xff\xd8" + b"\0" * (24_536_678 - 2))  # 23.4 MB
    with pytest.raises(TicketInputError) as refused:
        ticket_photo_add(ticket=org.ticket("met"), actor=org.assignee.user, upload=too_big)
    assert _refusal(refused) == ["照片最大 10 MB，收到 23.4 MB"]
    assert stored_files(media) == []


def test_the_size_limit_comes_from_the_settings(org, media, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    with pytest.raises(TicketInputError) as refused:
        ticket_photo_add(ticket=org.ticket("met"), actor=org.assignee.user,
                         upload=upload(b"\0" * (2 * 1024 * 1024)))
    assert _refusal(refused) == ["照片最大 1 MB，收到 2 MB"]


def test_it_refuses_a_picture_with_too_many_pixels_before_decoding_it(org, media, settings,
                                                                      monkeypatch):
    settings.ATTACHMENT_MAX_PIXELS = 1_000_000
    decoded = []
    monkeypatch.setattr(attachments, "_scaled", lambda image, side: decoded.append(1))
    with pytest.raises(TicketInputError) as refused:
        ticket_photo_add(ticket=org.ticket("met"), actor=org.assignee.user,
                         upload=upload(photo_bytes(size=(2000, 1000), fmt="PNG")))
    assert _refusal(refused) == ["照片像素过多，最多 1 百万像素（收到 2000×1000）"]
    assert decoded == []


def test_it_refuses_a_caseworker_of_another_unit(org, media):
    ticket = org.ticket("met")
    with pytest.raises(TransitionForbidden) as refused:
        ticket_photo_add(ticket=ticket, actor=org.other_caseworker.user,
                         upload=upload(photo_bytes()))
    assert refused.value.message.endswith(
        f"（water.cw1） 无权对工单 {ticket.number} 执行「上传照片」")
    assert stored_files(media) == []


def test_it_refuses_a_colleague_who_does_not_hold_the_ticket(org, media):
    with pytest.raises(TransitionForbidden):
        ticket_photo_add(ticket=org.ticket("met"), actor=org.coworker.user,
                         upload=upload(photo_bytes()))


@pytest.mark.parametrize("state", ["triage", "closed", "rejected"])
def test_it_refuses_a_ticket_that_is_not_being_worked(org, media, state):
    ticket = org.ticket(state)
    with pytest.raises(IllegalTransition) as refused:
        ticket_photo_add(ticket=ticket, actor=org.assignee.user, upload=upload(photo_bytes()))
    assert "不能执行「上传照片」（attachment_add）" in refused.value.message


def test_a_resolved_ticket_still_takes_the_result_photo(org, media):
    photo = ticket_photo_add(ticket=org.ticket("resolved"), actor=org.assignee.user,
                             upload=upload(photo_bytes()))
    assert photo.stage == "resolved"


def test_the_photo_is_an_event_in_the_trail_and_the_chain_still_holds(org, media):
    ticket = org.ticket("met")
    photo = ticket_photo_add(ticket=ticket, actor=org.assignee.user, upload=upload(photo_bytes()))
    event = ticket.events.get(action="attachment_add")
    assert event.payload["attachment"] == photo.pk and event.payload["size"] == photo.size
    assert (event.from_state, event.to_state, event.actor) == ("met", "met", org.assignee.user)
    assert Ticket.objects.get(pk=ticket.pk).state == "met"  # no state change
    assert trail_verify(tickets=Ticket.objects.filter(pk=ticket.pk)) == []


def test_files_written_before_a_failure_are_removed(org, media, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the trail is unavailable")

    monkeypatch.setattr(attachments, "ticket_event_record", broken)
    with pytest.raises(RuntimeError):
        ticket_photo_add(ticket=org.ticket("met"), actor=org.assignee.user,
                         upload=upload(photo_bytes()))
    assert not TicketAttachment.objects.exists()
    assert stored_files(media) == []
