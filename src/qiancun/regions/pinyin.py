"""Pinyin for search: `jyx` or `jingyu` finds 靖宇县."""

import os
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache

from pypinyin import Style, lazy_pinyin, load_phrases_dict

# Place-name readings pypinyin's general dictionary gets wrong (长 in 长白/长岭 is cháng).
load_phrases_dict(
    {
        "长白": [["cháng"], ["bái"]],
        "长岭": [["cháng"], ["lǐng"]],
        "长山": [["cháng"], ["shān"]],
        "朝鲜族": [["cháo"], ["xiǎn"], ["zú"]],
    }
)


@lru_cache(maxsize=4096)
def _toneless(syllable: str) -> str:
    # Style.TONE skips pypinyin's per-character style conversion (its slowest step); strip marks here.
    plain = "".join(c for c in unicodedata.normalize("NFD", syllable) if not unicodedata.combining(c))
    return plain.replace("ü", "v").lower()


@lru_cache(maxsize=200_000)
def name_pinyin(name: str) -> tuple[str, str]:
    """(full pinyin, initials) of a name, both lower-case without spaces."""
    syllables = [_toneless(s) for s in lazy_pinyin(name, style=Style.TONE) if s.strip()]
    return "".join(syllables), "".join(s[0] for s in syllables)


def _chunk(names: list[str]) -> list[tuple[str, str]]:
    return [name_pinyin(n) for n in names]


def pinyin_many(names: list[str]) -> dict[str, tuple[str, str]]:
    """Pinyin of many distinct names; large sets (the national tree) use every core."""
    unique = list(dict.fromkeys(names))
    workers = min(os.cpu_count() or 1, 4)
    if len(unique) < 50_000 or workers < 2:
        return {n: name_pinyin(n) for n in unique}
    size = -(-len(unique) // workers)
    chunks = [unique[i : i + size] for i in range(0, len(unique), size)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = pool.map(_chunk, chunks)
    return {n: p for chunk, res in zip(chunks, results) for n, p in zip(chunk, res)}
