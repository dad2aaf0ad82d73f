"""Photos kept in PostgreSQL (tickets.core.stored_files.DatabaseStorage), as the multi-machine
layout stores them: a photo added through one web process is served by any other, and
nothing is written to the machine's own disk."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.test import Client
from PIL import Image

from tests.photo_files import photo_bytes, upload
from tickets.core.stored_files import DatabaseStorage
from tickets.models import StoredFile
from tickets.services.attachments import ticket_photo_add

pytestmark = pytest.mark.django_db

IN_DATABASE = {"default": {"BACKEND": "tickets.core.stored_files.DatabaseStorage"},
               "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage."
                                          "StaticFilesStorage"}}


def _signed_in(staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def test_the_storage_keeps_whole_files_as_rows():
    storage = DatabaseStorage()
    name = storage.save("tickets/FT1/a.jpg", ContentFile(b"\xff\xd8 jpeg bytes"))
    assert name == "tickets/FT1/a.jpg" and storage.exists(name) and storage.size(name) == 13
    assert storage.open(name).read() == b"\xff\xd8 jpeg bytes"
    assert storage.listdir("tickets") == (["FT1"], [])
    again = storage.save("tickets/FT1/a.jpg", ContentFile(b"other"))
    assert again != name  # never overwrites: Django picks a free name
    storage.delete(name)
    assert not storage.exists(name) and StoredFile.objects.count() == 1
    with pytest.raises(FileNotFoundError):
        storage.open(name)
    with pytest.raises(NotImplementedError):
        storage.url(again)


def test_a_photo_stored_in_the_database_is_served_to_the_unit(org, settings, tmp_path):
    settings.STORAGES = IN_DATABASE
    settings.MEDIA_ROOT = tmp_path / "must-stay-empty"
    storages._storages.clear()  # the handler caches backends by alias
    try:
        ticket = org.ticket("met")
        photo = ticket_photo_add(ticket=ticket, actor=org.assignee.user,
                                 upload=upload(photo_bytes(size=(2000, 1000))))
        assert StoredFile.objects.filter(name=photo.image.name).exists()
        assert not (tmp_path / "must-stay-empty").exists()
        answer = _signed_in(org.lead).get(f"/console/attachments/{photo.pk}/")
        assert answer.status_code == 200
        body = b"".join(answer.streaming_content) if answer.streaming else answer.content
        assert Image.open(io.BytesIO(body)).size == (1600, 800)
        assert _signed_in(org.other_caseworker).get(
            f"/console/attachments/{photo.pk}/").status_code == 404
    finally:
        storages._storages.clear()
