"""The worker (`manage.py db_worker`) outlasts a locked database and the death of another worker: a
queued import is run, not left 排队中 for ever."""

import sqlite3
import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from qiancun.core import jobs
from qiancun.core.management.commands.db_worker import worker_id_for
from qiancun.core.tests.test_jobs import DB_TASKS, dead_process, new_villages, start_region_import
from qiancun.participation.tests.test_ledger import own_connections

WORKER = ["db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0", "--verbosity", "0"]


# The worker commits as it goes (and closes connections it finds inside a transaction): these tests
# run committed, on the tree loaded again (`jilin`).


def test_a_task_taken_by_a_worker_that_died_before_starting_it_is_run_by_the_next_worker(jilin, caplog):
    with override_settings(TASKS=DB_TASKS):
        job = start_region_import()  # committed: the task is in the queue
        task = DBTaskResult.objects.get()
        task.claim(worker_id_for(dead_process()))  # ... and the worker died before the import began
        job.refresh_from_db()
        assert (job.status, task.status) == ("queued", TaskResultStatus.RUNNING)

        call_command(*WORKER)

    job.refresh_from_db()
    task.refresh_from_db()
    assert job.status == "succeeded" and new_villages() == 60
    assert task.status == TaskResultStatus.SUCCESSFUL
    assert f"任务 {task.id}（qiancun.regions.tasks.run_region_import）：领取它的后台进程" in caplog.text
    assert "进程已不存在，已放回队列" in caplog.text


def test_a_task_taken_by_a_live_worker_is_left_to_it(jilin):
    with override_settings(TASKS=DB_TASKS):
        job = start_region_import()
        task = DBTaskResult.objects.get()
        task.claim(worker_id_for(jobs.this_process()))
        call_command(*WORKER)
    job.refresh_from_db()
    task.refresh_from_db()
    assert (job.status, task.status) == ("queued", TaskResultStatus.RUNNING)


def test_the_worker_waits_out_a_locked_database_and_runs_the_queued_import(jilin, caplog):
    """SQLite: another connection holds the write lock past busy_timeout. The worker used to exit with
    "database is locked", leaving the import queued; it now waits and runs it."""
    if connection.vendor != "sqlite":
        pytest.skip("only SQLite locks the whole database for one writer")
    with own_connections(), override_settings(TASKS=DB_TASKS):
        job = start_region_import()  # committed: the task is in the queue
        options = connection.settings_dict["OPTIONS"]
        init_command = options["init_command"]
        # Give up on the lock after 0.1 s (instead of 10 s), so a lock of 1.5 s is one the worker meets.
        options["init_command"] = init_command.replace("busy_timeout=10000", "busy_timeout=100")
        connection.close()
        held = threading.Event()

        def hold_the_write_lock():
            other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
            other.execute("BEGIN IMMEDIATE")
            held.set()
            time.sleep(1.5)
            other.execute("COMMIT")
            other.close()

        holder = threading.Thread(target=hold_the_write_lock)
        holder.start()
        held.wait()
        try:
            call_command(*WORKER)
        finally:
            holder.join()
            options["init_command"] = init_command
            connection.close()
        job.refresh_from_db()
        assert job.status == "succeeded" and new_villages() == 60
    assert "数据库被占用（database is locked）" in caplog.text
