"""The benchmark suite: `make bench` (after `make bench-data`). Not part of `make test`.

Each operation is timed over repeated runs (p50, p95) and beside it its **floor**: the same answer from
one hand-written SQL query on the same database (for the import: a bare insert of the same rows).
The ratio is p95 / floor p95. Results are printed as a table and written to
bench/results/<database>-<scale>.json with the machine, date and commit.

    DATABASE_URL=... DJANGO_SETTINGS_MODULE=qiancun.settings.bench python -m bench.run [--only NAME ...]
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
RESULTS = ROOT / "bench" / "results"


@dataclass
class Result:
    name: str
    label: str
    target: str
    unit: str = "ms"
    p50: float | None = None
    p95: float | None = None
    floor_p50: float | None = None
    floor_p95: float | None = None
    ratio: float | None = None
    value: float | None = None  # throughput figures: rows/s, s, req/s …
    floor_value: float | None = None  # the floor's figure in the same unit
    ok: bool | None = None
    runs: int = 0
    notes: dict = field(default_factory=dict)


def timed(fn, runs: int, warmup: int = 2) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def p(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def sql(query: str, params=()) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def latency(name, label, target, fn, floor, *, runs, limit_ms=None, limit_ratio=None, notes=None) -> Result:
    times, floor_times = timed(fn, runs), timed(floor, runs) if floor else []
    result = Result(name, label, target, p50=round(p(times, 50), 2), p95=round(p(times, 95), 2), runs=runs, notes=notes or {})
    if floor_times:
        result.floor_p50, result.floor_p95 = round(p(floor_times, 50), 2), round(p(floor_times, 95), 2)
        result.ratio = round(result.p95 / max(result.floor_p95, 0.01), 2)
    checks = []
    if limit_ms is not None:
        checks.append(result.p95 <= limit_ms)
    if limit_ratio is not None and result.ratio is not None:
        checks.append(result.ratio <= limit_ratio)
    result.ok = all(checks) if checks else None
    return result


# ------------------------------------------------------------------------------------------ operations


def context():
    """Objects the operations share: users, the campaign, a county, a busy village, a household."""
    from qiancun.accounts.models import User
    from qiancun.campaigns.models import Campaign
    from qiancun.participation.models import Household, LedgerEntry

    ctx = {"admin": User.objects.get(username="province_admin"), "campaign": Campaign.objects.get(year=2022)}
    ctx["county"] = "222401"  # 延吉市: demo logins and data live there
    ctx["county_user"] = User.objects.get(username="yanji_admin")
    # A village the generator filled (24 months of data), not one of the demo's 24 (one year).
    village = Household.objects.order_by("-pk").values_list("village_id", flat=True).first()
    ctx["village"] = village
    hh = Household.objects.filter(village_id=village).order_by("pk").values_list("pk", flat=True)
    ctx["household"] = hh[len(hh) // 2] if hh else None
    ctx["households"] = Household.objects.count()
    ctx["ledger"] = LedgerEntry.objects.count()
    return ctx


def op_dashboard(ctx, runs):
    """验收进度总览 for the province: status counts, coverage and pass rates of the three checks, open
    problems, by city. Floor: the same figures from one hand-written SQL statement."""
    from datetime import date

    from qiancun.inspections import queries
    from qiancun.regions.models import Region

    province = Region.objects.get(code="22")
    campaign, admin = ctx["campaign"], ctx["admin"]
    floor_sql = """
        SELECT 'e', substr(e.village_id, 1, 4) AS c, e.status, COUNT(*), 0, 0, 0 FROM campaigns_enrollment e
         WHERE e.campaign_id = %s GROUP BY c, e.status
        UNION ALL
        SELECT 'r', substr(en.village_id, 1, 4) AS c, o.kind,
               COUNT(DISTINCT CASE WHEN r.status = 'submitted' THEN r.enrollment_id END),
               SUM(CASE WHEN r.status = 'submitted' THEN 1 ELSE 0 END),
               SUM(CASE WHEN r.status = 'submitted' AND r.passed THEN 1 ELSE 0 END),
               COUNT(DISTINCT CASE WHEN r.status = 'submitted' AND r.passed AND o.status = 'locked' THEN r.enrollment_id END)
          FROM inspections_inspectionrecord r JOIN inspections_inspectionround o ON o.id = r.round_id
          JOIN campaigns_enrollment en ON en.id = r.enrollment_id
         WHERE o.campaign_id = %s AND o.kind IN ('self_check', 're_check', 'spot_check') GROUP BY c, o.kind
        UNION ALL
        SELECT 'p', substr(en.village_id, 1, 4) AS c, '', SUM(CASE WHEN p.status <> 'closed' THEN 1 ELSE 0 END),
               SUM(CASE WHEN p.status <> 'closed' AND p.deadline < %s THEN 1 ELSE 0 END), 0, 0
          FROM rectification_problem p JOIN campaigns_enrollment en ON en.id = p.enrollment_id
         WHERE en.campaign_id = %s GROUP BY c"""
    today = date.today()
    floor = lambda: sql(floor_sql, [campaign.pk, campaign.pk, today, campaign.pk])  # noqa: E731
    # As users get it (computed once per version of the acceptance data), and the first read after a write.
    cached = latency(
        "province_dashboard", "省级验收进度总览（按市）", "p95 ≤ 200 ms 且 ≤ 1.5× 下限",
        lambda: queries.dashboard(campaign, province, admin), floor, runs=runs, limit_ms=200, limit_ratio=1.5,
    )
    computed = latency(
        "province_dashboard_computed", "省级验收进度总览（写入后首次读取，不经缓存）", "p95 ≤ 200 ms",
        lambda: queries._dashboard(campaign, province, admin, today), floor, runs=runs, limit_ms=200,
    )
    return [cached, computed]


def op_map(ctx, runs):
    """GeoJSON of every village unit with its 2022 status. Floor: the same rows from one SQL query."""
    from django.db import connection

    from qiancun.regions import queries

    real = "DOUBLE PRECISION" if connection.vendor == "postgresql" else "REAL"
    floor_sql = (
        f"SELECT r.code, r.name, r.village_type, r.is_key_border, r.is_poverty_alleviated, CAST(r.longitude AS {real}), "
        f"CAST(r.latitude AS {real}), e.status FROM regions_region r LEFT JOIN campaigns_enrollment e ON e.village_id = r.code "
        "AND e.campaign_id = %s WHERE r.level = 'village' AND r.longitude IS NOT NULL AND r.latitude IS NOT NULL ORDER BY r.code"
    )
    body = queries.village_geojson(ctx["admin"], ctx["campaign"])
    features = json.loads(body)["features"]
    return latency(
        "village_map", "全省 11,860 个村地图数据（GeoJSON）", "≤ 1 s",
        lambda: queries.village_geojson(ctx["admin"], ctx["campaign"]), lambda: sql(floor_sql, [ctx["campaign"].pk]),
        runs=max(5, runs // 3), limit_ms=1000, notes={"features": len(features), "bytes": len(body)},
    )


def op_balance(ctx, runs):
    from qiancun.participation import queries

    hh = ctx["household"]
    floor_sql = (
        "SELECT (SELECT balance FROM participation_pointsaccount WHERE household_id = %s), e.id, e.kind, e.points, e.balance_after, "
        "e.reason, e.created_at FROM participation_ledgerentry e WHERE e.household_id = %s ORDER BY e.created_at DESC, e.id DESC LIMIT 20"
    )
    return latency(
        "household_statement", "农户积分余额 + 最近 20 条", "p95 ≤ 10 ms",
        lambda: queries.statement(hh, limit=20), lambda: sql(floor_sql, [hh, hh]), runs=runs, limit_ms=10,
    )


def op_ranking(ctx, runs):
    from qiancun.participation import queries
    from qiancun.participation.queries import EARNING_KINDS, month_range

    village = ctx["village"]
    start, end = month_range("2026-10")
    kinds = list(EARNING_KINDS)
    floor_sql = (
        "SELECT e.household_id, h.head_name, h.number, g.name, SUM(e.points) AS s FROM participation_ledgerentry e "
        "JOIN participation_household h ON h.id = e.household_id LEFT JOIN participation_householdgroup g ON g.id = h.group_id "
        f"WHERE e.village_id = %s AND e.kind IN ({', '.join(['%s'] * len(kinds))}) AND e.created_at >= %s AND e.created_at < %s "
        "GROUP BY e.household_id, h.head_name, h.number, g.name ORDER BY s DESC, h.number LIMIT 100"
    )
    return latency(
        "village_ranking", "村月度积分排行", "p95 ≤ 50 ms",
        lambda: queries.ranking(village, month="2026-10"), lambda: sql(floor_sql, [village, *kinds, start, end]), runs=runs, limit_ms=50,
    )


def op_draw(ctx, runs):
    """The province's 10% spot-check draw: the eligible list by city from the database, its SHA-256,
    and the sample the seed selects (what do_publish_draw and do_perform_draw compute), then the
    verification of the recorded draw from its recorded inputs."""
    from qiancun.inspections import actions, draws
    from qiancun.inspections.choices import RoundKind
    from qiancun.inspections.models import Draw, InspectionRound

    spot = InspectionRound.objects.filter(campaign=ctx["campaign"], kind=RoundKind.SPOT_CHECK).first()
    current = actions.current_draw(spot)

    def draw_once():
        strata = actions._strata(spot)
        draws.digest(strata)
        return draws.select(strata, "2022-06-15 3D 627", spot.campaign.spot_check_percent)

    eligible_sql = (
        "SELECT e.village_id FROM campaigns_enrollment e WHERE e.campaign_id = %s AND e.id IN ("
        "SELECT r.enrollment_id FROM inspections_inspectionrecord r JOIN inspections_inspectionround o ON o.id = r.round_id "
        "WHERE o.campaign_id = %s AND o.kind = 'self_check' AND r.status = 'submitted' AND r.passed) ORDER BY e.village_id"
    )
    campaign = ctx["campaign"].pk
    draw_result = latency(
        "province_draw", "省级抽查 10% 抽取", "≤ 100 ms", draw_once,
        lambda: sql(eligible_sql, [campaign, campaign]), runs=runs, limit_ms=100,
        notes={"eligible": sum(len(v) for v in current.strata.values()), "drawn": len(current.result)},
    )
    verify_result = latency(
        "draw_verification", "抽取结果验证", "≤ 100 ms",
        lambda: draws.verify(Draw.objects.get(pk=current.pk)),
        lambda: sql("SELECT strata, result, seed FROM inspections_draw WHERE id = %s", [current.pk]), runs=runs, limit_ms=100,
    )
    return [draw_result, verify_result]


def op_county_page(ctx, runs):
    """The county overview page (campaign detail for 延吉市) as its administrator opens it: the whole
    HTTP request through every middleware, session and template, in process."""
    from django.test import Client

    client = Client()
    client.force_login(ctx["county_user"])
    url = f"/campaigns/{ctx['campaign'].year}/?region={ctx['county']}"
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    floor_sql = (
        "SELECT substr(e.village_id, 1, 9) AS child, e.status, e.track, COUNT(*) FROM campaigns_enrollment e "
        "WHERE e.campaign_id = %s AND e.village_id LIKE %s GROUP BY child, e.status, e.track"
    )
    return latency(
        "county_page", "县级总览页（完整 HTTP 请求）", "p95 ≤ 300 ms", lambda: client.get(url),
        lambda: sql(floor_sql, [ctx["campaign"].pk, ctx["county"] + "%"]), runs=runs, limit_ms=300, notes={"url": url},
    )


def _import_rows(village, count: int) -> list[list[str]]:
    """`count` member rows for new households of `village`: ~2.5 members each, valid and unique ID numbers."""
    import random

    from qiancun.participation import personal_data as pd
    from qiancun.participation.models import Member

    rng = random.Random(100_000)
    rows, n, serial = [], 0, 0
    while len(rows) < count:
        n += 1
        size = min(rng.choice([2, 2, 3]), count - len(rows))
        for k in range(size):
            serial += 1
            slot = serial % (60 * 12 * 28)
            year, rest = 1940 + slot // (12 * 28), slot % (12 * 28)
            number = pd.with_check_digit(f"{village[:6]}{year}{rest // 28 + 1:02d}{rest % 28 + 1:02d}{serial // (60 * 12 * 28):03d}")
            rows.append([f"B{n:05d}", f"王{'秀英国华建明'[k]}{n % 97}", ["户主", "配偶", "子女"][k], number,
                         f"13{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}" if k < 2 else "", f"{n // 10 + 1}组{n % 10 + 1}号",
                         f"第{n // 10 + 1}组"])
    # ID numbers another village's members already hold would (rightly) be refused: drop those households.
    hashes = {pd.lookup_hash(r[3]): r for r in rows}
    taken = set()
    keys = list(hashes)
    for start in range(0, len(keys), 2000):
        taken.update(Member.objects.filter(id_hash__in=keys[start : start + 2000]).values_list("id_hash", flat=True))
    bad = {hashes[h][0] for h in taken}
    return [r for r in rows if r[0] not in bad]


def op_import(ctx, runs):
    """Household Excel import of 100,000 member rows into one village, validated, all-or-nothing, rolled
    back after each run. Floor: a bare insert of the same households and members."""
    import tempfile

    from django.db import transaction
    from openpyxl import Workbook

    from qiancun.core.bulk import insert_rows
    from qiancun.participation import excel
    from qiancun.participation import personal_data as pd
    from qiancun.participation.choices import ImportMode
    from qiancun.participation.models import Household, Member
    from qiancun.regions.models import Region

    target = Region.objects.villages().exclude(code__in=Household.objects.values("village_id").distinct()).order_by("code").first()
    rows = _import_rows(target.code, 100_000)
    path = Path(tempfile.gettempdir()) / "qiancun-bench-import.xlsx"
    book = Workbook(write_only=True)
    sheet = book.create_sheet("农户")
    sheet.append(excel.COLUMNS)
    for row in rows:
        sheet.append(row)
    book.save(path)

    class Rollback(Exception):
        pass

    def once():
        try:
            with transaction.atomic():
                with path.open("rb") as handle:
                    report = excel.import_households(handle, target, mode=ImportMode.ALL_OR_NOTHING)
                assert report["members_added"] == len(rows), report["summary"]
                raise Rollback
        except Rollback:
            pass

    # The floor inserts the same rows already validated and encrypted: only the writing is timed.
    prepared = [(r[0], r[1], r[5], pd.encrypt(r[3]), pd.lookup_hash(r[3]), pd.mask_id(r[3]), pd.encrypt(r[4]), pd.lookup_hash(r[4]),
                 pd.mask_phone(r[4])) for r in rows]

    def floor():
        try:
            with transaction.atomic():
                first_h = (Household.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
                first_m = (Member.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
                households, members, ids = [], [], {}
                for number, name, address, id_cipher, id_hash, id_masked, phone_cipher, phone_hash, phone_masked in prepared:
                    if number not in ids:
                        ids[number] = first_h + len(ids)
                        households.append((ids[number], target.code, number, name, address, "2026-11-01 00:00:00", "2026-11-01 00:00:00"))
                    members.append((first_m + len(members), ids[number], name, "head", id_cipher, id_hash, id_masked, phone_cipher,
                                    phone_hash, phone_masked))
                insert_rows(Household, ["id", "village_id", "number", "head_name", "address", "created_at", "updated_at"], households)
                insert_rows(Member, ["id", "household_id", "name", "relation", "id_cipher", "id_hash", "id_masked", "phone_cipher",
                                     "phone_hash", "phone_masked"], members)
                raise Rollback
        except Rollback:
            pass

    times, floors = timed(once, max(1, runs // 10), warmup=0), timed(floor, max(1, runs // 10), warmup=0)
    speed, floor_speed = len(rows) / (statistics.median(times) / 1000), len(rows) / (statistics.median(floors) / 1000)
    result = Result("household_import", "农户 Excel 导入（10 万行，含校验）", "≥ 20,000 行/秒", unit="行/秒", value=round(speed),
                    floor_value=round(floor_speed),
                    p50=round(statistics.median(times), 1), p95=round(max(times), 1), floor_p50=round(statistics.median(floors), 1),
                    floor_p95=round(max(floors), 1), runs=len(times), notes={"rows": len(rows), "floor_rows_per_s": round(floor_speed)})
    result.ratio = round(result.p50 / result.floor_p50, 2)
    result.ok = speed >= 20_000
    path.unlink()
    return result


def export_probe() -> None:
    """Child process of op_export: one province export, then its time and peak memory as JSON."""
    from qiancun.accounts.models import User
    from qiancun.participation.exports import export_households
    from qiancun.regions.models import Region

    admin = User.objects.get(username="province_admin")
    started = time.perf_counter()
    export = export_households(Region.objects.get(code="22"), acting_user=admin)
    seconds = time.perf_counter() - started
    size = export.path.stat().st_size
    export.path.unlink()
    # VmHWM, not ru_maxrss: ru_maxrss survives exec and would count the forked copy of the benchmark itself.
    peak = next(int(line.split()[1]) for line in Path("/proc/self/status").read_text().splitlines() if line.startswith("VmHWM"))
    print(json.dumps({"seconds": round(seconds, 2), "households": export.households, "rows": export.rows, "bytes": size,
                      "max_rss_mb": round(peak / 1024, 1)}))


def op_export(ctx, runs):
    """Every household of the province to Excel, masked, in a fresh process so its peak memory is its
    own. Floor: the same rows read by one SQL query (no spreadsheet)."""
    from django.db import connection

    out = subprocess.run([sys.executable, "-m", "bench.run", "--export-probe"], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={**os.environ})
    probe = json.loads(out.stdout.strip().splitlines()[-1])
    floor_sql = (
        "SELECT h.village_id, v.name, h.number, m.name, m.relation, m.id_masked, m.phone_masked, h.address, g.name, a.balance "
        "FROM participation_household h JOIN regions_region v ON v.code = h.village_id "
        "LEFT JOIN participation_member m ON m.household_id = h.id LEFT JOIN participation_householdgroup g ON g.id = h.group_id "
        "LEFT JOIN participation_pointsaccount a ON a.household_id = h.id ORDER BY h.village_id, h.number, m.id"
    )

    def floor():
        with connection.cursor() as cursor:
            cursor.execute(floor_sql)
            while cursor.fetchmany(5000):
                pass

    floor_ms = timed(floor, 1, warmup=0)[0]
    seconds = probe["seconds"]
    return Result(
        "province_export", "全省农户导出 Excel（脱敏，流式）", "≤ 60 s，内存有界", unit="s", value=seconds,
        floor_value=round(floor_ms / 1000, 2),
        p50=seconds * 1000, p95=seconds * 1000, floor_p50=round(floor_ms, 1), floor_p95=round(floor_ms, 1),
        ratio=round(seconds * 1000 / floor_ms, 2), ok=seconds <= 60 and probe["max_rss_mb"] <= 512, runs=1, notes=probe,
    )


def op_api_throughput(ctx, runs):
    """Read API throughput: gunicorn with 2 workers serving these settings and this database, load from
    a second process (bench/load.py, 4 connections). The village list page (100 villages, with the
    pagination count) against the minimal JSON endpoint (/api/v1/health) on the same server."""
    import socket

    from django_otp.plugins.otp_totp.models import TOTPDevice

    from qiancun.accounts.actions import do_create_api_token, do_revoke_api_token

    # An administrator's tokens live behind the second factor: the bench's admin gets a device first.
    TOTPDevice.objects.get_or_create(user=ctx["admin"], confirmed=True, defaults={"name": "基准测试"})
    token, secret = do_create_api_token(acting_user=ctx["admin"], name="基准测试")
    port = 8765
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--chdir", str(ROOT / "src"), "qiancun.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--log-level", "warning"], env=env, cwd=ROOT,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        seconds = max(5, runs // 3)

        def load(path):
            out = subprocess.run([sys.executable, "-m", "bench.load", f"http://127.0.0.1:{port}{path}", "2", "4", secret],
                                 cwd=ROOT, capture_output=True, text=True, check=True)  # warm-up: both workers connected
            out = subprocess.run([sys.executable, "-m", "bench.load", f"http://127.0.0.1:{port}{path}", str(seconds), "4", secret],
                                 cwd=ROOT, capture_output=True, text=True, check=True)
            return json.loads(out.stdout)

        villages = load("/api/v1/regions?level=village&page=37")
        minimal = load("/api/v1/health")
    finally:
        server.terminate()
        server.wait(10)
        do_revoke_api_token(token, acting_user=ctx["admin"])
    share = villages["rps"] / minimal["rps"] if minimal["rps"] else 0
    return Result(
        "api_throughput", "读接口吞吐（村列表页，gunicorn 2 进程）", "≥ 50% 最小接口", unit="请求/秒", value=villages["rps"],
        floor_value=minimal["rps"],
        p50=villages["p50_ms"], p95=villages["p95_ms"], floor_p50=minimal["p50_ms"], floor_p95=minimal["p95_ms"],
        ratio=round(share, 2), ok=share >= 0.5 and villages["errors"] == 0, runs=villages["requests"],
        notes={"villages": villages, "minimal": minimal, "share_of_minimal": round(share, 3)},
    )


def op_nation_search(ctx, runs):
    """Search the national tree (665k units) by pinyin initials, as the region search box does."""
    from qiancun.regions import queries
    from qiancun.regions.models import Region

    floor_sql = ("SELECT code, name, level FROM regions_region WHERE name LIKE %s OR name_initials LIKE %s OR name_pinyin LIKE %s "
                 "ORDER BY code LIMIT 50")
    return latency(
        "nation_search", "全国区划拼音首字母搜索（jyx）", "p95 ≤ 200 ms",
        lambda: list(queries.search(Region.objects.all(), "jyx")), lambda: sql(floor_sql, ["%jyx%", "jyx%", "jyx%"]),
        runs=runs, limit_ms=200,
    )


def op_nation_counts(ctx, runs):
    """Units of each level under a province of the national tree (广东省, 44): the region page's summary."""
    from qiancun.regions import queries
    from qiancun.regions.models import Region

    guangdong = Region.objects.get(code="44")
    floor_sql = "SELECT level, COUNT(*) FROM regions_region WHERE code >= '44' AND code <= '449999999999' AND code <> '44' GROUP BY level"
    return latency(
        "nation_counts", "全国树：一个省下各级区划数（广东）", "p95 ≤ 200 ms",
        lambda: queries.counts_beneath(guangdong), lambda: sql(floor_sql), runs=runs, limit_ms=200,
    )


NATION_OPERATIONS = {"nation_search": op_nation_search, "nation_counts": op_nation_counts}


OPERATIONS = {
    "province_dashboard": op_dashboard,
    "village_map": op_map,
    "household_statement": op_balance,
    "village_ranking": op_ranking,
    "province_draw": op_draw,
    "county_page": op_county_page,
    "household_import": op_import,
    "province_export": op_export,
    "api_throughput": op_api_throughput,
}


# ------------------------------------------------------------------------------------------ report


def machine() -> dict:
    from django.db import connection

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        version = cursor.fetchone()[0]
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"date": time.strftime("%Y-%m-%d %H:%M"), "commit": commit, "cpus": os.cpu_count(), "memory_gb": round(memory, 1),
            "python": platform.python_version(), "database": connection.vendor, "database_version": version.split(" on ")[0]}


def table(results: list[Result]) -> str:
    def f(value, unit=""):
        return "—" if value is None else f"{value:,.2f}{unit}"

    lines = ["| operation | target | p50 | p95 | floor p50 | floor p95 | ratio | value | ok |", "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        value = "—" if r.value is None else f"{r.value:,.1f} {r.unit}"
        ok = {True: "✓", False: "✗", None: "·"}[r.ok]
        lines.append(f"| {r.label} | {r.target} | {f(r.p50)} | {f(r.p95)} | {f(r.floor_p50)} | {f(r.floor_p95)} | {f(r.ratio, '×')} | {value} | {ok} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="qiancun benchmarks")
    parser.add_argument("--scale", default=os.environ.get("SCALE", "province"))
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--only", nargs="*", default=None, help="operation names")
    parser.add_argument("--export-probe", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qiancun.settings.bench")
    import django

    django.setup()
    if args.export_probe:
        export_probe()
        return 0
    from django.db import connection

    from qiancun.regions.models import Region

    info = machine()
    if args.scale == "nation":
        ctx, operations = {"households": 0, "ledger": 0}, NATION_OPERATIONS
    else:
        ctx, operations = context(), OPERATIONS
    print(f"qiancun bench · {info['database']} {info['database_version']} · scale {args.scale} · {Region.objects.count():,} regions · "
          f"{ctx['households']:,} households · {ctx['ledger']:,} ledger entries · commit {info['commit']}", flush=True)
    results: list[Result] = []
    for name, op in operations.items():
        if args.only and name not in args.only:
            continue
        started = time.monotonic()
        produced = op(ctx, args.runs)
        for r in produced if isinstance(produced, list) else [produced]:
            results.append(r)
            print(f"  {r.label}: p95 {r.p95} ms (floor {r.floor_p95}) value {r.value} {'' if r.ok is None else ('ok' if r.ok else 'MISSED')} "
                  f"[{time.monotonic() - started:.1f} s]", flush=True)
    print(table(results))
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{connection.vendor}-{args.scale}.json"
    rows = [asdict(r) for r in results]
    if args.only and out.exists():  # a partial run replaces its operations in the last full results
        previous = json.loads(out.read_text(encoding="utf-8"))["results"]
        rows = [next((r for r in rows if r["name"] == old["name"]), old) for old in previous] + \
               [r for r in rows if r["name"] not in {old["name"] for old in previous}]
    out.write_text(json.dumps({"machine": info, "scale": args.scale, "households": ctx["households"], "ledger_entries": ctx["ledger"],
                               "results": rows}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"written {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
