"""What a deployment gets from the settings and the scripts around them: production never runs with the
demo's secrets or data, its cache counts atomically, and CI cannot pass with its PostgreSQL half missing."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "QIANCUN_SECRET_KEY": "x" * 60,
    "QIANCUN_PERSONAL_DATA_KEY": "production-test-key",
    "QIANCUN_ALLOWED_HOSTS": "qiancun.example",
    "QIANCUN_REDIS_URL": "redis://127.0.0.1:1/0",
}


def _run(args, *, env_extra=None, drop=("DJANGO_SETTINGS_MODULE", "DATABASE_URL"), tmp_path=None):
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("QIANCUN_")}
    env["PYTHONPATH"] = str(REPO / "src")
    if tmp_path is not None:
        env["QIANCUN_VAR_DIR"] = str(tmp_path)
    env.update(env_extra or {})
    return subprocess.run([sys.executable, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)


def _python(code, **kwargs):
    return _run(["-c", "import django; django.setup()\n" + code], **kwargs)


def test_manage_py_without_settings_means_production(tmp_path):
    out = _run(["manage.py", "shell", "--no-imports", "-c", "from django.conf import settings; print(settings.SETTINGS_MODULE)"],
               env_extra=PRODUCTION_ENV, tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "qiancun.settings.production"


def test_seed_demo_refuses_production_settings(tmp_path):
    out = _run(["manage.py", "seed_demo"], env_extra=PRODUCTION_ENV, tmp_path=tmp_path)
    assert out.returncode == 1
    assert "不允许载入演示数据" in out.stderr


def test_production_cache_is_redis_with_its_client_installed(tmp_path):
    """Rate-limit counters need an atomic increment shared by every worker: Redis, whose client is locked."""
    out = _python(
        "from django.core.cache import caches\n"
        "cache = caches['default']\n"
        "print(type(cache).__module__ + '.' + type(cache).__name__)\n"
        "cache._cache  # builds the client: imports the redis package\n",
        env_extra={**PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": "qiancun.settings.production"}, tmp_path=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "django.core.cache.backends.redis.RedisCache"
    lock = (REPO / "requirements" / "base.lock").read_text()
    assert "\nredis==" in lock


def test_production_without_redis_names_the_missing_variable(tmp_path):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "QIANCUN_REDIS_URL"}
    out = _python("", env_extra={**env, "DJANGO_SETTINGS_MODULE": "qiancun.settings.production"}, tmp_path=tmp_path)
    assert out.returncode == 1
    assert "QIANCUN_REDIS_URL" in out.stderr


def test_postgres_check_fails_when_ci_requires_postgres():
    unreachable = "postgres://nobody:x@127.0.0.1:1/none"
    skipped = _run(["scripts/postgres_available.py", unreachable])
    assert skipped.returncode == 1
    assert "skipped" in skipped.stderr
    required = _run(["scripts/postgres_available.py", unreachable], env_extra={"QIANCUN_REQUIRE_POSTGRES": "1"})
    assert required.returncode == 2
    assert "QIANCUN_REQUIRE_POSTGRES=1" in required.stderr


def test_ci_requires_postgres_and_the_browser_and_make_test_runs_the_long_tests():
    ci = (REPO / ".ci" / "run").read_text()
    assert "export QIANCUN_REQUIRE_POSTGRES=1" in ci
    assert "export QIANCUN_REQUIRE_BROWSER=1" in ci
    dry = subprocess.run(["make", "-n", "test-sqlite"], cwd=REPO, capture_output=True, text=True, check=True)
    assert "pytest" in dry.stdout
    assert "not long" not in dry.stdout  # `make test` leaves no test out
