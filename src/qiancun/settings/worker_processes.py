"""Settings of the processes some tests start (tests/security): a real `db_worker` to kill with -9,
counters in processes of their own. The test settings, with the database task queue (the production
default) and a file cache the test reads too (job progress), on the database (DATABASE_URL) and media
folder (QIANCUN_TEST_MEDIA_ROOT) the test hands over."""

import os

from .test import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": os.environ["QIANCUN_TEST_CACHE_DIR"],
    }
}
