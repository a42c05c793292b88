"""Checking after-photos: a real JPEG or PNG (opened and verified by Pillow), at most 10 MB."""

import hashlib
import io
import uuid
from dataclasses import dataclass

from django.core.files.base import ContentFile
from PIL import Image, UnidentifiedImageError

from qiancun.core.errors import DomainError, ErrorCode

MAX_BYTES = 10 * 1024 * 1024
MAX_PHOTOS = 9
FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png")}


@dataclass
class CheckedPhoto:
    content: ContentFile
    content_type: str
    original_name: str
    size: int
    width: int
    height: int
    sha256: str


def _refuse(name: str, why: str):
    return DomainError(ErrorCode.INVALID_FILE, f"照片“{name}”{why}", field="photos")


def check_photo(uploaded) -> CheckedPhoto:
    """Read an uploaded file and return it ready for storage, or refuse it naming the file."""
    name = (getattr(uploaded, "name", "") or "照片").rsplit("/", 1)[-1][:200]
    size = getattr(uploaded, "size", None)
    if size is not None and size > MAX_BYTES:
        raise _refuse(name, f"超过 10 MB（{size / 1024 / 1024:.1f} MB）")
    uploaded.seek(0) if hasattr(uploaded, "seek") else None
    data = uploaded.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _refuse(name, "超过 10 MB")
    if not data:
        raise _refuse(name, "是空文件")
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            width, height = image.size
            image.verify()
        if kind in FORMATS:
            with Image.open(io.BytesIO(data)) as image:
                image.load()  # verify() misses truncated pixel data
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _refuse(name, "不是有效的 JPEG 或 PNG 图片") from None
    if kind not in FORMATS:
        raise _refuse(name, f"格式为 {kind}，只接受 JPEG 或 PNG")
    content_type, extension = FORMATS[kind]
    return CheckedPhoto(
        content=ContentFile(data, name=f"{uuid.uuid4().hex}.{extension}"), content_type=content_type,
        original_name=name, size=len(data), width=width, height=height, sha256=hashlib.sha256(data).hexdigest(),
    )
