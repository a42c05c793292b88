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
