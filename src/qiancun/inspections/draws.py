"""Publicly verifiable random samples, after RFC 3797: commit first, then seed from a named future public event.

Anyone can recompute a draw with nothing but this page of rules:
  1. the eligible list is {stratum: [village codes]}; its digest is SHA-256 of the canonical JSON
     (keys and codes sorted, separators "," and ":", UTF-8, no spaces);
  2. when the list is published the platform records a commitment: the list, its digest and the named
     future source of randomness — a national lottery, its issue number and its draw date, which must be
     after the day of publication, and an issue whose earliest possible draw day (issues count from 1
     each year, at most one per drawing day) is after that day too;
  3. the seed is accepted only on or after that date and only from that source, and is written in one
     canonical form, "<source>:<issue>:<numbers>" (`seed_text`), so nobody can choose among spellings
     of the same result;
  4. in each stratum take k = ceil(n × percent / 100) villages (at least 1 when n > 0): the k villages
     with the smallest SHA-256(seed ‖ code) as lowercase hex, seed and code joined with nothing between;
  5. the sample is the union, sorted by code;
  6. every record — a commitment, then the seed and result — is one link of a single chain across the
     platform: its canonical JSON holds the previous link's SHA-256, and its own SHA-256 is the next
     link's "previous". Rewriting any draw changes its link and breaks every later one.

Draws recorded before the commitment rule (algorithm qiancun-draw-v1) were linked into the chain when
the rule came in: their list and result still verify, but their seed's source was never committed.
"""

import hashlib
import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, timedelta

from django.utils import timezone

from qiancun.core.text import chinese_date

ALGORITHM = "qiancun-draw-v2"
LEGACY_ALGORITHM = "qiancun-draw-v1"
GENESIS = "0" * 64  # the "previous" of the chain's first link
LINK_FORMAT = 1

COMMITMENT, RESULT = "commitment", "result"


@dataclass(frozen=True)
class Group:
    """Numbers of one kind in a lottery result (3D: three digits; 双色球: six red balls, then one blue)."""

    count: int
    low: int
    high: int
    ordered: bool  # digits keep the drawn order; balls are a set, written in ascending order


# What each source's result looks like, and how an official writes it.
NUMBERS = {
    "fc3d": ((Group(3, 0, 9, True),), "3 个数字，按开奖顺序，如：4 8 3"),
    "pl3": ((Group(3, 0, 9, True),), "3 个数字，按开奖顺序，如：4 8 3"),
    "ssq": ((Group(6, 1, 33, False), Group(1, 1, 16, False)), "6 个红球和 1 个蓝球，如：03 07 12 19 25 31 + 05"),
    "kl8": ((Group(20, 1, 80, False),), "20 个号码（01–80），如：02 05 11 … 78"),
    "dlt": ((Group(5, 1, 35, False), Group(2, 1, 12, False)), "5 个前区号码和 2 个后区号码，如：04 11 19 27 33 + 03 09"),
}

# The same rules in the words shown on the verification page.
RULES_ZH = """1. 候选名单按分层列出：{分层代码: [村区划代码, …]}。名单摘要为其规范 JSON（键和代码均升序，分隔符为“,”和“:”，
   UTF-8 编码，无空格）的 SHA-256。
2. 公布名单的同时登记“承诺”：名单摘要，以及将来用作种子的公开开奖——彩票名称、期号和开奖日期（须晚于公布当天）；
   期号每年从第 1 期起，每个开奖日最多开一期，所以第 N 期最早在当年第 N 个开奖日开奖（每天开奖的彩票为第 N 天，
   双色球为第 N 个周二、四、日，大乐透为第 N 个周一、三、六）；这一天也须晚于公布当天，否则这一期可能已经开奖。
3. 到开奖日期才能输入种子，且只能是承诺的那一期开奖号码；种子的写法唯一：“来源代码:期号:号码”，
   如 fc3d:2026158:4,8,3（双色球、大乐透的红蓝两区用“+”相连，球号按升序，不补零）。
4. 每个村的“签号”为 SHA-256(种子 ‖ 村代码) 的小写十六进制（种子与代码直接相连，UTF-8）；
   每层抽取 k = ⌈候选数 × 比例 ÷ 100⌉ 个村（候选数大于 0 时至少 1 个），取签号最小的 k 个。
5. 各层抽中的村合并，按代码升序排列，即为抽取结果。
6. 每条公示记录（承诺；种子和结果）都写明上一条记录的摘要，前后相连成链；改动任何一次抽取，
   它之后的每一条记录都对不上。"""


class SeedError(ValueError):
    """A lottery result or issue number written in a way the rules do not accept (message in Chinese)."""


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


# ---------------------------------------------------------------- the seed: one way to write a result


# Weekdays (Monday = 0) on which a lottery that is not drawn daily is drawn; the others draw at most once a day.
DRAW_WEEKDAYS = {"ssq": (1, 3, 6), "dlt": (0, 2, 5)}  # 双色球: Tue, Thu, Sun; 大乐透: Mon, Wed, Sat


def earliest_draw_date(source: str, year: int, number: int) -> date:
    """The earliest day on which issue `number` of `year` can be drawn, whatever the calendar: issues are
    numbered from 1 each year and drawn at most once per drawing day, so issue N of a daily lottery comes no
    earlier than day N of the year and issue N of 双色球 or 大乐透 no earlier than the year's N-th drawing
    weekday. Pauses (the Spring Festival) only push draws later, so an issue can never come before this day."""
    first = date(year, 1, 1)
    weekdays = DRAW_WEEKDAYS.get(source)
    if weekdays is None:
        return first + timedelta(days=number - 1)
    days = [first + timedelta(days=d) for d in range(7) if (first + timedelta(days=d)).weekday() in weekdays]
    weeks, nth = divmod(number - 1, len(days))
    return days[nth] + timedelta(weeks=weeks)


def check_issue(source_label: str, issue: str, draw_date: date, source: str = "fc3d", published: date | None = None) -> str:
    """The lottery's issue number: digits, beginning with the draw's year (2026158 or 26158), an issue that
    can be drawn on `draw_date` and cannot have been drawn by `published` (the day the list goes out)."""
    issue = unicodedata.normalize("NFKC", issue).strip()
    if not re.fullmatch(r"\d{5,8}", issue):
        raise SeedError(f"{source_label}的期号须为 5–8 位数字，如 2026158")
    year = str(draw_date.year)
    if not (issue.startswith(year) or issue.startswith(year[2:])):
        raise SeedError(f"期号 {issue} 不是 {year} 年的期号：期号以开奖年份开头（如 {year}158 或 {year[2:]}158）")
    number = int(issue[len(year):] if issue.startswith(year) else issue[2:])
    if number < 1:
        raise SeedError(f"{source_label}没有第{issue}期：每年的期号从 001 开始")
    earliest = earliest_draw_date(source, draw_date.year, number)
    if published is not None and earliest <= published:
        raise SeedError(f"{source_label}第{issue}期最早可能在{chinese_date(earliest)}开奖，不晚于公布日期（{chinese_date(published)}），"
                        "可能已经开奖；请选择公布之后才开奖的期号")
    if earliest > draw_date:
        raise SeedError(f"{source_label}第{issue}期最早在{chinese_date(earliest)}开奖，不可能在{chinese_date(draw_date)}开奖；请核对期号和开奖日期")
    return issue


def parse_numbers(source: str, text: str, label: str = "") -> list[list[int]]:
    """The numbers of one lottery result, checked against the source's form and put in canonical order."""
    groups, hint = NUMBERS[source]
    tokens = re.findall(r"\d+", unicodedata.normalize("NFKC", text))
    total = sum(g.count for g in groups)
    if all(g.ordered and g.high <= 9 for g in groups) and len(tokens) == 1 and len(tokens[0]) == total:
        tokens = list(tokens[0])  # "483" for 4 8 3
    if len(tokens) != total:
        raise SeedError(f"{label}开奖号码应为{hint}；收到 {len(tokens)} 个号码")
    numbers, start = [], 0
    for group in groups:
        part = [int(t) for t in tokens[start:start + group.count]]
        start += group.count
        if any(not group.low <= n <= group.high for n in part):
            raise SeedError(f"{label}开奖号码超出范围（{group.low}–{group.high}）：应为{hint}")
        if not group.ordered:
            if len(set(part)) != len(part):
                raise SeedError(f"{label}开奖号码有重复：应为{hint}")
            part.sort()
        numbers.append(part)
    return numbers


def seed_text(source: str, issue: str, numbers: list[list[int]]) -> str:
    return f"{source}:{issue}:" + "+".join(",".join(str(n) for n in group) for group in numbers)


# ---------------------------------------------------------------- the chain of public records


def _utc(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else ""


def encode(payload: dict) -> str:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def link_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def commitment_payload(draw, previous: str) -> dict:
    """What is committed when the list is published (the draw may be a historical model in a migration)."""
    return {
        "format": LINK_FORMAT, "link": COMMITMENT, "draw": draw.pk, "round": draw.round_id, "algorithm": draw.algorithm,
        "percent": draw.percent, "strata": {k: sorted(v) for k, v in sorted(draw.strata.items())},
        "eligible_sha256": draw.eligible_sha256, "source": draw.source, "source_issue": draw.source_issue,
        "source_date": draw.source_date.isoformat() if draw.source_date else "", "published_at": _utc(draw.published_at),
        "replaces": draw.replaces_id, "redraw_number": draw.redraw_number, "reason": draw.reason, "previous": previous,
    }


def result_payload(draw, commitment_sha256: str, previous: str) -> dict:
    """What is recorded when the seed is entered: the seed, its source, the time and the sample."""
    return {
        "format": LINK_FORMAT, "link": RESULT, "draw": draw.pk, "commitment": commitment_sha256, "seed": draw.seed,
        "seed_source": draw.seed_source, "drawn_at": _utc(draw.drawn_at), "result": list(draw.result), "previous": previous,
    }


FIELD_LABELS = {
    "format": "记录格式", "link": "记录类型", "draw": "抽取编号", "round": "检查轮次", "algorithm": "算法", "percent": "抽取比例",
    "strata": "候选名单", "eligible_sha256": "名单摘要", "source": "随机数来源", "source_issue": "期号", "source_date": "开奖日期",
    "published_at": "名单公布时间", "replaces": "取代的抽取", "redraw_number": "重抽次数", "reason": "重抽理由",
    "previous": "上一条记录摘要", "commitment": "承诺摘要", "seed": "种子", "seed_source": "种子来源", "drawn_at": "抽取时间",
    "result": "抽取结果",
}


@dataclass
class BrokenLink:
    seq: int
    draw_id: int
    kind: str
    problems: list[str]

    def __str__(self) -> str:
        what = "承诺" if self.kind == COMMITMENT else "种子和结果"
        return f"公示链第 {self.seq} 条（抽取 #{self.draw_id} 的{what}）：" + "；".join(self.problems)


def verify_chain() -> tuple[list[BrokenLink], object]:
    """Walk the whole chain: each link's hash, its tie to the one before, no link missing. Returns the
    broken links and the last link (the head, whose hash an observer can note down)."""
    from .models import DrawLink

    broken, previous, expected, last = [], GENESIS, 1, None
    for link in DrawLink.objects.order_by("seq").iterator():
        problems = []
        if link.seq != expected:
            problems.append(f"缺少第 {expected}–{link.seq - 1} 条记录" if link.seq > expected else "编号重复")
        if link_sha256(link.payload) != link.sha256:
            problems.append("记录内容与其摘要不符，记录被改动过")
        try:
            stored_previous = json.loads(link.payload).get("previous")
        except ValueError:
            stored_previous = None
        if link.previous_sha256 != previous or stored_previous != previous:
            problems.append("没有接上前一条记录的摘要，之前的记录被改动、删除或插入过")
        if problems:
            broken.append(BrokenLink(link.seq, link.draw_id, link.kind, problems))
        previous, expected, last = link.sha256, link.seq + 1, link
    return broken, last


@dataclass
class Verification:
    legacy: bool  # recorded before the commitment rule: its seed's source was never committed
    drawn: bool
    list_matches: bool  # the list recorded now hashes to the digest, and both are the committed ones
    result_matches: bool  # the committed list and the seed give the recorded result
    recomputed: list[str]
    removed: list[str] = field(default_factory=list)  # committed villages no longer in the recorded list
    added: list[str] = field(default_factory=list)  # villages in the recorded list that were not committed
    missing: list[str] = field(default_factory=list)  # drawn by the recomputation, absent from the recorded result
    extra: list[str] = field(default_factory=list)  # in the recorded result, not drawn by the recomputation
    changed: list[str] = field(default_factory=list)  # fields of the draw that differ from its public records
    timing: list[str] = field(default_factory=list)  # breaches of the time rule
    chain: list[BrokenLink] = field(default_factory=list)
    head: object = None

    @property
    def chain_ok(self) -> bool:
        return not self.chain

    @property
    def ok(self) -> bool:
        return (self.list_matches and (self.result_matches or not self.drawn) and not self.removed and not self.added
                and not self.missing and not self.extra and not self.changed and not self.timing and not self.chain)

    def problems(self) -> list[str]:
        """Each mismatch in a sentence an official can act on."""
        found = []
        if not self.list_matches:
            found.append("候选名单与公布时承诺的名单摘要不一致")
        if self.removed:
            found.append(f"承诺的候选名单中有 {len(self.removed)} 个村被删去：{'、'.join(self.removed)}")
        if self.added:
            found.append(f"候选名单中多出 {len(self.added)} 个承诺时没有的村：{'、'.join(self.added)}")
        if self.missing:
            found.append(f"按承诺的名单和种子应抽中、记录中却没有的村：{'、'.join(self.missing)}")
        if self.extra:
            found.append(f"记录中有、按承诺的名单和种子不应抽中的村：{'、'.join(self.extra)}")
        if self.drawn and not self.result_matches and not (self.missing or self.extra):
            found.append("复算结果与记录的抽取结果不一致")
        if self.changed:
            found.append(f"与公示记录不一致的项目：{'、'.join(self.changed)}")
        found.extend(self.timing)
        found.extend(str(broken) for broken in self.chain)
        return found


def _load(link) -> dict:
    try:
        return json.loads(link.payload) if link else {}
    except ValueError:
        return {}


def _differences(stored: dict, expected: dict) -> list[str]:
    return [FIELD_LABELS.get(key, key) for key in sorted(set(stored) | set(expected)) if stored.get(key) != expected.get(key)]


def _codes(strata: dict) -> set[str]:
    return {code for codes in strata.values() for code in codes}


def verify(draw) -> Verification:
    """Recompute a recorded draw from its public records: the list and its digest, the result, the time
    rule, every field against the chain's links, and the chain itself."""
    links = {link.kind: link for link in draw.links.all()}
    commitment, result = links.get(COMMITMENT), links.get(RESULT)
    committed = _load(commitment)
    legacy = draw.algorithm == LEGACY_ALGORITHM
    drawn = bool(draw.seed) or result is not None
    strata = committed.get("strata") if isinstance(committed.get("strata"), dict) else draw.strata
    percent = committed.get("percent", draw.percent)
    seed = _load(result).get("seed", draw.seed) if result else draw.seed
    recomputed = select(strata, seed, percent) if drawn and seed else []
    recorded = list(draw.result)
    check = Verification(
        legacy=legacy, drawn=drawn,
        list_matches=digest(draw.strata) == draw.eligible_sha256 == committed.get("eligible_sha256", draw.eligible_sha256)
        and digest(strata) == draw.eligible_sha256,
        result_matches=drawn and recomputed == recorded, recomputed=recomputed,
        removed=sorted(_codes(strata) - _codes(draw.strata)), added=sorted(_codes(draw.strata) - _codes(strata)),
        missing=sorted(set(recomputed) - set(recorded)), extra=sorted(set(recorded) - set(recomputed)),
    )
    if commitment is None:
        check.changed.append("缺少名单公布时的承诺记录")
    else:
        check.changed += _differences(committed, commitment_payload(draw, commitment.previous_sha256))
    if drawn and result is None:
        check.changed.append("缺少种子和结果的公示记录")
    elif result is not None:
        check.changed += [f for f in _differences(_load(result), result_payload(draw, commitment.sha256 if commitment else "", result.previous_sha256))
                          if f not in check.changed]
    if not legacy:
        check.timing = timing_problems(draw)
    check.chain, check.head = verify_chain()
    return check


def timing_problems(draw) -> list[str]:
    """The time rule: the source is drawn after the day the list was published, and the seed is entered on
    or after the source's draw date and is that source's result."""
    found = []
    if not draw.source or not draw.source_date or not draw.source_issue:
        return ["名单公布时没有承诺随机数来源"]
    published = timezone.localdate(draw.published_at)
    if draw.source_date <= published:
        found.append(f"承诺的开奖日期（{chinese_date(draw.source_date)}）不在名单公布（{chinese_date(published)}）之后")
    else:
        try:
            check_issue(draw.get_source_display(), draw.source_issue, draw.source_date, draw.source, published)
        except SeedError as exc:
            found.append(f"承诺的期号不合规则：{exc}")
    if draw.seed:
        if draw.drawn_at and timezone.localdate(draw.drawn_at) < draw.source_date:
            found.append(f"种子在开奖日期（{chinese_date(draw.source_date)}）之前输入")
        if not draw.seed.startswith(f"{draw.source}:{draw.source_issue}:"):
            found.append("种子不是承诺的那一期开奖号码")
    return found
