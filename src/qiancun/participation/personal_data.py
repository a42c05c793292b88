"""Personal data at rest: ID numbers and phones encrypted with SM4-GCM, found by a keyed SM3 hash.

The master key comes from ``settings.QIANCUN_PERSONAL_DATA_KEY`` (an environment variable in
production, a fixed value only in the demo and test settings). Until that setting exists the key is
derived from ``SECRET_KEY`` with HKDF, so a deployment always has one and it is never in the repository.
Two sub-keys are derived from the master: one for SM4 (encryption), one for HMAC-SM3 (the lookup hash
that also makes ID numbers unique across the platform without storing them in clear).

Stored ciphertext is ``v1:<base64(nonce ‖ ciphertext ‖ tag)>``; the version allows a later key rotation.
Screens and exports only ever show ``mask_id`` / ``mask_phone``; ``decrypt`` is for the audited unmask.
"""

import base64
import hmac as std_hmac
import os
import re
import unicodedata
from datetime import date
from functools import lru_cache

from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

VERSION = "v1"
_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_CHECK = "10X98765432"
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def _master_key() -> bytes:
    configured = getattr(settings, "QIANCUN_PERSONAL_DATA_KEY", None)
    if configured:
        return configured.encode() if isinstance(configured, str) else bytes(configured)
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"qiancun-personal-data", info=b"from-secret-key").derive(
        settings.SECRET_KEY.encode()
    )


@lru_cache(maxsize=4)
def _keys(master: bytes) -> tuple[bytes, bytes]:
    def sub(info: bytes, length: int) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=length, salt=b"qiancun-personal-data", info=info).derive(master)

    return sub(b"sm4-gcm", 16), sub(b"hmac-sm3", 32)


@lru_cache(maxsize=4)
def _sm4(key: bytes) -> algorithms.SM4:
    return algorithms.SM4(key)


def encrypt(plain: str) -> str:
    if not plain:
        return ""
    key, _ = _keys(_master_key())
    nonce = os.urandom(12)
    encryptor = Cipher(_sm4(key), modes.GCM(nonce)).encryptor()
    body = encryptor.update(plain.encode()) + encryptor.finalize()
    return f"{VERSION}:" + base64.b64encode(nonce + body + encryptor.tag).decode()


def decrypt(stored: str) -> str:
    if not stored:
        return ""
    version, _, payload = stored.partition(":")
    if version != VERSION:
        raise ValueError(f"unknown personal-data cipher version {version!r}")
    raw = base64.b64decode(payload)
    nonce, body, tag = raw[:12], raw[12:-16], raw[-16:]
    key, _ = _keys(_master_key())
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    return (decryptor.update(body) + decryptor.finalize()).decode()


def lookup_hash(value: str) -> str:
    """Keyed SM3 (HMAC) of a normalised value: equal inputs, equal hashes; useless without the key."""
    if not value:
        return ""
    _, mac_key = _keys(_master_key())
    mac = hmac.HMAC(mac_key, hashes.SM3())
    mac.update(value.encode())
    return mac.finalize().hex()


def same_hash(a: str, b: str) -> bool:
    return std_hmac.compare_digest(a, b)


def mask_id(value: str) -> str:
    """2201**********1234: the region prefix and the last four, nothing of the birth date."""
    if not value:
        return ""
    return value[:4] + "*" * (len(value) - 8) + value[-4:] if len(value) > 8 else "*" * len(value)


def mask_phone(value: str) -> str:
    """138****8000."""
    if not value:
        return ""
    digits = value.replace("-", "")
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:] if len(digits) > 7 else "*" * len(digits)


def normalize_id(value) -> str:
    """NFKC first: an ID typed with a Chinese input method has full-width digits (２２０１…) and Ｘ."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value or ""))).upper()


def normalize_phone(value) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value or "")))


EXCEL_NUMBER = ("身份证号被 Excel 当成了数字保存（数字只保留 15 位有效数字，后几位变成了 0，或显示成 2.20101E+17 这样的科学计数法），"
                "文件里已没有完整号码。请把该列设置为“文本”格式，重新录入这些身份证号后再导入")
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+?\d+$")


def excel_number_problem(value) -> str | None:
    """The message for an ID number a spreadsheet stored as a number (a numeric cell, or its text:
    2.20101E+17), or None. Its last digits are gone, so the check digit says nothing about the person."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return EXCEL_NUMBER
    if isinstance(value, str) and ("E" in value or "e" in value or "Ｅ" in value or "ｅ" in value) and _SCIENTIFIC.match(normalize_id(value)):
        return EXCEL_NUMBER
    return None


def id_number_problem(value: str, today: date | None = None) -> str | None:
    """Why an ID number (GB 11643-1999, 18 digits) is not valid, or None when it is."""
    if excel_number_problem(value):
        return EXCEL_NUMBER
    if len(value) != 18:
        return "身份证号须为 18 位"
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        return "身份证号前 17 位须为数字，最后一位为数字或 X"
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return f"身份证号中的出生日期 {value[6:14]} 不是有效日期"
    if born.year < 1900 or born > (today or date.today()):
        return f"身份证号中的出生日期 {value[6:14]} 不合理"
    total = sum(int(d) * w for d, w in zip(value[:17], _WEIGHTS, strict=True))
    if _CHECK[total % 11] != value[17]:
        if value.endswith("000"):  # 15 significant digits and zeros: what Excel leaves of an ID it took for a number
            return "身份证号校验位不正确，且末三位是 000：很可能是 Excel 把它当成数字保存，丢掉了后三位。" + EXCEL_NUMBER[EXCEL_NUMBER.index("请把"):]
        return "身份证号校验位不正确（请核对每一位数字）"
    return None


def with_check_digit(first17: str) -> str:
    """Complete 17 digits with their GB 11643 check digit (demo data and tests)."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return first17 + _CHECK[total % 11]


def phone_problem(value: str) -> str | None:
    if _MOBILE.match(value) or _LANDLINE.match(value):
        return None
    return "手机号须为 11 位手机号码（1 开头），或带区号的固定电话"
