"""The session store: Django's database sessions, each request's read without the ORM.

Every request reads its session by key. Django's store builds and compiles that query
with the ORM each time (about 0.3 ms of CPU, as much as the rest of the read); this store
asks the same question in SQL written once, and is Django's store in everything else
(saving, expiry, `clearsessions`). SESSION_ENGINE names this module.
"""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router
from django.utils import timezone


class SessionStore(DatabaseSessionStore):
    def load(self):
        data = self._session_data()
        if data is None:
            # Unknown or expired: a new key is made when the session is saved, never
            # this one (Django's store does the same).
            self._session_key = None
            return {}
        return self.decode(data)

    def _session_data(self) -> str | None:
        """The stored data of this session if it exists and has not expired."""
        using = router.db_for_read(self.model)
        connection = connections[using]
        meta, quote = self.model._meta, connection.ops.quote_name
        table = quote(meta.db_table)
        data, key, expires = (
            quote(meta.get_field(name).column)
            for name in ("session_data", "session_key", "expire_date")
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {data} FROM {table} WHERE {key} = %s AND {expires} > %s",  # noqa: S608 - names from the model
                [
                    self.session_key,
                    connection.ops.adapt_datetimefield_value(timezone.now()),
                ],
            )
            row = cursor.fetchone()
        return row[0] if row else None
