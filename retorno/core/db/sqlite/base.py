"""SQLite where writers wait in a queue instead of sleeping (ADR 8).

SQLite lets one writer in at a time. A writer that finds the database locked is parked by its
busy handler, which sleeps in fixed steps (1, 2, 5, 10 … up to 100 ms) and looks again: it
notices the lock is free only when its current sleep ends, so under load a short transaction can
wait tens of milliseconds behind one that finished long before.

Here every writer first takes an exclusive `flock` on a file beside the database
(`<database>.write-lock`) and keeps it until its transaction ends (commit, rollback or close).
Writers queue on that lock in the kernel, which wakes the next one as soon as it is released;
the SQLite lock behind it is then free. Each connection opens its own descriptor, so the lock
works between threads of one process as well as between processes. Reads take nothing: in WAL
mode they never wait for the writer.

In-memory databases have no queue (nothing else can open them). When the lock file cannot be
opened or locked (a read-only folder, a filesystem without flock), the connection works as
plain SQLite.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
from typing import Any

from django.db.backends.sqlite3 import base as sqlite3_base

logger = logging.getLogger(__name__)

LOCK_SUFFIX = ".write-lock"


class WriterQueue:
    """One connection's place in the queue of writers: an exclusive flock on the lock file."""

    def __init__(self, fd: int) -> None:
        self._fd: int | None = fd
        self.held = False

    @classmethod
    def for_database(cls, path: str) -> WriterQueue | None:
        try:
            fd = os.open(path + LOCK_SUFFIX, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            logger.warning("SQLite writers will not queue (no lock file): %s", exc)
            return None
        return cls(fd)

    def acquire(self) -> None:
        if self.held or self._fd is None:
            return
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except OSError as exc:
            # Not a reason to refuse the write: SQLite's own lock still serialises writers.
            logger.warning("SQLite writers will not queue (flock failed): %s", exc)
            self.close()
            return
        self.held = True

    def release(self) -> None:
        if not self.held or self._fd is None:
            return
        self.held = False
        fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        fd, self._fd = self._fd, None
        self.held = False
        if fd is not None:
            os.close(fd)  # closing the descriptor releases its lock too

    def __del__(self) -> None:
        # A connection dropped without being closed (a thread that ends) must not keep its
        # descriptor, nor the lock if it held it. (At interpreter exit `os` may be gone.)
        with contextlib.suppress(Exception):
            self.close()


def may_write(sql: str) -> bool:
    """Anything but a SELECT may write (BEGIN, INSERT, UPDATE, DELETE, DDL, PRAGMA …)."""
    return sql.lstrip()[:6].upper() != "SELECT"


class QueuedCursorWrapper(sqlite3_base.SQLiteCursorWrapper):
    """Takes the writer queue for a statement that may write when no transaction is open (a
    BEGIN, or a write in autocommit mode) and gives it back once no transaction is left open:
    right after an autocommit write, at the end of a transaction otherwise.

    An autocommit write that returns rows (INSERT … RETURNING) keeps SQLite's lock until all
    its rows are read, so it keeps its turn until then, or until the cursor is closed."""

    writer_queue: WriterQueue | None = None

    def execute(self, query: str, params: Any = None) -> Any:
        self._take_turn(query)
        try:
            return super().execute(query, params)
        finally:
            self._end_turn(statement_done=self.description is None)

    def executemany(self, query: str, param_list: Any) -> Any:
        self._take_turn(query)
        try:
            return super().executemany(query, param_list)
        finally:
            self._end_turn(statement_done=self.description is None)

    def fetchone(self) -> Any:
        row = super().fetchone()
        if row is None:
            self._end_turn(statement_done=True)
        return row

    def fetchmany(self, size: int | None = None) -> list[Any]:
        rows = super().fetchmany(self.arraysize if size is None else size)
        if len(rows) < (self.arraysize if size is None else size):
            self._end_turn(statement_done=True)
        return rows

    def fetchall(self) -> list[Any]:
        try:
            return super().fetchall()
        finally:
            self._end_turn(statement_done=True)

    def __next__(self) -> Any:
        try:
            return super().__next__()
        except StopIteration:
            self._end_turn(statement_done=True)
            raise

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._end_turn(statement_done=True)

    def _take_turn(self, query: str) -> None:
        queue = self.writer_queue
        if queue is not None and not self.connection.in_transaction and may_write(query):
            queue.acquire()

    def _end_turn(self, *, statement_done: bool) -> None:
        queue = self.writer_queue
        if queue is None or not queue.held or not statement_done:
            return
        if not self.connection.in_transaction:
            queue.release()


class DatabaseWrapper(sqlite3_base.DatabaseWrapper):
    writer_queue: WriterQueue | None = None

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        connection = super().get_new_connection(conn_params)
        self._close_writer_queue()
        if not self.is_in_memory_db():
            self.writer_queue = WriterQueue.for_database(str(conn_params["database"]))
        return connection

    def create_cursor(self, name: str | None = None) -> Any:
        cursor = self.connection.cursor(factory=QueuedCursorWrapper)
        cursor.writer_queue = self.writer_queue
        return cursor

    # Django commits, rolls back and closes through the sqlite3 connection, not a cursor: the
    # queue is released after each of them, whatever they raise.

    def _commit(self) -> Any:
        try:
            return super()._commit()  # type: ignore[misc]  # not in django-stubs
        finally:
            self._release_unless_in_transaction()

    def _rollback(self) -> Any:
        try:
            return super()._rollback()  # type: ignore[misc]  # not in django-stubs
        finally:
            self._release_unless_in_transaction()

    def _close(self) -> Any:
        try:
            return super()._close()  # type: ignore[misc]  # not in django-stubs
        finally:
            self._close_writer_queue()

    def _release_unless_in_transaction(self) -> None:
        queue = self.writer_queue
        if queue is None or not queue.held:
            return
        if self.connection is None or not self.connection.in_transaction:
            queue.release()

    def _close_writer_queue(self) -> None:
        queue, self.writer_queue = self.writer_queue, None
        if queue is not None:
            queue.close()
