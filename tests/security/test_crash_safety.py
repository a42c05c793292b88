"""kill -9 of the worker in the middle of a household import and of a region import: afterwards no row of
the file is in the database, the job shows failed with the reason (after `fail_stale_jobs` for the region
import, after the next worker's start for the household import), and the user's rerun of the same file
loads all of it.

A real `manage.py db_worker` runs in a process of its own against the test database (a WAL file on SQLite,
the test database on PostgreSQL), the imports are uploaded through the API as users upload them, the
test follows the progress bar's figures through the API and sends SIGKILL once the worker is writing.
Marked long (`make test-long`): each file takes the worker a while, as it must to be killed mid-write.
"""

import gzip
import io
import os
import signal
import subprocess
import time
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tasks_db.models import DBTaskResult
from openpyxl import Workbook

from qiancun.core.models import AuditEntry
from qiancun.core.testing import YANJI_VILLAGE, api_token, province_admin
from qiancun.participation.models import Household, Member, PointsAccount
from qiancun.participation.personal_data import with_check_digit
from qiancun.participation.tests.factories import village_staff
from qiancun.regions.models import Region

from .processes import manage, shared_platform

pytestmark = pytest.mark.long

# A province of its own: 10 cities, 100 counties, 1,000 townships, 240,000 villages.
PROVINCE = "99"
HOUSEHOLDS, MEMBERS_EACH = 5000, 4  # 20,000 rows: the most one workbook may hold


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {api_token(user, 'crash')}"}


def division_file() -> tuple[bytes, int]:
    lines = ["code,name,level,parent_code", f"{PROVINCE},测试省,province,"]
    for c in range(1, 11):
        city = f"{PROVINCE}{c:02d}"
        lines.append(f"{city},第{c}市,city,{PROVINCE}")
        for k in range(1, 11):
            county = f"{city}{k:02d}"
            lines.append(f"{county},第{k}县,county,{city}")
            for t in range(1, 11):
                township = f"{county}{t:03d}"
                lines.append(f"{township},第{t}镇,township,{county}")
                lines += [f"{township}{v:03d},第{v}村,village,{township}" for v in range(201, 441)]
    return gzip.compress("\n".join(lines).encode()), len(lines) - 1


def household_workbook() -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("农户")
    sheet.append(["户号", "姓名", "与户主关系", "身份证号", "手机号", "住址", "十户一组"])
    born = date(1950, 1, 1)
    for h in range(HOUSEHOLDS):
        number = f"K{h:05d}"
        head_id = with_check_digit(f"222401{(born + timedelta(days=h)):%Y%m%d}{h % 1000:03d}")
        sheet.append([number, f"户主{h}", "户主", head_id, f"139{h:08d}", f"{h}号", f"第{h // 10 + 1}组"])
        for m in range(1, MEMBERS_EACH):
            sheet.append([number, f"成员{h}-{m}", "子女", "", "", "", ""])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def wait_until_writing(client, url: str, headers: dict, worker: subprocess.Popen, log, timeout: float = 300) -> dict:
    """Poll the job as its page does until the worker is part-way through writing; return what it said."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert worker.poll() is None, f"the worker exited early:\n{log.read_text()[-3000:]}"
        job = client.get(url, headers=headers).json()
        progress = job.get("progress") or {}
        if job["status"] == "running" and progress.get("phase") == "write" and 0 < progress["done"] < progress["total"]:
            return job
        assert job["status"] in ("queued", "running"), f"the import ended before the kill: {job}"
        time.sleep(0.02)
    raise AssertionError(f"the worker never got to writing:\n{log.read_text()[-3000:]}")


def wait_for(client, url: str, headers: dict, done, worker: subprocess.Popen, log, timeout: float = 600) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert worker.poll() is None, f"the worker exited:\n{log.read_text()[-3000:]}"
        job = client.get(url, headers=headers).json()
        if done(job):
            return job
        time.sleep(0.2)
    raise AssertionError(f"waited {timeout} s for {url}:\n{log.read_text()[-3000:]}")


def kill_9(worker: subprocess.Popen) -> None:
    os.kill(worker.pid, signal.SIGKILL)
    assert worker.wait(timeout=30) == -signal.SIGKILL


def fail_stale_jobs(env, log) -> str:
    manage(env, "fail_stale_jobs", log=log).wait(timeout=120)
    return log.read_text()


def run_worker_until_the_queue_is_empty(env, log) -> None:
    worker = manage(env, "db_worker", "--batch", "--no-startup-delay", "--no-reload", log=log)
    assert worker.wait(timeout=600) == 0, log.read_text()[-3000:]


def test_kill_9_in_the_middle_of_a_region_import_leaves_nothing_and_the_rerun_loads_everything(jilin, tmp_path, client):
    content, rows = division_file()
    headers = bearer(province_admin())
    with shared_platform(tmp_path) as env:
        log = tmp_path / "worker.log"
        worker = manage(env, "db_worker", "--interval", "0.2", "--no-startup-delay", "--no-reload", log=log)
        try:
            upload = {"file": SimpleUploadedFile("ceshi.csv.gz", content)}
            started = client.post("/api/v1/regions/imports", upload, headers=headers)
            assert started.status_code == 202, started.content
            url = f"/api/v1/regions/imports/{started.json()['id']}"
            seen = wait_until_writing(client, url, headers, worker, log)
            kill_9(worker)
        finally:
            if worker.poll() is None:
                worker.kill()

        print(f"killed while writing {seen['progress']['done']} of {seen['progress']['total']} rows")
        assert Region.objects.filter(code__startswith=PROVINCE).count() == 0
        assert not AuditEntry.objects.filter(action="import", object_repr__contains="ceshi").exists()
        assert client.get(url, headers=headers).json()["status"] == "running"  # until someone notices

        output = fail_stale_jobs(env, tmp_path / "sweep.log")
        assert "已标记 1 个中断的任务为失败" in output, output
        job = client.get(url, headers=headers).json()
        assert job["status"] == "failed" and job["finished_at"]
        assert f"进程号 {worker.pid}）进程已不存在，本次导入没有写入任何数据，可重新运行" in job["report"]["summary"]
        task = DBTaskResult.objects.get(task_path="qiancun.regions.tasks.run_region_import")
        assert task.status == "FAILED" and "进程已不存在" in task.traceback

        rerun = client.post(f"{url}/rerun", headers=headers)
        assert rerun.status_code == 202 and rerun.json()["rerun_of_id"] == job["id"]
        run_worker_until_the_queue_is_empty(env, tmp_path / "rerun.log")
        done = client.get(f"/api/v1/regions/imports/{rerun.json()['id']}", headers=headers).json()
        assert done["status"] == "succeeded", done
        assert done["report"]["added"] == rows and Region.objects.filter(code__startswith=PROVINCE).count() == rows
        assert AuditEntry.objects.filter(action="import", object_repr__contains="ceshi").count() == 1


def test_kill_9_in_the_middle_of_a_household_import_leaves_nothing_and_the_rerun_loads_everything(jilin, tmp_path, client):
    staff = village_staff()
    headers = bearer(staff)
    workbook = household_workbook()
    with shared_platform(tmp_path) as env:
        log = tmp_path / "worker.log"
        worker = manage(env, "db_worker", "--interval", "0.2", "--no-startup-delay", "--no-reload", log=log)
        try:
            upload = {"file": SimpleUploadedFile("cunmin.xlsx", workbook), "village_code": YANJI_VILLAGE}
            started = client.post("/api/v1/participation/households/import", upload, headers=headers)
            assert started.status_code == 201, started.content
            url = f"/api/v1/participation/imports/{started.json()['id']}"
            seen = wait_until_writing(client, url, headers, worker, log)
            kill_9(worker)
        finally:
            if worker.poll() is None:
                worker.kill()

        print(f"killed while writing household {seen['progress']['done']} of {seen['progress']['total']}")
        assert Household.objects.filter(village_id=YANJI_VILLAGE).count() == 0
        assert Member.objects.filter(household__village_id=YANJI_VILLAGE).count() == 0
        assert PointsAccount.objects.filter(household__village_id=YANJI_VILLAGE).count() == 0
        assert not AuditEntry.objects.filter(action="import", object_type="participation.household").exists()
        assert client.get(url, headers=headers).json()["status"] == "running"

        # This time nobody runs fail_stale_jobs: the worker that replaces the dead one (systemd's restart)
        # closes its job as it starts, then runs the rerun.
        log = tmp_path / "restarted.log"
        worker = manage(env, "db_worker", "--interval", "0.2", "--no-startup-delay", "--no-reload", log=log)
        try:
            job = wait_for(client, url, headers, lambda job: job["status"] != "running", worker, log)
            assert job["status"] == "failed" and "进程已不存在" in job["report"]["summary"], job
            assert "已标记为失败" in log.read_text()
            assert DBTaskResult.objects.get(task_path="qiancun.participation.tasks.run_household_import").status == "FAILED"

            rerun = client.post(f"{url}/rerun", headers=headers)
            assert rerun.status_code == 201 and rerun.json()["rerun_of_id"] == job["id"]
            done = wait_for(client, f"/api/v1/participation/imports/{rerun.json()['id']}", headers,
                            lambda job: job["status"] in ("succeeded", "failed"), worker, log)
        finally:
            worker.terminate()
            worker.wait(timeout=60)
        assert done["status"] == "succeeded", done
        assert done["report"]["added"] == HOUSEHOLDS and done["report"]["members_added"] == HOUSEHOLDS * MEMBERS_EACH
        assert Household.objects.filter(village_id=YANJI_VILLAGE).count() == HOUSEHOLDS
        assert Member.objects.filter(household__village_id=YANJI_VILLAGE).count() == HOUSEHOLDS * MEMBERS_EACH
