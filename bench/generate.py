"""Deterministic scale data for the benchmarks: `make bench-data SCALE=demo|province|nation`.

- demo:     what `make demo` loads (real Jilin tree, 2021/2022 campaigns through the actions,
            acceptance, rectification, 24 villages of participation).
- province: demo + every village enrolled in 2021 or 2022 gets 350–470 households with members
            (encrypted ID numbers and phones), ten-household groups, eight quarterly clean-household
            ratings, 24 months of moral-bank postings and love-supermarket redemptions (~30M ledger
            entries), and every one of the 11,860 village units a location inside its county.
- nation:   the national division tree (665,276 units) through the platform's own import.

The participation bulk goes through one narrow path that keeps the ledger's invariants, as the demo's
does (participation/demo.py): each household's entries in time order, balance_after the running sum
and never below 0, a redemption only when the balance and the goods' stock cover it, the balance row
equal to the ledger sum, stock equal to its moves, every idempotency key unique. Rows are written
with COPY on PostgreSQL and executemany on SQLite, one transaction per batch of villages, with
primary keys assigned here (sequences are reset at the end); the big tables' secondary indexes and
unique/foreign-key constraints are set aside during the load and rebuilt after it, which checks them
all again. Every random choice comes from a generator seeded by the village code, so two runs
produce the same rows. The data ends with LAST_MONTH, whatever day it is generated.

Run through the Makefile, which picks the database; directly:
    DATABASE_URL=... DJANGO_SETTINGS_MODULE=qiancun.settings.bench python -m bench.generate province
"""

import argparse
import json
import math
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from datetime import timezone as dt_timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

HOUSEHOLDS = (350, 470)  # per village, uniform: ~410 on average, ~700k over the ~1,700 enrolled villages
MONTHS = 24
LAST_MONTH = (2026, 10)  # the data ends with October 2026 whatever day it is generated
POSTINGS = (30, 44)  # awards and deductions per household over the 24 months
REDEEM_EVERY = 6  # after about every sixth posting the household tries to redeem
BATCH_VILLAGES = 25
CHINA_TREE = ROOT.parent / "shared" / "data" / "divisions" / "china.csv.gz"

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "秀英桂兰玉兰凤兰淑珍国华建国志强永刚海峰春梅丽华明辉振东福贵长春金凤德明宝山晓燕红梅立新"
RULES = [("义务清扫", 5), ("门前三包", 3), ("孝老爱亲", 10), ("志愿服务", 5), ("垃圾分类", 2), ("乱扔垃圾", -3), ("乱堆乱放", -5)]
GOODS = [("洗衣粉", "袋", 10), ("肥皂", "块", 5), ("毛巾", "条", 8), ("食用油", "桶", 60), ("大米", "袋", 80), ("牙膏", "支", 6),
         ("酱油", "瓶", 12), ("扫帚", "把", 15)]
CRITERIA = [("院落整洁", 30), ("室内卫生", 30), ("厕所卫生", 20), ("垃圾分类", 20)]
DATE_SLOTS = 60 * 12 * 28  # birth dates used when building unique ID numbers within a county


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def setup_django() -> None:
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qiancun.settings.bench")
    import django

    django.setup()


# ------------------------------------------------------------------------------------------ writing


class Writer:
    """Buffers rows per table and writes them in one statement per table and flush."""

    def __init__(self):
        from django.db import connection

        self.connection = connection
        self.postgres = connection.vendor == "postgresql"
        self.buffers: dict = {}
        self.written: dict[str, int] = {}

    def ts(self, value: datetime) -> str:
        """A timestamp as the column stores it: UTC text (naive on SQLite, as Django writes it)."""
        text = value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
        return text + "+00" if self.postgres else text

    def flag(self, value: bool):
        return value if self.postgres else int(value)

    def add(self, model, fields: tuple[str, ...], row: tuple) -> None:
        self.buffers.setdefault((model, fields), []).append(row)

    def flush(self) -> None:
        from qiancun.core.bulk import insert_rows

        for (model, fields), rows in self.buffers.items():
            insert_rows(model, list(fields), rows, batch_size=20_000)
            self.written[model._meta.label] = self.written.get(model._meta.label, 0) + len(rows)
        self.buffers.clear()


class Ids:
    """Primary keys handed out here, so related rows can be written without reading anything back."""

    def __init__(self, *models):
        from django.db.models import Max

        self.next = {m: (m.objects.aggregate(n=Max("pk"))["n"] or 0) + 1 for m in models}

    def take(self, model, count: int = 1) -> int:
        first = self.next[model]
        self.next[model] = first + count
        return first


def reset_sequences(models) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    if connection.vendor != "postgresql":
        return  # SQLite continues from MAX(rowid) by itself
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


PENDING = "bench_pending_ddl"


def _ddl_of(tables: list[str]) -> list[str]:
    """The statements that recreate the secondary indexes and the unique and foreign-key constraints."""
    from django.db import connection

    statements = []
    with connection.cursor() as cursor:
        for table in tables:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY contype DESC, conname", [table])
                constraints = cursor.fetchall()
                cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s ORDER BY indexname", [table])
                skip = {name for name, _, _ in constraints} | {f"{table}_pkey"}
                statements += [sql for name, sql in cursor.fetchall() if name not in skip]
                statements += [f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}' for name, definition, _ in constraints]
            else:
                cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL", [table])
                statements += [row[0] for row in cursor.fetchall()]
    return statements


def restore_indexes() -> None:
    """Recreate what a load dropped (also after a load that was killed half-way)."""
    from django.db import connection, transaction

    if PENDING not in connection.introspection.table_names():
        return
    started = time.monotonic()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA foreign_key_check")
            broken = cursor.fetchall()
            if broken:
                raise SystemExit(f"{len(broken)} rows refer to missing rows, first: {broken[0]}")
            cursor.execute("PRAGMA foreign_keys = ON")
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        cursor.execute(f"SELECT sql FROM {PENDING} ORDER BY seq")
        for (statement,) in cursor.fetchall():
            cursor.execute(statement)
        cursor.execute(f"DROP TABLE {PENDING}")
    log(f"indexes and constraints rebuilt in {time.monotonic() - started:.0f} s (uniqueness and references checked again)")


def drop_indexes(models) -> None:
    """Bulk-load mode: drop secondary indexes and unique/foreign-key constraints of the big tables,
    remembering their definitions in a table of the same database, so a killed load can be repaired."""
    from django.db import connection, transaction

    restore_indexes()
    tables = [m._meta.db_table for m in models]
    if connection.vendor == "sqlite":
        # SQLite cannot drop a foreign key; it checks them all at the end instead (PRAGMA foreign_key_check).
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA foreign_keys = OFF")
    statements = _ddl_of(tables)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {PENDING} (seq integer, sql text)")
        for seq, statement in enumerate(statements):
            cursor.execute(f"INSERT INTO {PENDING} (seq, sql) VALUES (%s, %s)", [seq, statement])
        for table in tables:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype IN ('u', 'f')", [table])
                for (name,) in cursor.fetchall():
                    cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
                cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexname <> %s", [table, f"{table}_pkey"])
            else:
                cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL", [table])
            for (name,) in cursor.fetchall():
                cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
    log(f"bulk-load mode: {len(statements)} indexes and constraints of {len(tables)} tables set aside")


# ------------------------------------------------------------------------------------------ scales


def load_tree(path: Path) -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("import_regions", str(path))


def demo() -> None:
    from django.core.management import call_command

    load_tree(ROOT / "data" / "regions" / "jilin.csv")
    started = time.monotonic()
    call_command("seed_demo")
    log(f"demo data in {time.monotonic() - started:.0f} s")


def nation() -> None:
    if not CHINA_TREE.exists():
        raise SystemExit(f"national division file not found: {CHINA_TREE}")
    load_tree(CHINA_TREE)


def province(village_limit: int | None = None, households: tuple[int, int] = HOUSEHOLDS) -> dict[str, int]:
    """Demo data, then participation in every enrolled village, then village locations."""
    demo()
    place_villages()
    written = participation(village_limit=village_limit, households=households)
    analyze()
    return written


def analyze() -> None:
    """Planner statistics (and on PostgreSQL the visibility map index-only scans need), as autovacuum
    would leave them some time after a load this size: the benchmark must not measure a cold planner."""
    from django.db import connection

    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)" if connection.vendor == "postgresql" else "ANALYZE")
    log(f"statistics gathered in {time.monotonic() - started:.0f} s")


def place_villages() -> int:
    """Every village unit gets a (synthetic) position inside its county's outline: regions/demo.py."""
    from qiancun.regions.demo import seed_positions

    placed = seed_positions()
    log(f"{placed} village units placed inside their county outlines")
    return placed


# ------------------------------------------------------------------------------------------ participation


def _months() -> list[date]:
    year, month = LAST_MONTH
    out = []
    for _ in range(MONTHS):
        out.append(date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return out[::-1]


def _quarters() -> list[tuple[date, date]]:
    """The eight whole quarters that end on or before the last month."""
    year, month = LAST_MONTH
    quarter = (month - 1) // 3 + (1 if month % 3 == 0 else 0)  # whole quarters of the last year so far
    out = []
    for _ in range(8):
        if quarter == 0:
            year, quarter = year - 1, 4
        start = date(year, 3 * quarter - 2, 1)
        end = (date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)) - timedelta(days=1)
        out.append((start, end))
        quarter -= 1
    return out[::-1]


CST = dt_timezone(timedelta(hours=8))


def _when(day: date, rng: random.Random) -> datetime:
    return datetime(day.year, day.month, day.day, rng.randint(8, 17), rng.randint(0, 59), tzinfo=CST)


def participation(village_limit: int | None = None, households: tuple[int, int] = HOUSEHOLDS) -> dict[str, int]:
    from django.db import transaction

    from qiancun.campaigns.models import Enrollment
    from qiancun.participation import personal_data as pd
    from qiancun.participation.models import (
        Goods,
        Household,
        HouseholdGroup,
        LedgerEntry,
        Member,
        PointsAccount,
        PointsRule,
        Rating,
        RatingCriterion,
        RatingRound,
        Redemption,
        RedemptionLine,
        StockMove,
    )

    models = (HouseholdGroup, Household, Member, PointsAccount, RatingCriterion, RatingRound, Rating, PointsRule, Goods,
              LedgerEntry, Redemption, RedemptionLine, StockMove)
    restore_indexes()  # a previous load killed half-way
    done = set(Household.objects.values_list("village_id", flat=True).distinct())
    villages = sorted(set(Enrollment.objects.values_list("village_id", flat=True)) - done)
    if village_limit is not None:
        villages = villages[:village_limit]
    if not villages:
        log("participation: every enrolled village already has households")
        return {}
    log(f"participation for {len(villages)} enrolled villages (~{len(villages) * sum(households) // 2:,} households)")
    ids = Ids(*[m for m in models if m is not PointsAccount])
    used_hashes = set(Member.objects.exclude(id_hash=None).values_list("id_hash", flat=True))
    county_serial: dict[str, int] = {}

    # Rating criteria per county (the county sets them), written once up front.
    writer = Writer()
    criteria: dict[str, list[tuple[int, int]]] = {}
    for county_id, pk, max_score in RatingCriterion.objects.filter(is_active=True).values_list("county_id", "pk", "max_score"):
        criteria.setdefault(county_id, []).append((pk, max_score))
    with transaction.atomic():
        for county in sorted({v[:6] for v in villages} - set(criteria)):
            for order, (name, max_score) in enumerate(CRITERIA):
                pk = ids.take(RatingCriterion)
                writer.add(RatingCriterion, ("id", "county_id", "name", "max_score", "order", "is_active"),
                           (pk, county, name, max_score, order, writer.flag(True)))
                criteria.setdefault(county, []).append((pk, max_score))
        writer.flush()

    drop_indexes([Member, Rating, LedgerEntry, Redemption, RedemptionLine, StockMove])
    months, quarters = _months(), _quarters()
    span = (date(*LAST_MONTH, 28) - months[0]).days
    started = time.monotonic()
    for batch_start in range(0, len(villages), BATCH_VILLAGES):
        batch = villages[batch_start : batch_start + BATCH_VILLAGES]
        with transaction.atomic():
            for code in batch:
                _village(code, writer, ids, pd, criteria[code[:6]], county_serial, used_hashes, households, months, quarters, span)
            writer.flush()
        done_count = batch_start + len(batch)
        elapsed = time.monotonic() - started
        ledger = writer.written.get("participation.LedgerEntry", 0)
        log(f"  {done_count}/{len(villages)} villages, {writer.written.get('participation.Household', 0):,} households, "
            f"{ledger:,} ledger entries, {ledger / elapsed:,.0f} entries/s, "
            f"about {elapsed / done_count * (len(villages) - done_count) / 60:.1f} min left")
    restore_indexes()
    reset_sequences(models)
    log(f"participation written in {time.monotonic() - started:.0f} s: " + ", ".join(f"{k} {v:,}" for k, v in sorted(writer.written.items())))
    return writer.written


def _village(code, w, ids, pd, criteria, county_serial, used_hashes, households, months, quarters, span):
    from qiancun.participation.choices import EntryKind, Relation, RoundPeriod, StockKind
    from qiancun.participation.models import (
        Goods,
        Household,
        HouseholdGroup,
        LedgerEntry,
        Member,
        PointsAccount,
        PointsRule,
        Rating,
        RatingRound,
        Redemption,
        RedemptionLine,
        StockMove,
    )

    rng = random.Random(code)
    opened = _when(months[0], rng)
    count = rng.randint(*households)
    # Ten-household groups; the leader is the head of the group's first household.
    group_ids = ids.take(HouseholdGroup, math.ceil(count / 10))
    household_ids = ids.take(Household, count)
    rules = [(ids.take(PointsRule), name, points) for name, points in RULES]
    for pk, name, points in rules:
        w.add(PointsRule, ("id", "village_id", "name", "points", "is_active"), (pk, code, name, points, w.flag(True)))
    goods = []
    for name, _unit, price in GOODS:
        pk = ids.take(Goods)
        goods.append((pk, name, price))
    heads = {}
    for n in range(count):
        hh = household_ids + n
        head = rng.choice(SURNAMES) + rng.choice(GIVEN[::2]) + rng.choice(GIVEN[1::2])
        w.add(Household, ("id", "village_id", "number", "head_name", "address", "group_id", "created_at", "updated_at"),
              (hh, code, f"{n + 1:03d}", head, f"{n // 10 + 1}组{n % 10 + 1}号", group_ids + n // 10, w.ts(opened), w.ts(opened)))
        people = [(head, Relation.HEAD, True)]
        people.append((head[0] + rng.choice(GIVEN[1::2]) + rng.choice(GIVEN[::2]), Relation.SPOUSE, True))
        if rng.random() < 0.5:
            people.append((head[0] + rng.choice(GIVEN[::2]) + rng.choice(GIVEN[1::2]), Relation.CHILD, False))
        for name, relation, has_phone in people:
            number = _id_number(code[:6], county_serial, used_hashes, pd)
            phone = f"13{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}" if has_phone else ""
            pk = ids.take(Member)
            if relation == Relation.HEAD:
                heads[n] = pk
            w.add(Member, ("id", "household_id", "name", "relation", "id_cipher", "id_hash", "id_masked", "phone_cipher", "phone_hash",
                           "phone_masked"),
                  (pk, hh, name, relation, pd.encrypt(number), pd.lookup_hash(number), pd.mask_id(number), pd.encrypt(phone),
                   pd.lookup_hash(phone), pd.mask_phone(phone)))
    for g in range(math.ceil(count / 10)):
        w.add(HouseholdGroup, ("id", "village_id", "name", "leader_id", "created_at"),
              (group_ids + g, code, f"第{g + 1}组", heads[g * 10], w.ts(opened)))

    # Eight quarterly ratings, every household rated and each round published at its end.
    for starts_on, ends_on in quarters:
        round_id = ids.take(RatingRound)
        w.add(RatingRound, ("id", "village_id", "name", "period", "starts_on", "ends_on", "pass_score", "published_at", "created_at"),
              (round_id, code, f"{starts_on.year}年第{(starts_on.month - 1) // 3 + 1}季度干净人家评选", RoundPeriod.QUARTERLY,
               starts_on.isoformat(), ends_on.isoformat(), 80, w.ts(_when(ends_on, rng)), w.ts(_when(starts_on, rng))))
        rated_at = w.ts(_when(ends_on - timedelta(days=3), rng))
        first_rating = ids.take(Rating, count)
        for n in range(count):
            scores = {str(pk): rng.randint(int(top * 0.55), top) for pk, top in criteria}
            total = sum(scores.values())
            w.add(Rating, ("id", "round_id", "household_id", "scores", "total", "is_clean", "rated_at"),
                  (first_rating + n, round_id, household_ids + n, json.dumps(scores), total, w.flag(total >= 80), rated_at))

    # The love supermarket restocks every quarter; households earn and spend points for 24 months.
    restock_days = [(m - months[0]).days for m in months[::3]]
    stock_events = []
    for day in restock_days:
        for item in goods:
            quantity = rng.randint(15, 35) * max(1, count // 100)
            stock_events.append((day, item, quantity))
    # Postings of all households interleaved by day, so stock is spent in time order.
    events = []
    for n in range(count):
        for day in rng.sample(range(span), rng.randint(*POSTINGS)):
            events.append((day, n))
    events.sort()
    stock = {item[0]: 0 for item in goods}
    restocks = sorted(stock_events, key=lambda e: e[0])

    def restock_until(day: float) -> None:
        while restocks and restocks[0][0] <= day:
            when, item, quantity = restocks.pop(0)
            stock[item[0]] += quantity
            w.add(StockMove, ("id", "village_id", "goods_id", "kind", "quantity", "donor_name", "donor_kind", "note", "created_at"),
                  (ids.take(StockMove), code, item[0], StockKind.PURCHASE, quantity, "", "", "季度采购",
                   w.ts(_when(months[0] + timedelta(days=when), rng))))

    balance = [0] * count
    seq = [0] * count
    for day, n in events:
        restock_until(day)
        hh = household_ids + n
        when = _when(months[0] + timedelta(days=day), rng)
        rule_id, rule_name, points = rng.choice(rules)
        if balance[n] + points < 0:
            rule_id, rule_name, points = rules[0]
        balance[n] += points
        seq[n] += 1
        w.add(LedgerEntry, ("id", "village_id", "household_id", "kind", "points", "balance_after", "reason", "rule_id", "idempotency_key",
                            "created_at"),
              (ids.take(LedgerEntry), code, hh, EntryKind.AWARD, points, balance[n], rule_name, rule_id, f"bench:{hh}:{seq[n]}", w.ts(when)))
        if seq[n] % REDEEM_EVERY == 0:
            affordable = [item for item in goods if item[2] <= balance[n] and stock[item[0]] > 0]
            if affordable:
                goods_id, goods_name, price = rng.choice(affordable)
                stock[goods_id] -= 1
                balance[n] -= price
                at = when + timedelta(minutes=30)
                redemption = ids.take(Redemption)
                key = f"bench-r:{hh}:{seq[n]}"
                w.add(Redemption, ("id", "village_id", "household_id", "receipt_no", "total_points", "idempotency_key", "created_at"),
                      (redemption, code, hh, f"{at:%Y%m%d}-{redemption:06d}", price, key, w.ts(at)))
                w.add(RedemptionLine, ("id", "redemption_id", "goods_id", "quantity", "price_points"),
                      (ids.take(RedemptionLine), redemption, goods_id, 1, price))
                w.add(StockMove, ("id", "village_id", "goods_id", "kind", "quantity", "donor_name", "donor_kind", "note", "redemption_id",
                                  "created_at"),
                      (ids.take(StockMove), code, goods_id, StockKind.REDEMPTION, -1, "", "", "", redemption, w.ts(at)))
                w.add(LedgerEntry, ("id", "village_id", "household_id", "kind", "points", "balance_after", "reason", "redemption_id",
                                    "idempotency_key", "created_at"),
                      (ids.take(LedgerEntry), code, hh, EntryKind.REDEMPTION, -price, balance[n], f"兑换 {goods_name}×1", redemption,
                       f"redemption:{key}", w.ts(at)))
    restock_until(float("inf"))  # the restocks after the last posting
    for pk, name, price in goods:
        unit = next(u for g, u, _ in GOODS if g == name)
        w.add(Goods, ("id", "village_id", "name", "unit", "price_points", "stock", "is_active"), (pk, code, name, unit, price, stock[pk], w.flag(True)))
    now = w.ts(_when(date(*LAST_MONTH, 28), rng))
    for n in range(count):
        w.add(PointsAccount, ("household_id", "balance", "updated_at"), (household_ids + n, balance[n], now))


def _id_number(county: str, county_serial: dict, used_hashes: set, pd) -> str:
    """A valid 18-digit ID number, unique on the platform: county code, a birth date and a sequence
    derived from a per-county serial (so numbers never repeat), skipping any the demo already holds."""
    while True:
        serial = county_serial.get(county, 0)
        county_serial[county] = serial + 1
        slot, sequence = serial % DATE_SLOTS, 500 + serial // DATE_SLOTS
        year, rest = 1940 + slot // (12 * 28), slot % (12 * 28)
        number = pd.with_check_digit(f"{county}{year}{rest // 28 + 1:02d}{rest % 28 + 1:02d}{sequence:03d}")
        if not used_hashes or pd.lookup_hash(number) not in used_hashes:
            return number


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="qiancun benchmark data")
    parser.add_argument("scale", choices=["demo", "province", "nation"])
    parser.add_argument("--villages", type=int, default=None, help="only the first N enrolled villages (smoke runs)")
    args = parser.parse_args(argv)
    setup_django()
    from django.db import connection

    started = time.monotonic()
    log(f"bench data {args.scale} into {connection.vendor} {connection.settings_dict['NAME']}")
    if args.scale == "demo":
        demo()
    elif args.scale == "nation":
        nation()
    else:
        province(village_limit=args.villages)
    log(f"done in {(time.monotonic() - started) / 60:.1f} min")


if __name__ == "__main__":
    main()
