"""Evidence photos: only real JPEG, PNG or HEIC images (HEIC converted to JPEG), with EXIF time and
position read where present, and a thumbnail. The user's file name is never used as a path."""

import hashlib
import io
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import ExifTags, Image, UnidentifiedImageError
from pillow_heif import register_heif_opener

from qiancun.core.errors import DomainError, ErrorCode

register_heif_opener()

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 60_000_000
THUMBNAIL_SIZE = (360, 360)
ACCEPTED = {"JPEG": "jpg", "PNG": "png", "HEIF": "jpg"}


@dataclass
class ProcessedPhoto:
    image: ContentFile
    thumbnail: ContentFile
    sha256: str
    taken_at: datetime | None
    latitude: Decimal | None
    longitude: Decimal | None


def _refuse(message: str) -> DomainError:
    return DomainError(ErrorCode.INVALID_FILE, message, field="photo")


def _degrees(values, ref) -> Decimal | None:
    try:
        d, m, s = (float(v) for v in values)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    value = Decimal(str(round(d + m / 60 + s / 3600, 6)))
    return -value if ref in ("S", "W") else value


def _exif(image: Image.Image) -> tuple[datetime | None, Decimal | None, Decimal | None]:
    exif = image.getexif()
    taken = None
    raw = exif.get_ifd(ExifTags.IFD.Exif).get(ExifTags.Base.DateTimeOriginal) or exif.get(ExifTags.Base.DateTime)
    if raw:
        try:
            # Cameras record local time without a zone; the province is on China Standard Time.
            taken = timezone.make_aware(datetime.strptime(str(raw).strip("\x00"), "%Y:%m:%d %H:%M:%S"))
        except ValueError:
            taken = None
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    lat = lon = None
    if gps:
        lat = _degrees(gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef))
        lon = _degrees(gps.get(ExifTags.GPS.GPSLongitude), gps.get(ExifTags.GPS.GPSLongitudeRef))
        if lat is not None and not -90 <= lat <= 90 or lon is not None and not -180 <= lon <= 180:
            lat = lon = None
    return taken, lat, lon


def process(uploaded) -> ProcessedPhoto:
    if uploaded.size > MAX_BYTES:
        raise _refuse(f"照片过大（{uploaded.size / 1024 / 1024:.1f} MB），不能超过 10 MB")
    data = uploaded.read()
    try:
        probe = Image.open(io.BytesIO(data))
        probe.verify()
        image = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _refuse("文件不是有效的照片，只接受 JPEG、PNG 或 HEIC 格式") from None
    if image.format not in ACCEPTED:
        raise _refuse(f"不支持的图片格式 {image.format}，只接受 JPEG、PNG 或 HEIC")
    if image.width * image.height > MAX_PIXELS:
        raise _refuse("照片像素过大")
    taken_at, latitude, longitude = _exif(image)
    name = uuid.uuid4().hex
    if image.format == "HEIF":
        converted = io.BytesIO()
        image.convert("RGB").save(converted, "JPEG", quality=88, exif=image.getexif())
        stored = converted.getvalue()
    else:
        stored = data
    thumb = image.convert("RGB")
    thumb.thumbnail(THUMBNAIL_SIZE)
    thumb_bytes = io.BytesIO()
    thumb.save(thumb_bytes, "JPEG", quality=80)
    return ProcessedPhoto(
        image=ContentFile(stored, name=f"{name}.{ACCEPTED[image.format]}"),
        thumbnail=ContentFile(thumb_bytes.getvalue(), name=f"{name}_thumb.jpg"),
        sha256=hashlib.sha256(stored).hexdigest(),
        taken_at=taken_at,
        latitude=latitude,
        longitude=longitude,
    )
