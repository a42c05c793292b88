"""`backup`, `verify_backup` and `restore`, as an operator uses them, on SQLite and on PostgreSQL
(DATABASE_URL): data like the demo's (every domain's tables, timestamps with and without microseconds,
uploaded photos), a restore into an empty migrated database that gives back every table's rows and
checksum and every file, a backup that does not verify refused before anything changes, and users
who go on working while a backup runs. Marked long: each test loads the Jilin tree again."""

import io
import json
import shutil
import tarfile
import uuid
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import load_reference_data
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from qiancun.accounts import actions as account_actions
from qiancun.campaigns import actions as campaign_actions
from qiancun.campaigns.models import Tag
from qiancun.core.backup import live_checksums
from qiancun.core.testing import HUNCHUN, YANJI, YANJI_VILLAGE, client_for, make_user
from qiancun.inspections import actions as inspection_actions
from qiancun.inspections.tests.factories import YANBIAN, at, confirmed_campaign, drawn, inspect, jpeg, self_check
from qiancun.participation import actions as participation_actions
from qiancun.participation.models import LedgerEntry
from qiancun.participation.tests.factories import (
    county_criteria,
    failed_import,
    give_points,
    goods,
    household,
    village_staff,
)
from qiancun.rectification.models import Problem
from qiancun.rectification.tests.factories import open_problem, submitted
from qiancun.regions import actions as region_actions
from qiancun.regions.models import Region
from qiancun.regions.tests.factories import failed_import as failed_region_import

from .processes import manage, shared_platform

pytestmark = pytest.mark.long

# Django's group and per-user permission tables (the platform's roles are its own table, accounts/permissions.py)
# and the two django-axes logs its settings leave off (AXES_ENABLE_ACCESS_FAILURE_LOG, AXES_USE_ATTEMPT_EXPIRATION).
NEVER_USED = {"auth_group", "auth_group_permissions", "accounts_user_groups", "accounts_user_user_permissions",
              "axes_accessfailurelog", "axes_accessattemptexpiration"}
SHANGHAI = ZoneInfo("Asia/Shanghai")


def manifest_of(path: Path) -> dict:
    with tarfile.open(path, "r:*") as tar:
        return json.loads(tar.extractfile("manifest.json").read())


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def _own_media_root(settings, tmp_path):
    """Only this test's uploads, whatever other tests left in the session's media folder."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    Path(settings.MEDIA_ROOT).mkdir()


@pytest.fixture
def demo_like(jilin, client):
    """Every domain's tables filled through the actions, as the demo does at a smaller scale."""
    campaign, enrollments = confirmed_campaign(per_county=2)
    first = enrollments[0]
    indicator = campaign.standard.indicators.order_by("pk").first()
    self_check(campaign, YANJI, failing_codes={first.village_id: {indicator.code}})  # evidence photos, a problem
    assert Problem.objects.count() == 1
    submitted(open_problem(first))  # an after-photo
    yanji_staff = make_user("staff", YANJI)
    campaign_actions.do_set_tags(first, acting_user=yanji_staff, tag_ids=[Tag.objects.order_by("pk").first().pk])
    campaign_actions.do_add_shortfall(first, acting_user=yanji_staff, gap="垃圾收集点不足", action_plan="新建两处收集点",
                                      responsible_person="王村长", due_date=date(2022, 8, 1))
    # The rest of the acceptance: a spot check by a published draw, a cross inspection, a visit and a revocation.
    self_check(campaign, HUNCHUN)
    province, city = make_user("staff", "22"), make_user("staff", YANBIAN)
    spot = inspection_actions.do_create_round(campaign, acting_user=province, kind="spot_check", name="省级抽查",
                                              starts_on=date(2022, 6, 21), ends_on=date(2022, 6, 30))
    drawn(spot, province)
    for enrollment in inspection_actions.targets(spot):
        inspect(spot, enrollment, province)
    inspection_actions.do_close_round(spot, acting_user=province)
    inspection_actions.do_finish_acceptance(campaign, acting_user=make_user("admin", "22"))
    cross = inspection_actions.do_create_round(campaign, acting_user=city, kind="cross", name="交叉互检",
                                               starts_on=date(2022, 6, 1), ends_on=date(2022, 6, 5))
    inspection_actions.do_assign_cross_inspection(cross, acting_user=city)
    inspector = make_user("inspector", "22")
    visit = inspection_actions.do_create_round(campaign, acting_user=province, kind="unannounced", name="2023年暗访",
                                               starts_on=date(2023, 4, 1), ends_on=date(2023, 4, 30), inspector_ids=[inspector.pk])
    record = inspect(visit, inspection_actions.targets(visit).first(), inspector, failing={"无2"}, major_problem=True,
                     summary="明显反弹")
    inspection_actions.do_propose_revocation(record, acting_user=inspector, reason="明显反弹")

    staff = village_staff()
    village = Region.objects.get(code=YANJI_VILLAGE)
    # On the hour: timestamps without microseconds beside the ones taken from the clock.
    with at(datetime(2022, 7, 1, 9, 0, 0)):
        hh = household(head="赵六")
    second = household(head="钱七")
    give_points(hh, 20)
    with at(datetime(2022, 7, 2, 10, 30, 0)):
        give_points(second, 15)
    rule = participation_actions.do_create_rule(village, acting_user=staff, name="义务清扫", points=5)
    participation_actions.do_propose_points(second, acting_user=staff, idempotency_key=uuid.uuid4().hex, rule_id=rule.pk)
    item = goods()
    participation_actions.do_redeem(hh, [(item.pk, 1)], acting_user=staff, idempotency_key=uuid.uuid4().hex)
    group = participation_actions.do_create_group(village, acting_user=staff, name="第一组")
    participation_actions.do_assign_households(group, [hh.pk, second.pk], acting_user=staff)
    criteria = county_criteria()
    rating_round = participation_actions.do_create_round(village, acting_user=staff, name="第三季度", starts_on=date(2022, 7, 1),
                                                         ends_on=date(2022, 9, 30), pass_score=60)
    participation_actions.do_rate(rating_round, hh, acting_user=staff, scores={c.pk: c.max_score for c in criteria})
    participation_actions.do_issue_link(hh, acting_user=staff)
    venue = participation_actions.do_create_venue(village, acting_user=staff, kind="library", name="农家书屋")
    participation_actions.do_record_activity(venue, acting_user=staff, held_on=date(2022, 7, 1), kind="reading", title="读书会",
                                             participants=20, photo=jpeg("读书会.jpg"))
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        failed_import()  # its queue row stays in the database queue
    failed_region_import()

    admin = make_user("admin", "22")
    client_for(admin)  # a second factor (TOTP device) and a session
    account_actions.do_regenerate_recovery_codes(acting_user=admin)
    account_actions.do_create_api_token(acting_user=admin, name="数据对接")
    client.post(reverse("accounts:login"), {"username": staff.username, "password": "wrong-password-1"})  # axes rows


def empty_tables() -> set[str]:
    return {table for table, entry in live_checksums().items() if entry["rows"] == 0}


def test_restore_into_an_empty_migrated_database_gives_back_every_table_and_file(demo_like, tmp_path):
    microseconds = list(LedgerEntry.objects.order_by("pk").values_list("created_at", flat=True))
    assert [m.microsecond == 0 for m in microseconds] == [False, True, False]  # +20 now, +15 on the half hour, a redemption now
    assert microseconds[1].astimezone(SHANGHAI).replace(tzinfo=None) == datetime(2022, 7, 2, 10, 30)

    backup = tmp_path / "qiancun.tar.gz"
    assert "已备份" in run("backup", str(backup), "--verify")
    before = manifest_of(backup)
    assert set(before["tables"]) - NEVER_USED == {t for t, e in before["tables"].items() if e["rows"] > 0}
    assert before["tables"]["regions_region"]["rows"] == 13014
    assert len(before["files"]) == 16  # photos and their thumbnails, the two uploaded import files
    assert all(file_entry["bytes"] > 0 for file_entry in before["files"].values())
    assert "备份完好" in run("verify_backup", str(backup))

    with pytest.raises(CommandError, match="目标不是空的（已有用户、行政区划、审计日志、上传文件"):
        call_command("restore", str(backup))

    # A new database as `migrate` leaves it (the reference rows of the data migrations) and no files.
    call_command("flush", interactive=False, verbosity=0)
    load_reference_data()
    shutil.rmtree(settings.MEDIA_ROOT)
    Path(settings.MEDIA_ROOT).mkdir()
    assert "行数与校验值均与备份清单一致" in run("restore", str(backup))

    assert live_checksums() == before["tables"]
    assert list(LedgerEntry.objects.order_by("pk").values_list("created_at", flat=True)) == microseconds
    root = Path(settings.MEDIA_ROOT)
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) == sorted(before["files"])
    again = tmp_path / "again.tar"
    run("backup", str(again))
    after = manifest_of(again)
    assert after["tables"] == before["tables"]
    assert after["files"] == before["files"]
    # The restored platform works: a restored user signs in and sees the restored household.
    html = client_for(village_staff()).get(reverse("participation:households", args=[YANJI_VILLAGE])).content.decode()
    assert "赵六" in html and "钱七" in html


def test_a_backup_that_does_not_verify_is_refused_before_anything_changes(jilin, tmp_path):
    staff = village_staff()
    venue = participation_actions.do_create_venue(staff.scope, acting_user=staff, kind="library", name="农家书屋")
    participation_actions.do_record_activity(venue, acting_user=staff, held_on=date(2022, 7, 1), kind="reading", title="读书会",
                                             participants=20, photo=jpeg("读书会.jpg"))
    backup = tmp_path / "qiancun.tar"
    run("backup", str(backup))
    manifest = manifest_of(backup)
    (name,) = manifest["files"]

    # One photo changed inside the archive (same size, one byte flipped).
    tampered = tmp_path / "tampered.tar"
    with tarfile.open(backup) as source, tarfile.open(tampered, "w") as target:
        for member in source:
            data = source.extractfile(member).read()
            if member.name == f"media/{name}":
                data = data[:-10] + bytes([data[-10] ^ 0xFF]) + data[-9:]
            target.addfile(member, io.BytesIO(data))
    with pytest.raises(CommandError, match=f"备份未通过校验：media/{name} 的大小或 SHA-256 与清单不符"):
        call_command("verify_backup", str(tampered))

    call_command("flush", interactive=False, verbosity=0)
    load_reference_data()
    shutil.rmtree(settings.MEDIA_ROOT)
    Path(settings.MEDIA_ROOT).mkdir()
    empty = live_checksums()
    with pytest.raises(CommandError, match=f"恢复失败：media/{name} 的大小或 SHA-256 与清单不符"):
        call_command("restore", str(tampered))
    assert live_checksums() == empty
    assert list(Path(settings.MEDIA_ROOT).rglob("*")) == []

    # A backup cut short (copied while still being written) is refused too.
    truncated = tmp_path / "truncated.tar"
    truncated.write_bytes(backup.read_bytes()[: backup.stat().st_size // 2])
    with pytest.raises(CommandError, match="备份未通过校验：.*(不完整或已损坏|缺少清单所列)"):
        call_command("verify_backup", str(truncated))


def test_users_and_writers_go_on_while_a_backup_runs(jilin, tmp_path):
    """On SQLite the old backup held the write lock for its whole dump: sessions could not be saved
    (users got "Bad Request (400)") and the worker died with "database is locked". Here, while
    `manage.py backup` runs in a process of its own, every page and every write must go through
    without waiting for it."""
    user = make_user("staff", YANJI)
    hh = household(head="赵六")
    output = tmp_path / "live.tar.gz"
    with shared_platform(tmp_path) as env:
        client = client_for(user)
        options = connection.settings_dict.get("OPTIONS", {})
        init_command = options.get("init_command")
        if connection.vendor == "sqlite":
            # This process gives up on the write lock after 0.2 s instead of 10 s: a backup holding it
            # fails the writes below at once.
            options["init_command"] = init_command.replace("busy_timeout=10000", "busy_timeout=200")
            connection.close()
        statuses, written = [], 0
        backup = manage(env, "backup", str(output), log=tmp_path / "backup.log")
        try:
            while backup.poll() is None or not statuses:
                statuses.append(client.get(reverse("core:home")).status_code)
                give_points(hh, 1)  # a write, as the worker's and every form's
                written += 1
        finally:
            backup.wait(timeout=120)
            if init_command is not None:
                options["init_command"] = init_command
        assert backup.returncode == 0, (tmp_path / "backup.log").read_text()
        assert set(statuses) == {200}
        assert LedgerEntry.objects.filter(household=hh).count() == written
    assert "已备份" in (tmp_path / "backup.log").read_text()
    assert output.exists()


def test_a_restore_over_live_data_with_force_serves_the_restored_data_not_the_cache(jilin, tmp_path):
    """Region pages are cached under a version kept in the cache; a restore takes the data back to
    an older state, so what was cached since must not be served afterwards."""
    user = make_user("staff", YANJI)
    client = client_for(user)
    village = Region.objects.get(code=YANJI_VILLAGE)

    def poverty_flag() -> bool:
        page = client.get("/api/v1/regions", {"parent": village.parent_id}).json()
        return next(item["is_poverty_alleviated"] for item in page["items"] if item["code"] == YANJI_VILLAGE)

    assert poverty_flag() is False
    backup = tmp_path / "before.tar"
    run("backup", str(backup))
    region_actions.do_update_village(village, acting_user=user, is_poverty_alleviated=True)
    assert poverty_flag() is True  # cached under the tree's new version

    with pytest.raises(CommandError, match="目标不是空的（已有用户、行政区划、审计日志），拒绝恢复"):
        call_command("restore", str(backup))
    run("restore", str(backup), "--force")
    assert poverty_flag() is False
