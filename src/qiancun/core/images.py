"""The one check every uploaded photo goes through (inspection evidence, after-photos, venue activities).

Only real JPEG, PNG or HEIC images pass: Pillow opens, verifies and decodes them, so renamed
executables, GIFs and truncated files are refused whatever their name or declared type. EXIF time and
position are read where present and kept as the platform's data (the record's fields, shown only to
those who may see the record).

What is stored is never the uploaded file: every photo is drawn again from its decoded pixels as a
fresh JPEG (the camera's orientation applied to the pixels first), thumbnails too. So no byte the
uploader chose reaches the stored file — a polyglot's script in a comment or after the image's end is
gone — and neither does the EXIF (position, device, owner's name) the served file would otherwise give
to anyone who downloads it. The stored name is random; the user's file name is never used as a path.
"""

import hashlib
import io
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener

from .errors import DomainError, ErrorCode

register_heif_opener()

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 60_000_000
THUMBNAIL_SIZE = (360, 360)
ACCEPTED = {"JPEG", "PNG", "HEIF"}
QUALITY = 88


@dataclass
class CheckedImage:
    content: ContentFile
    content_type: str
    original_name: str
    size: int
    width: int
    height: int
    sha256: str
    taken_at: datetime | None
    latitude: Decimal | None
    longitude: Decimal | None
    thumbnail: ContentFile | None


def _refuse(field: str, name: str, why: str) -> DomainError:
    return DomainError(ErrorCode.INVALID_FILE, f"照片“{name}”{why}", field=field)


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
        if (lat is not None and not -90 <= lat <= 90) or (lon is not None and not -180 <= lon <= 180):
            lat = lon = None
    return taken, lat, lon


def check_image(uploaded, *, field: str = "photo", thumbnail: bool = False) -> CheckedImage:
    """Read an upload and return it ready to store, or refuse it with a Chinese message naming the file."""
    name = (getattr(uploaded, "name", "") or "照片").replace("\\", "/").rsplit("/", 1)[-1][:200]
    size = getattr(uploaded, "size", None)
    if size is not None and size > MAX_BYTES:
        raise _refuse(field, name, f"超过 10 MB（{size / 1024 / 1024:.1f} MB）")
    if hasattr(uploaded, "seek"):
        uploaded.seek(0)
    data = uploaded.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _refuse(field, name, "超过 10 MB")
    if not data:
        raise _refuse(field, name, "是空文件")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        image = Image.open(io.BytesIO(data))
        if image.format in ACCEPTED and image.width * image.height <= MAX_PIXELS:
            image.load()  # verify() misses truncated pixel data
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _refuse(field, name, "不是有效的照片，只接受 JPEG、PNG 或 HEIC 格式") from None
    if image.format not in ACCEPTED:
        raise _refuse(field, name, f"格式为 {image.format}，只接受 JPEG、PNG 或 HEIC")
    if image.width * image.height > MAX_PIXELS:
        raise _refuse(field, name, "像素过大")
    taken_at, latitude, longitude = _exif(image)
    try:
        pixels = _upright_rgb(image)
    except (OSError, ValueError, SyntaxError):
        raise _refuse(field, name, "不是有效的照片，只接受 JPEG、PNG 或 HEIC 格式") from None
    data = _jpeg(pixels, QUALITY)
    stem = uuid.uuid4().hex
    thumb = None
    if thumbnail:
        small = pixels.copy()
        small.thumbnail(THUMBNAIL_SIZE)
        thumb = ContentFile(_jpeg(small, 80), name=f"{stem}_thumb.jpg")
    return CheckedImage(
        content=ContentFile(data, name=f"{stem}.jpg"), content_type="image/jpeg", original_name=name,
        size=len(data), width=pixels.width, height=pixels.height, sha256=hashlib.sha256(data).hexdigest(),
        taken_at=taken_at, latitude=latitude, longitude=longitude, thumbnail=thumb,
    )


def _upright_rgb(image: Image.Image) -> Image.Image:
    """The photo's pixels as the camera meant them (EXIF orientation applied), in RGB; transparency on white."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    image = image.convert("RGB")
    image.info = {}  # Pillow would write the upload's comment (or ICC profile) into the new file
    return image


def _jpeg(image: Image.Image, quality: int) -> bytes:
    """A new JPEG of `image`'s pixels and nothing else: no EXIF, ICC, XMP or comment is carried over."""
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, optimize=True)
    return buffer.getvalue()
