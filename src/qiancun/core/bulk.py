"""Bulk paths for large loads and reads (the national division tree: 665k rows; a province's households).

Django's bulk_create spends most of its time compiling SQL per object; for loads that validate
everything beforehand we send plain rows: COPY on PostgreSQL, executemany elsewhere.
"""

from django.db import connection


def insert_rows(model, fields: list[str], rows: list[tuple], batch_size: int = 10_000) -> int:
    """Insert `rows` (tuples of column values, in `fields` order) into `model`'s table."""
    if not rows:
        return 0
    table = connection.ops.quote_name(model._meta.db_table)
    columns = [model._meta.get_field(name).column for name in fields]
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # psycopg 3 cursor underneath Django's wrapper
            with raw.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})"
            for start in range(0, len(rows), batch_size):
                cursor.executemany(sql, rows[start : start + batch_size])
    return len(rows)


def fetch_rows(queryset, chunk_size: int = 5000):
    """The rows of a `values_list` queryset as plain tuples, `chunk_size` at a time from a chunked
    (server-side on PostgreSQL) cursor. The ORM still builds the statement, scope included; the rows skip
    Django's per-value converters, which cost more than the query on 10⁴–10⁶ rows. Callers get raw
    column values (SQLite gives booleans as 0/1)."""
    statement, params = queryset.query.sql_with_params()
    with connection.chunked_cursor() as cursor:
        cursor.execute(statement, params)
        while chunk := cursor.fetchmany(chunk_size):
            yield from chunk

