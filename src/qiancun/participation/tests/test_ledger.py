"""The moral bank's ledger and the love supermarket: the invariants, including under concurrency."""

import sqlite3
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Sum

from qiancun.core.errors import DomainError
from qiancun.core.testing import HUNCHUN_VILLAGE, YANJI_VILLAGE, make_user
from qiancun.participation import actions
from qiancun.participation.models import Goods, LedgerEntry, PointsAccount, Redemption, StockMove

from .factories import give_points, goods, household, village_staff


@pytest.mark.django_db
def test_same_idempotency_key_posts_once_and_balance_follows_the_ledger():
    hh = household()
    staff = village_staff()
    first = actions.do_post_points(hh, acting_user=staff, idempotency_key="k-1", points=5, reason="义务清扫")
    again = actions.do_post_points(hh, acting_user=staff, idempotency_key="k-1", points=5, reason="义务清扫")
    assert first.pk == again.pk
    give_points(hh, 3)
    assert PointsAccount.objects.get(pk=hh.pk).balance == 8
    assert LedgerEntry.objects.filter(household=hh).aggregate(s=Sum("points"))["s"] == 8
    with pytest.raises(DomainError) as exc:
        actions.do_post_points(hh, acting_user=staff, idempotency_key="k-1", points=-3, reason="乱扔垃圾")
    assert exc.value.code == "conflict"


@pytest.mark.django_db
def test_balance_cannot_go_negative_and_the_database_refuses_it_too():
    hh = household()
    give_points(hh, 3)
    with pytest.raises(DomainError) as exc:
        actions.do_post_points(hh, acting_user=village_staff(), idempotency_key="neg", points=-5, reason="乱扔垃圾")
    assert "余额不足" in exc.value.message
    assert PointsAccount.objects.get(pk=hh.pk).balance == 3
    with pytest.raises(IntegrityError), transaction.atomic():
        PointsAccount.objects.filter(pk=hh.pk).update(balance=-1)


@pytest.mark.django_db
def test_ledger_is_append_only_and_corrections_are_reversing_entries():
    hh = household()
    entry = give_points(hh, 10)
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()
    with pytest.raises(RuntimeError):
        LedgerEntry.objects.filter(pk=entry.pk).update(points=1)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:  # the trigger
        cursor.execute("UPDATE participation_ledgerentry SET points = 1 WHERE id = %s", [entry.pk])
    reversal = actions.do_reverse_entry(entry, acting_user=village_staff(), reason="记错户")
    assert reversal.points == -10 and reversal.reverses_id == entry.pk and reversal.balance_after == 0
    with pytest.raises(DomainError):
        actions.do_reverse_entry(entry, acting_user=village_staff(), reason="再冲一次")
    assert LedgerEntry.objects.filter(household=hh).count() == 2


@pytest.mark.django_db
def test_proposal_is_posted_only_when_the_village_approves():
    hh = household()
    township = make_user("staff", YANJI_VILLAGE[:9])
    rule = actions.do_create_rule(hh.village, acting_user=village_staff(), name="义务清扫", points=5)
    proposal = actions.do_propose_points(hh, acting_user=township, rule_id=rule.pk, idempotency_key="p1")
    assert actions.do_propose_points(hh, acting_user=township, rule_id=rule.pk, idempotency_key="p1").pk == proposal.pk
    assert PointsAccount.objects.get(pk=hh.pk).balance == 0
    with pytest.raises(DomainError) as exc:
        actions.do_decide_proposal(proposal, acting_user=township, approve=True)
    assert exc.value.code == "forbidden"  # approval belongs to the village committee
    actions.do_decide_proposal(proposal, acting_user=village_staff(), approve=True)
    assert PointsAccount.objects.get(pk=hh.pk).balance == 5
    with pytest.raises(DomainError):
        actions.do_decide_proposal(proposal, acting_user=village_staff(), approve=True)
    assert PointsAccount.objects.get(pk=hh.pk).balance == 5


@pytest.mark.django_db
def test_redemption_moves_points_and_stock_together_or_not_at_all():
    hh = household()
    give_points(hh, 25)
    soap, oil = goods(name="肥皂", price=5, stock=10), goods(name="豆油", price=20, stock=1)
    staff = village_staff()
    with pytest.raises(DomainError):
        actions.do_redeem(hh, [(soap.pk, 2), (oil.pk, 1)], acting_user=staff, idempotency_key="r0")  # 30 > 25
    soap.refresh_from_db(), oil.refresh_from_db()
    assert (soap.stock, oil.stock, PointsAccount.objects.get(pk=hh.pk).balance) == (10, 1, 25)
    assert not Redemption.objects.exists()
    r = actions.do_redeem(hh, [(soap.pk, 1), (oil.pk, 1)], acting_user=staff, idempotency_key="r1")
    assert r.total_points == 25 and r.receipt_no
    assert actions.do_redeem(hh, [(soap.pk, 1), (oil.pk, 1)], acting_user=staff, idempotency_key="r1").pk == r.pk
    soap.refresh_from_db(), oil.refresh_from_db()
    assert (soap.stock, oil.stock, PointsAccount.objects.get(pk=hh.pk).balance) == (9, 0, 0)
    other = household()
    give_points(other, 50)
    with pytest.raises(DomainError) as exc:
        actions.do_redeem(other, [(oil.pk, 1)], acting_user=staff, idempotency_key="r2")
    assert "库存不足" in exc.value.message


@pytest.mark.django_db
def test_out_of_scope_household_does_not_exist_for_the_counter():
    far = household(HUNCHUN_VILLAGE)
    item = goods()
    with pytest.raises(DomainError) as exc:
        actions.do_redeem(far, [(item.pk, 1)], acting_user=village_staff(), idempotency_key="x")
    assert exc.value.code == "not_found"


@contextmanager
def own_connections():
    """Threads get their own connections. SQLite's in-memory test database is shared-cache, where
    writers fail with 'table is locked' instead of waiting, unlike the WAL file the platform runs on:
    there, copy it to a file and run on that (with the settings' busy_timeout and IMMEDIATE mode)."""
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    connection.ensure_connection()
    memory = connection.connection
    path = Path(tempfile.mkdtemp(prefix="qiancun-concurrency-")) / "db.sqlite3"
    target = sqlite3.connect(path)
    memory.backup(target)
    target.close()
    settings_dict, name = connection.settings_dict, connection.settings_dict["NAME"]
    connection.connection = None
    settings_dict["NAME"] = str(path)
    try:
        yield
    finally:
        connection.close()
        settings_dict["NAME"] = name
        connection.connection = memory


def _run_threads(jobs):
    barrier = threading.Barrier(len(jobs))
    results, errors = [], []

    def worker(job):
        try:
            barrier.wait()
            results.append(job())
        except DomainError as exc:
            errors.append(exc)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


def test_concurrent_redemptions_never_overspend_nor_oversell(jilin):
    """60 counters at once for one household: 20 try the last item, 40 try 7-point soap; 10 keys sent twice."""
    hh = household()
    give_points(hh, 100)
    last = goods(name="电饭锅", price=10, stock=1)
    soap = goods(name="肥皂", price=7, stock=1000)
    staff = village_staff()
    keys = [f"conc-{i}" for i in range(50)] + [f"conc-{i}" for i in range(10)]  # 10 keys twice
    jobs = []
    for _n, key in enumerate(keys):
        item = last if int(key.split("-")[1]) < 20 else soap
        jobs.append(lambda item=item, key=key: actions.do_redeem(hh, [(item.pk, 1)], acting_user=staff, idempotency_key=key))
    with own_connections():
        results, errors = _run_threads(jobs)
        _check_no_overspending(hh, last, soap, results, errors, keys)


def _check_no_overspending(hh, last, soap, results, errors, keys):
    unexpected = [e for e in errors if not isinstance(e, DomainError)]
    assert not unexpected, unexpected[:3]
    balance = PointsAccount.objects.get(pk=hh.pk).balance
    last.refresh_from_db(), soap.refresh_from_db()
    redemptions = list(Redemption.objects.filter(household=hh))
    assert balance >= 0 and last.stock == 0
    assert sum(1 for r in redemptions if r.lines.filter(goods=last).exists()) == 1  # the last item sold once
    assert len({r.idempotency_key for r in redemptions}) == len(redemptions)  # every key posted once
    assert balance == 100 - sum(r.total_points for r in redemptions)
    ledger = LedgerEntry.objects.filter(household=hh)
    assert ledger.aggregate(s=Sum("points"))["s"] == balance
    assert ledger.filter(kind="redemption").count() == len(redemptions)
    assert -StockMove.objects.filter(goods=soap, kind="redemption").aggregate(s=Sum("quantity"))["s"] == 1000 - soap.stock
    assert balance < 7  # the counters spent everything they could: 100 = 10 + 12×7 + 6
    assert len(results) + len(errors) == len(keys)
    assert Goods.objects.filter(stock__lt=0).count() == 0


def test_concurrent_postings_with_the_same_key_post_once(jilin):
    hh = household()
    staff = village_staff()
    jobs = [lambda i=i: actions.do_post_points(hh, acting_user=staff, idempotency_key=f"same-{i % 5}", points=2, reason="清扫") for i in range(50)]
    with own_connections():
        _, errors = _run_threads(jobs)
        assert not [e for e in errors if not isinstance(e, DomainError)], errors[:3]
        assert LedgerEntry.objects.filter(household=hh).count() == 5
        assert PointsAccount.objects.get(pk=hh.pk).balance == 10
