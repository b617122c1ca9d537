"""A database cache whose incr() is atomic, so django-ratelimit counts correctly across processes.

Only used in the embedded mode (no Redis): the table is shared by the web and worker processes. Stock
DatabaseCache.incr() is get-then-set, which loses increments under concurrency (django-ratelimit's system
check rejects it for that reason).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.cache.backends.db import DatabaseCache
from django.db import connections, models, router, transaction
from django.utils import timezone


class AtomicDatabaseCache(DatabaseCache):
    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        table = connection.ops.quote_name(self._table)  # type: ignore[attr-defined]
        cache_key = self.make_and_validate_key(key, version=version)
        # SQLite runs with transaction_mode=IMMEDIATE (write lock taken at BEGIN); PostgreSQL locks the row.
        # Either way no other incr() interleaves between the read and the write below.
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        with transaction.atomic(using=db):
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT expires FROM {table} WHERE cache_key = %s{lock}", [cache_key])  # noqa: S608
                row = cursor.fetchone()
            current = self.get(key, version=version)
            if row is None or current is None:
                raise ValueError(f"Key '{key}' not found")
            new_value = int(current) + delta
            # Keep the original expiry: a ratelimit window must not be stretched by each hit.
            self.set(key, new_value, timeout=self._remaining(row[0], connection), version=version)
        return new_value

    @staticmethod
    def _remaining(expires: Any, connection: Any) -> float:
        expression = models.Expression(output_field=models.DateTimeField())
        for converter in connection.ops.get_db_converters(expression) + expression.get_db_converters(
            connection
        ):
            expires = converter(expires, expression, connection)
        assert isinstance(expires, datetime)
        return max((expires - timezone.now()).total_seconds(), 1.0)
