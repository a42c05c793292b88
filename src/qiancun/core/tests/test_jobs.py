"""Imports whose worker process died: `fail_stale_jobs` (and every worker as it starts) closes them as
failed with the reason, never a job whose process is alive or that another machine runs; the user then
reruns the same file from the page or the API.

A worker killed with SIGKILL runs no more code: no `except`, no `finally`. Here the kill is a
BaseException raised in the middle of the write, which `except Exception` in the job does not catch
either, so the job is left exactly as a killed worker leaves it (the real kill -9 of a real worker is
tests/security/test_crash_safety.py, `make test-long`).
"""

import subprocess
import sys
from io import StringIO
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command, get_commands
from django.test import override_settings

from qiancun.core import jobs
from qiancun.core.models import AuditEntry
from qiancun.core.testing import YANJI_VILLAGE, client_for, make_user, province_admin
from qiancun.participation import actions as participation_actions
from qiancun.participation.models import Household, Member
from qiancun.participation.tests.factories import village_staff
from qiancun.participation.tests.test_households import _workbook
from qiancun.regions import actions as region_actions
from qiancun.regions import importer
from qiancun.regions.models import Region, RegionImport

pytestmark = pytest.mark.django_db

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
NEW_VILLAGES = "code,name,level,parent_code\n" + "".join(
    f"222401100{n},新建{n}村,village,222401100\n" for n in range(900, 960)
)


class Killed(BaseException):
    """What SIGKILL looks like from inside: nothing in the job gets to handle it."""


def dead_process() -> jobs.WorkerProcess:
    """The identity a worker on this machine recorded before it died."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    identity = jobs.WorkerProcess(**{**jobs.this_process().__dict__, "pid": child.pid, "started": jobs._stat(child.pid)[1]})
    child.kill()
    child.wait()
    return identity


def kill_region_import_mid_write(job: RegionImport, worker: jobs.WorkerProcess | None = None, task_id: str = "") -> None:
    real_insert = importer.insert_rows

    def insert_then_die(*args, **kwargs):
        real_insert(*args, **kwargs)  # the first batch is in the transaction when the worker dies
        raise Killed

    with mock.patch("qiancun.regions.importer.insert_rows", insert_then_die), \
         mock.patch("qiancun.regions.actions.this_process", return_value=worker or jobs.this_process()), \
         pytest.raises(Killed):
        region_actions.run_region_import_job(job, task_id=task_id)


def start_region_import() -> RegionImport:
    upload = SimpleUploadedFile("new.csv", NEW_VILLAGES.encode())
    return region_actions.do_start_region_import(upload, acting_user=province_admin())


def new_villages() -> int:
    return Region.objects.filter(code__startswith="2224011009").count()


def fail_stale_jobs(*args) -> str:
    out = StringIO()
    call_command("fail_stale_jobs", *args, stdout=out)
    return out.getvalue()


def test_a_region_import_whose_worker_died_is_failed_with_the_reason_and_reruns_from_the_page(
        django_capture_on_commit_callbacks):
    job = start_region_import()
    kill_region_import_mid_write(job, dead_process())
    job.refresh_from_db()
    assert job.status == "running" and new_villages() == 0  # nothing of the file, yet the job says running

    output = fail_stale_jobs()
    job.refresh_from_db()
    assert job.status == "failed" and "已标记 1 个中断的任务为失败" in output
    assert "后台进程" in job.report["summary"] and "进程已不存在" in job.report["summary"]
    assert "没有写入任何数据" in job.report["summary"] and job.finished_at is not None
    entry = AuditEntry.objects.get(object_type="regions.regionimport", object_id=str(job.pk), action="update")
    assert entry.actor_username == "system" and entry.changes["status"] == ["running", "failed"]

    admin = client_for(province_admin())
    page = admin.get(f"/regions/imports/{job.pk}/").content.decode()
    assert "失败" in page and "进程已不存在" in page and "重新运行本次导入" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(f"/regions/imports/{job.pk}/rerun/")
    rerun = RegionImport.objects.get(rerun_of=job)
    assert response["Location"] == f"/regions/imports/{rerun.pk}/"
    rerun.refresh_from_db()
    assert rerun.status == "succeeded" and rerun.report["added"] == 60 and new_villages() == 60
    page = admin.get(f"/regions/imports/{rerun.pk}/").content.decode()
    assert "已完成" in page and f"重新运行自 <a href=\"/regions/imports/{job.pk}/\">#{job.pk}</a>" in page
    assert "已重新运行" in admin.get(f"/regions/imports/{job.pk}/").content.decode()

    again = admin.post(f"/regions/imports/{rerun.pk}/rerun/", follow=True).content.decode()
    assert "只有失败的导入可以重新运行（本次导入已完成）" in again


def test_a_live_worker_is_never_failed_however_long_it_runs():
    job = start_region_import()
    kill_region_import_mid_write(job)  # recorded as this test's own process, which is alive
    output = fail_stale_jobs()
    job.refresh_from_db()
    assert job.status == "running" and "仍在运行" in output and "已标记 0 个" in output


def test_a_reused_process_id_or_a_reboot_counts_as_dead():
    here = jobs.this_process()
    reused = jobs.WorkerProcess(**{**here.__dict__, "started": "1"})  # our pid, but another process's start time
    rebooted = jobs.WorkerProcess(**{**here.__dict__, "boot_id": "before-the-reboot"})
    assert jobs.why_gone(here) is None
    assert "已被其他进程使用" in jobs.why_gone(reused)
    assert jobs.why_gone(rebooted) == "服务器已重启"
    first, second = start_region_import(), start_region_import()
    kill_region_import_mid_write(first, reused)
    kill_region_import_mid_write(second, rebooted)
    fail_stale_jobs()
    assert set(RegionImport.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)) == {"failed"}


def test_jobs_of_another_machine_are_left_to_it_unless_the_operator_declares_it_lost():
    elsewhere = jobs.WorkerProcess("worker-2", "boot", "pid:[1]", 4242, "99")
    job = start_region_import()
    kill_region_import_mid_write(job, elsewhere)
    assert "本机无法判断" in fail_stale_jobs() and "--lost-host worker-2" in fail_stale_jobs()
    job.refresh_from_db()
    assert job.status == "running"
    assert "将标记为失败" in fail_stale_jobs("--lost-host", "worker-2", "--dry-run")
    job.refresh_from_db()
    assert job.status == "running"
    fail_stale_jobs("--lost-host", "worker-2")
    job.refresh_from_db()
    assert job.status == "failed" and "主机 worker-2 已由运维人员确认失联" in job.report["summary"]


def test_a_household_import_whose_worker_died_is_failed_and_reruns_through_the_api(
        client, django_capture_on_commit_callbacks):
    village = Region.objects.get(code=YANJI_VILLAGE)
    staff = village_staff()
    rows = [[f"{n:03d}", f"户主{n}", "户主", "", "", f"{n}号", ""] for n in range(1, 401)]
    job = participation_actions.do_start_household_import(village, _workbook(rows), acting_user=staff, mode="all_or_nothing")
    from qiancun.participation import excel

    real_insert = excel.insert_rows

    def insert_then_die(model, fields, rows, **kwargs):
        written = real_insert(model, fields, rows, **kwargs)
        if model is Member:  # the 400 households and their accounts are in the transaction when the worker dies
            raise Killed
        return written

    with mock.patch.object(excel, "insert_rows", insert_then_die), \
         mock.patch("qiancun.participation.actions.this_process", return_value=dead_process()), pytest.raises(Killed):
        participation_actions.run_household_import_job(job)
    job.refresh_from_db()
    assert job.status == "running" and not Household.objects.filter(village=village).exists()

    fail_stale_jobs()
    job.refresh_from_db()
    assert job.status == "failed" and "本次导入没有写入任何数据" in job.report["summary"]
    page = client_for(staff).get(f"/participation/imports/{job.pk}/").content.decode()
    assert "进程已不存在" in page and "重新运行本次导入" in page
    assert "重新运行本次导入" not in client_for(make_user("leader", "22")).get(f"/participation/imports/{job.pk}/").content.decode()

    from qiancun.accounts.actions import do_create_api_token

    token = {"Authorization": f"Bearer {do_create_api_token(acting_user=staff, name='t')[1]}"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/participation/imports/{job.pk}/rerun", headers=token)
    assert response.status_code == 201 and response.json()["rerun_of_id"] == job.pk
    rerun = client.get(f"/api/v1/participation/imports/{response.json()['id']}", headers=token).json()
    assert rerun["status"] == "succeeded" and rerun["report"]["added"] == 400
    assert Household.objects.filter(village=village).count() == 400
    refused = client.post(f"/api/v1/participation/imports/{job.pk}/rerun", headers=token)
    assert refused.status_code == 409 and "已重新运行成功" in refused.json()["message"]


@override_settings(TASKS=DB_TASKS)
def test_the_django_tasks_row_fails_too_and_a_starting_worker_closes_the_jobs_of_a_dead_one():
    from django_tasks_db.models import DBTaskResult

    from qiancun.regions.tasks import run_region_import

    assert get_commands()["db_worker"] == "qiancun.core"  # ours, not django_tasks_db's
    job = start_region_import()  # its enqueue waits for a commit this test never makes: enqueue it here
    result = DBTaskResult.objects.get(pk=run_region_import.enqueue(job.pk).id)
    result.claim("worker-that-dies")
    kill_region_import_mid_write(job, dead_process(), task_id=str(result.pk))

    # The worker loop itself runs in tests/security/test_crash_safety.py; here only what comes before it.
    with mock.patch("qiancun.core.management.commands.db_worker.Worker.run") as work:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    assert work.call_count == 1
    job.refresh_from_db(), result.refresh_from_db()
    assert job.status == "failed" and "进程已不存在" in job.report["summary"]
    assert result.status == "FAILED" and result.exception_class_path == "qiancun.core.jobs.WorkerDied"
    assert "进程已不存在" in result.traceback and result.finished_at is not None


@override_settings(TASKS=DB_TASKS)
def test_a_worker_starts_even_when_the_clean_up_cannot_run():
    with mock.patch("qiancun.core.management.commands.db_worker.sweep", side_effect=RuntimeError("database is locked")), \
         mock.patch("qiancun.core.management.commands.db_worker.Worker.run") as work:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    assert work.call_count == 1
