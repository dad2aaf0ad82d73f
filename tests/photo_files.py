"""Photos for the photo tests, made with Pillow in the test (no files checked in), and a
MEDIA_ROOT of their own that is removed afterwards."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

ORIENTATION = 0x0112  # EXIF: how the camera was held


def photo_bytes(*, size: tuple[int, int] = (800, 600), fmt: str = "JPEG",
                mode: str = "RGB", gps: bool = False, orientation: int | None = None) -> bytes:
    """A picture with a red left half (so a turn shows), optionally with the EXIF a phone writes:
    its make, the GPS position, the orientation."""
    image = Image.new(mode, size, "white")
    image.paste("red", (0, 0, size[0] // 2, size[1]))
    exif = Image.Exif()
    if gps or orientation:
        exif[ExifTags.Base.Make] = "TestPhone"
    if gps:
        exif.get_ifd(ExifTags.IFD.GPSInfo).update({
            ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (22.0, 32.0, 10.0),
            ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (114.0, 3.0, 20.0)})
    if orientation:
        exif[ORIENTATION] = orientation
    out = io.BytesIO()
    extra = {"exif": exif} if len(exif) else {}
    image.save(out, format=fmt, **extra)
    return out.getvalue()


def upload(data: bytes, name: str = "IMG_4032.jpg",
           content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture(name="media")
def media_root(settings, tmp_path):
    """``media``: stored photos go to a fresh directory (the storage follows the setting). A
    test module imports ``media_root`` to have it."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) \
        if root.exists() else []
