"""The health check: anonymous, one trivial query, nothing revealed."""

import pytest

pytestmark = pytest.mark.django_db


def test_anyone_gets_ok_from_the_health_check_with_one_database_query(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/api/v1/health")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_the_health_check_says_unavailable_when_the_database_does_not_answer(client, monkeypatch):
    from django.db import DatabaseError
    from django.db.backends.utils import CursorWrapper

    def broken(self, sql, params=None):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = client.get("/api/v1/health")
    assert response.status_code == 503 and response.json() == {"status": "unavailable"}
