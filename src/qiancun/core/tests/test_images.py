"""Every uploaded photo is stored as a fresh JPEG drawn from its pixels (issue #11): a polyglot's script
bytes and the camera's EXIF (position, device, time) never reach the stored file or its thumbnail; the
time and position are kept as the platform's own data."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from qiancun.core.images import check_image

SCRIPT = b"<script>alert(document.cookie)</script><?php system($_GET['c']); ?>"


def camera_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x0132] = "2022:06:12 10:30:00"  # DateTime
    exif[0x010F] = "HUAWEI"  # Make
    exif[0x0112] = 6  # Orientation: the camera was turned, the pixels are sideways
    exif[0x8825] = {1: "N", 2: (42.0, 53.0, 24.0), 3: "E", 4: (129.0, 30.0, 0.0)}
    return exif


def upload(fmt: str = "JPEG", *, size=(80, 60), exif=True, comment: bytes = b"", tail: bytes = b"", mode="RGB") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    options = {"exif": camera_exif().tobytes()} if exif else {}
    if comment:
        options["comment"] = comment
    Image.new(mode, size, (200, 100, 50, 255)[: len(mode)]).save(buffer, fmt, **options)
    return SimpleUploadedFile(f"IMG_0001.{fmt.lower()}", buffer.getvalue() + tail)


def stored(checked, which="content") -> bytes:
    part = getattr(checked, which)
    part.seek(0)
    return part.read()


def test_a_polyglot_jpeg_loses_its_script_bytes_and_stays_a_photo():
    checked = check_image(upload(comment=SCRIPT, tail=SCRIPT), thumbnail=True)
    for data in (stored(checked), stored(checked, "thumbnail")):
        assert b"<script>" not in data and b"<?php" not in data and data.startswith(b"\xff\xd8")
        assert Image.open(io.BytesIO(data)).format == "JPEG"


def test_the_stored_photo_and_thumbnail_carry_no_exif_but_the_time_and_place_are_kept_as_data():
    checked = check_image(upload(), thumbnail=True)
    assert checked.taken_at is not None and checked.taken_at.hour == 10
    assert float(checked.latitude) == pytest.approx(42.89, abs=0.001) and float(checked.longitude) == pytest.approx(129.5)
    for data in (stored(checked), stored(checked, "thumbnail")):
        image = Image.open(io.BytesIO(data))
        assert dict(image.getexif()) == {} and b"HUAWEI" not in data and b"Exif" not in data
    # The camera's orientation is applied to the pixels before it is dropped: the photo is upright.
    assert (checked.width, checked.height) == (60, 80) and Image.open(io.BytesIO(stored(checked))).size == (60, 80)


def test_png_and_heic_become_jpeg_too_and_the_hash_is_the_stored_files():
    import hashlib

    from pillow_heif import register_heif_opener

    register_heif_opener()
    for fmt, mode in (("PNG", "RGBA"), ("HEIF", "RGB")):
        checked = check_image(upload(fmt, mode=mode))
        data = stored(checked)
        assert checked.content.name.endswith(".jpg") and checked.content_type == "image/jpeg"
        assert Image.open(io.BytesIO(data)).format == "JPEG" and dict(Image.open(io.BytesIO(data)).getexif()) == {}
        assert checked.sha256 == hashlib.sha256(data).hexdigest() and checked.size == len(data)
        assert checked.latitude is not None
