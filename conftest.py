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


@pytest.fixture
def jilin(transactional_db, django_db_serialized_rollback):
    """For transactional tests (live server, concurrency): the tree again after each flush, and the
    rows data migrations create (departments, tags, the default standard) restored by serialized rollback."""
    load_jilin()
