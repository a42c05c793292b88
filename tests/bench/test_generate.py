"""The benchmark generator (bench/generate.py) at a tiny scale: the rows it writes keep the ledger's
invariants, the indexes it sets aside come back, the same input gives the same rows, and the
benchmark runner measures real operations on them."""

import hashlib

import pytest
from django.db import connection
from django.db.models import Sum

from bench import generate, run
from qiancun.campaigns import actions as campaign_actions
from qiancun.campaigns.tests.factories import YANJI, campaign_2022, with_quotas, yanji_villages
from qiancun.core import append_only
from qiancun.core.testing import make_user
from qiancun.participation.models import Goods, Household, LedgerEntry, Member, PointsAccount, Rating, StockMove


def _enrol(n: int) -> list[str]:
    campaign = with_quotas(campaign_2022())
    county = make_user("staff", YANJI)
    villages = yanji_villages(n)
    for village in villages:
        campaign_actions.do_nominate(campaign, village, acting_user=county)
    return [v.code for v in villages]


def _fingerprint(village: str) -> str:
    """The generated content of a village, independent of primary keys."""
    digest = hashlib.sha256()
    for row in Household.objects.filter(village_id=village).order_by("number").values_list("number", "head_name", "address"):
        digest.update(repr(row).encode())
    for row in (LedgerEntry.objects.filter(village_id=village).order_by("household__number", "created_at", "points")
                .values_list("household__number", "kind", "points", "balance_after", "reason", "created_at")):
        digest.update(repr(row).encode())
    return digest.hexdigest()


def _indexes(table: str) -> set[str]:
    with connection.cursor() as cursor:
        return {name for name, info in connection.introspection.get_constraints(cursor, table).items() if info["index"] or info["unique"]}


@pytest.mark.django_db(transaction=True)
def test_generated_participation_keeps_the_ledger_invariants_and_is_deterministic(jilin):
    villages = _enrol(2)
    before = _indexes(LedgerEntry._meta.db_table)

    written = generate.participation(households=(12, 15))

    assert written["participation.Household"] == Household.objects.count()
    assert 24 <= Household.objects.count() <= 30
    assert set(Household.objects.values_list("village_id", flat=True)) == set(villages)
    # Every balance row equals its ledger, no running balance ever went below zero.
    for account in PointsAccount.objects.all():
        assert account.balance == (LedgerEntry.objects.filter(household_id=account.household_id).aggregate(s=Sum("points"))["s"] or 0)
    assert not LedgerEntry.objects.filter(balance_after__lt=0).exists()
    assert LedgerEntry.objects.filter(kind="redemption").exists()
    # Stock equals its moves; each household is rated in eight quarters; ID numbers are unique and valid.
    for goods in Goods.objects.all():
        assert goods.stock == goods.moves.aggregate(s=Sum("quantity"))["s"]
    assert Rating.objects.count() == 8 * Household.objects.count()
    ids = list(Member.objects.values_list("id_hash", flat=True))
    assert len(ids) == len(set(ids))
    assert StockMove.objects.filter(kind="redemption").count() == LedgerEntry.objects.filter(kind="redemption").count()
    # The indexes and constraints set aside for the load are back.
    assert _indexes(LedgerEntry._meta.db_table) == before

    first = _fingerprint(villages[0])
    Rating.objects.all().delete()
    # The ledger refuses deletes in the application and the database; the test clears it by SQL, its triggers suspended.
    with append_only.suspended(connection), connection.cursor() as cursor:
        cursor.execute("UPDATE participation_householdgroup SET leader_id = NULL")
        for table in ("participation_ledgerentry", "participation_redemptionline", "participation_stockmove",
                      "participation_redemption", "participation_goods", "participation_pointsrule", "participation_pointsaccount",
                      "participation_member", "participation_household", "participation_householdgroup", "participation_ratinground"):
            cursor.execute(f"DELETE FROM {table}")
    generate.participation(households=(12, 15))
    assert _fingerprint(villages[0]) == first


@pytest.mark.django_db(transaction=True)
def test_the_runner_measures_operations_against_their_floor(jilin):
    _enrol(1)
    generate.participation(households=(10, 10))
    household = Household.objects.order_by("pk").first()
    ctx = {"household": household.pk, "village": household.village_id}

    statement = run.op_balance(ctx, runs=3)
    ranking = run.op_ranking(ctx, runs=3)

    for result in (statement, ranking):
        assert result.p95 is not None and result.floor_p95 is not None and result.ratio is not None
        assert result.ok is not None
    assert "p95" in run.table([statement, ranking]).splitlines()[0]
