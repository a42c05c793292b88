"""Fixtures for every test: the real Jilin tree is loaded once per test database."""

from pathlib import Path

import pytest

JILIN_CSV = Path(__file__).parent / "data" / "regions" / "jilin.csv"


def load_jilin():
    from qiancun.regions.importer import import_file
    from qiancun.regions.models import Region

    if not Region.objects.filter(code="22").exists():
        import_file(JILIN_CSV)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_jilin()


# Rows the data migrations create; a transactional test's flush removes them, so they are made again.
REFERENCE_DATA = [
    ("qiancun.accounts.migrations.0003_departments", "add"),
    ("qiancun.campaigns.migrations.0002_default_tags", "add"),
    ("qiancun.standards.migrations.0002_default_2022_standard", "create_default_standard"),
]


def load_reference_data():
    from importlib import import_module

    from django.apps import apps

    for module, function in REFERENCE_DATA:
        getattr(import_module(module), function)(apps, None)


@pytest.fixture
def jilin(transactional_db):
    """For transactional tests (live server, concurrency): the tree and the reference data again after each flush."""
    load_reference_data()
    load_jilin()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (cached region pages, rate-limit counters, job progress)."""
    from django.core.cache import cache

    cache.clear()
