"""Publicly verifiable random samples (after RFC 3797's idea: publish first, seed from a public event).

Anyone can recompute a draw with nothing but this page of rules:
  1. the eligible list is {stratum: [village codes]}; its digest is SHA-256 of the canonical JSON
     (keys and codes sorted, separators "," and ":", UTF-8, no spaces) and is published before the seed;
  2. in each stratum take k = ceil(n × percent / 100) villages (at least 1 when n > 0);
  3. they are the k villages with the smallest SHA-256(seed ‖ code) as lowercase hex, seed and code
     joined with nothing between, both UTF-8;
  4. the sample is the union, sorted by code.
"""

import hashlib
import json
import math
from dataclasses import dataclass

ALGORITHM = "qiancun-draw-v1"

# The same rules in the words shown on the verification page.
RULES_ZH = """1. 候选名单按分层列出：{分层代码: [村区划代码, …]}。名单摘要为其规范 JSON（键和代码均升序，分隔符为“,”和“:”，
   UTF-8 编码，无空格）的 SHA-256，在输入种子之前公布。
2. 每层抽取 k = ⌈候选数 × 比例 ÷ 100⌉ 个村（候选数大于 0 时至少 1 个）。
3. 每个村的“签号”为 SHA-256(种子 ‖ 村代码) 的小写十六进制（种子与代码直接相连，UTF-8）；每层取签号最小的 k 个村。
4. 各层抽中的村合并，按代码升序排列，即为抽取结果。"""


def canonical(strata: dict[str, list[str]]) -> str:
    return json.dumps({k: sorted(v) for k, v in sorted(strata.items())}, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def digest(strata: dict[str, list[str]]) -> str:
    return hashlib.sha256(canonical(strata).encode("utf-8")).hexdigest()


def sample_size(n: int, percent: int) -> int:
    return 0 if n == 0 else max(1, math.ceil(n * percent / 100))


def ticket(seed: str, code: str) -> str:
    return hashlib.sha256((seed + code).encode("utf-8")).hexdigest()


def select(strata: dict[str, list[str]], seed: str, percent: int) -> list[str]:
    chosen = []
    for codes in strata.values():
        ranked = sorted(codes, key=lambda code: (ticket(seed, code), code))
        chosen.extend(ranked[: sample_size(len(codes), percent)])
    return sorted(chosen)


@dataclass
class Verification:
    list_matches: bool
    result_matches: bool
    recomputed: list[str]

    @property
    def ok(self) -> bool:
        return self.list_matches and self.result_matches


def verify(draw) -> Verification:
    """Recompute a recorded draw from its recorded inputs alone."""
    recomputed = select(draw.strata, draw.seed, draw.percent) if draw.seed else []
    return Verification(
        list_matches=digest(draw.strata) == draw.eligible_sha256,
        result_matches=bool(draw.seed) and recomputed == list(draw.result),
        recomputed=recomputed,
    )
