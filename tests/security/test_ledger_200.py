"""The moral bank under 200 concurrent counters: one household, one last item, repeated idempotency keys.
No negative balance, no oversold stock, every key posts once, ledger sum = balance.

Twice: with threads of this process, and with 8 processes of their own (each running its share of the
counters in threads, all released at once), as counters on different machines or gunicorn workers are.
On SQLite both run on a WAL file, as the platform does (`own_connections`); on PostgreSQL on the test
database."""

import json
import subprocess
import sys
import time

from django.db import connection
from django.db.models import Sum

from qiancun.core.errors import DomainError
from qiancun.participation import actions
from qiancun.participation.models import Goods, LedgerEntry, PointsAccount, Redemption, StockMove
from qiancun.participation.tests.factories import give_points, goods, household, village_staff
from qiancun.participation.tests.test_ledger import _run_threads, own_connections

from .processes import REPO, shared_platform

N = 200
# PostgreSQL's default max_connections is 100: there, 80 lanes share the 200 counters (about 2½ each,
# all started together); SQLite gets one lane per counter.
PG_LANES = 80
PROCESSES = 8


def _lane_count() -> int:
    return PG_LANES if connection.vendor == "postgresql" else N


def _setup():
    hh = household()
    for _ in range(3):
        give_points(hh, 100)
    last = goods(name="电饭锅", price=10, stock=1)
    soap = goods(name="肥皂", price=7, stock=1000)
    return hh, last, soap, village_staff()


def _counters(last, soap) -> list[tuple[str, int, str]]:
    """200 counters: ("redeem", goods id, key) or ("post", points, key)."""
    counters = []
    for i in range(N):
        kind, j = i % 4, i // 4  # j: 0..49 within each kind
        if kind == 0:  # 50 try the last item
            counters.append(("redeem", last.pk, f"last-{j}"))
        elif kind == 1:  # 50 buy soap, 25 keys each sent twice
            counters.append(("redeem", soap.pk, f"soap-{j % 25}"))
        elif kind == 2:  # 50 postings of +3, 10 distinct keys
            counters.append(("post", 3, f"plus-{j % 10}"))
        else:  # 50 deductions of -20, 25 distinct keys: most must be refused for the balance
            counters.append(("post", -20, f"minus-{j % 25}"))
    return counters


def _assert_ledger_consistent(hh, last, soap):
    balance = PointsAccount.objects.get(pk=hh.pk).balance
    last.refresh_from_db(), soap.refresh_from_db()
    assert balance >= 0 and last.stock in (0, 1) and soap.stock >= 0
    assert Goods.objects.filter(stock__lt=0).count() == 0
    redemptions = list(Redemption.objects.filter(household=hh))
    # the last item sold at most once (not at all when deductions and soap spent the points first)
    assert sum(1 for r in redemptions if r.lines.filter(goods=last).exists()) == 1 - last.stock
    assert len({r.idempotency_key for r in redemptions}) == len(redemptions)
    ledger = LedgerEntry.objects.filter(household=hh)
    assert ledger.aggregate(s=Sum("points"))["s"] == balance
    assert ledger.filter(kind="redemption").count() == len(redemptions)
    posted_keys = list(ledger.exclude(kind="redemption").exclude(idempotency_key__startswith="").values_list("idempotency_key", flat=True))
    assert len(posted_keys) == len(set(posted_keys))  # every key posted once
    assert ledger.filter(points=3).count() == 10  # 50 postings, 10 keys
    assert ledger.filter(points=-20).count() <= 25  # 50 deductions, 25 keys, refused when the balance is short
    sold = -(StockMove.objects.filter(goods=soap, kind="redemption").aggregate(s=Sum("quantity"))["s"] or 0)
    assert sold == 1000 - soap.stock
    assert all(e.balance_after >= 0 for e in ledger)


def test_200_concurrent_redemptions_and_postings_on_one_household_and_one_last_item(jilin):
    hh, last, soap, staff = _setup()

    def job(counter):
        kind, value, key = counter
        if kind == "redeem":
            return lambda: actions.do_redeem(hh, [(value, 1)], acting_user=staff, idempotency_key=key)
        return lambda: actions.do_post_points(hh, acting_user=staff, idempotency_key=key, points=value, reason="清扫")

    jobs = [job(c) for c in _counters(last, soap)]
    with own_connections():
        lanes = _lane_count()

        def lane(share):
            def run():
                out, errs = [], []
                for one in share:
                    try:
                        out.append(one())
                    except DomainError as exc:
                        errs.append(exc)
                return out, errs
            return run

        results, errors = _run_threads([lane(jobs[i::lanes]) for i in range(lanes)])
        for _out, errs in results:
            errors += errs
        unexpected = [e for e in errors if not isinstance(e, DomainError)]
        assert not unexpected, unexpected[:3]
        assert sum(len(out) for out, _ in results) + len(errors) == N
        _assert_ledger_consistent(hh, last, soap)


def test_200_concurrent_counters_in_8_processes_on_one_household_and_one_last_item(jilin, tmp_path):
    hh, last, soap, staff = _setup()
    counters = _counters(last, soap)
    start_file = tmp_path / "go"
    with shared_platform(tmp_path) as env:
        lanes = [counters[i::_lane_count()] for i in range(_lane_count())]
        processes = []
        for p in range(PROCESSES):
            plan = tmp_path / f"plan-{p}.json"
            plan.write_text(json.dumps({"household": hh.pk, "staff": staff.pk, "start_file": str(start_file),
                                        "lanes": lanes[p::PROCESSES]}))
            log = (tmp_path / f"counters-{p}.log").open("w")
            processes.append(subprocess.Popen([sys.executable, "-m", "tests.security.ledger_counters", str(plan)],
                                              env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=log, text=True))
        try:
            for p, process in enumerate(processes):  # every process has its threads waiting: release them all at once
                assert process.stdout.readline().strip() == "ready", (tmp_path / f"counters-{p}.log").read_text()[-3000:]
            start_file.touch()
            began = time.monotonic()
            outcomes = []
            for p, process in enumerate(processes):
                out, _ = process.communicate(timeout=300)
                assert process.returncode == 0, (tmp_path / f"counters-{p}.log").read_text()[-3000:]
                outcomes += json.loads(out.strip().splitlines()[-1])
        finally:  # a failed start must not leave the other processes waiting for ever
            for process in processes:
                if process.poll() is None:
                    process.kill()
                    process.wait()
        print(f"{N} counters in {PROCESSES} processes × {len(lanes) // PROCESSES} threads: {time.monotonic() - began:.1f} s")

        crashed = [o for o in outcomes if "crashed" in o]
        assert not crashed, crashed[:3]
        assert len(outcomes) == N
        assert {o["refused"] for o in outcomes if "refused" in o} <= {"conflict", "invalid"}
        _assert_ledger_consistent(hh, last, soap)
        # and what the counters were told matches the ledger: a key told "ok" posted, once
        told_ok = {o["key"] for o in outcomes if o.get("ok")}
        keys = LedgerEntry.objects.filter(household=hh).values_list("idempotency_key", flat=True)
        posted = {key.split(":", 1)[-1] for key in keys}  # "post:KEY" for postings
        posted |= set(Redemption.objects.filter(household=hh).values_list("idempotency_key", flat=True))
        assert told_ok <= posted
