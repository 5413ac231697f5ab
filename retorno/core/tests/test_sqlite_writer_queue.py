"""The SQLite writer queue (retorno.core.db.sqlite): writers take their turn on a file lock for
the whole of a write transaction and give it back on every way out of it.

Each test opens its own connections to a SQLite file of its own, whatever the suite's engine.
"""

from __future__ import annotations

import fcntl
import gc
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connections, transaction

from retorno.core.db.sqlite.base import LOCK_SUFFIX, DatabaseWrapper, WriterQueue, may_write

pytestmark = pytest.mark.django_db


def _settings(path: Path, timeout: float = 20) -> dict:
    return connections.configure_settings(
        {
            "default": {"ENGINE": "django.db.backends.dummy"},
            "queue": {
                "ENGINE": "retorno.core.db.sqlite",
                "NAME": str(path),
                "OPTIONS": {
                    "transaction_mode": "IMMEDIATE",
                    "timeout": timeout,
                    "init_command": "PRAGMA journal_mode=WAL;",
                },
            },
        }
    )["queue"]


@contextmanager
def sqlite_connection(path: Path, alias: str, timeout: float = 20) -> Iterator[DatabaseWrapper]:
    """A connection of the queued backend, registered as `alias` in this thread."""
    wrapper = DatabaseWrapper(_settings(path, timeout), alias=alias)
    connections[alias] = wrapper
    try:
        yield wrapper
    finally:
        wrapper.close()
        del connections[alias]


def lock_is_free(path: Path) -> bool:
    """Whether another descriptor could take the writer lock right now."""
    fd = os.open(str(path) + LOCK_SUFFIX, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    finally:
        os.close(fd)


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    path = tmp_path / "queue.sqlite3"
    with sqlite_connection(path, "setup") as wrapper, wrapper.cursor() as cursor:
        cursor.execute("CREATE TABLE t (x INTEGER)")
    return path


def test_a_write_transaction_holds_the_lock_until_commit(db_file):
    with sqlite_connection(db_file, "a") as wrapper:
        with transaction.atomic(using="a"):
            wrapper.cursor().execute("INSERT INTO t VALUES (1)")
            assert not lock_is_free(db_file)
            with transaction.atomic(using="a"):  # a savepoint does not end the turn
                wrapper.cursor().execute("INSERT INTO t VALUES (2)")
            assert not lock_is_free(db_file)
        assert lock_is_free(db_file)
        assert wrapper.cursor().execute("SELECT count(*) FROM t").fetchone() == (2,)


def test_the_lock_is_released_when_the_transaction_fails(db_file):
    with sqlite_connection(db_file, "a") as wrapper:

        def insert_then_fail() -> None:
            with transaction.atomic(using="a"):
                wrapper.cursor().execute("INSERT INTO t VALUES (1)")
                1 / 0  # noqa: B018

        with pytest.raises(ZeroDivisionError):
            insert_then_fail()
        assert lock_is_free(db_file)
        assert wrapper.cursor().execute("SELECT count(*) FROM t").fetchone() == (0,)


def test_a_rolled_back_savepoint_keeps_the_turn_and_the_outer_commit_ends_it(db_file):
    with sqlite_connection(db_file, "a") as wrapper:
        with transaction.atomic(using="a"):
            wrapper.cursor().execute("INSERT INTO t VALUES (1)")

            def insert_then_fail() -> None:
                with transaction.atomic(using="a"):
                    wrapper.cursor().execute("INSERT INTO t VALUES (2)")
                    raise ValueError("the savepoint fails")

            with pytest.raises(ValueError, match="the savepoint fails"):
                insert_then_fail()
            assert not lock_is_free(db_file)
        assert lock_is_free(db_file)
        assert wrapper.cursor().execute("SELECT x FROM t").fetchall() == [(1,)]


def test_closing_the_connection_mid_transaction_releases_the_lock(db_file):
    with sqlite_connection(db_file, "a") as wrapper:
        transaction.set_autocommit(False, using="a")
        wrapper.cursor().execute("INSERT INTO t VALUES (1)")
        assert not lock_is_free(db_file)
        wrapper.close()
        assert lock_is_free(db_file)
        wrapper.set_autocommit(True)


def test_an_autocommit_write_takes_and_gives_back_its_turn(db_file):
    with sqlite_connection(db_file, "a") as wrapper:
        wrapper.cursor().execute("INSERT INTO t VALUES (1)")
        assert wrapper.writer_queue is not None
        assert not wrapper.writer_queue.held
        assert lock_is_free(db_file)
        wrapper.cursor().execute("SELECT * FROM t")
        assert not wrapper.writer_queue.held


def test_a_second_writer_waits_for_the_first_and_goes_as_soon_as_it_commits(db_file):
    inside = threading.Event()
    finish = threading.Event()
    timeline: list[tuple[str, float]] = []
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with sqlite_connection(db_file, "first") as wrapper, transaction.atomic(using="first"):
                wrapper.cursor().execute("INSERT INTO t VALUES (1)")
                inside.set()
                finish.wait(timeout=10)
                timeline.append(("first committing", time.monotonic()))
        except BaseException as exc:
            errors.append(exc)
            inside.set()

    def second() -> None:
        try:
            # No busy timeout: without the queue its BEGIN would fail at once ("database is
            # locked"); with it, it sleeps until the first writer's commit wakes it.
            with sqlite_connection(db_file, "second", timeout=0) as wrapper:
                inside.wait(timeout=10)
                timeline.append(("second begins", time.monotonic()))
                with transaction.atomic(using="second"):
                    timeline.append(("second inside", time.monotonic()))
                    wrapper.cursor().execute("INSERT INTO t VALUES (2)")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    time.sleep(0.2)  # the second writer is now waiting for its turn
    finish.set()
    for thread in threads:
        thread.join(timeout=30)

    assert not errors, errors
    order = [name for name, _ in timeline]
    assert order == ["second begins", "first committing", "second inside"]
    assert lock_is_free(db_file)


def test_in_memory_databases_have_no_queue():
    wrapper = DatabaseWrapper(_settings(Path(":memory:")), alias="memory")
    connections["memory"] = wrapper
    try:
        with transaction.atomic(using="memory"):
            wrapper.cursor().execute("CREATE TABLE t (x INTEGER)")
        assert wrapper.writer_queue is None
    finally:
        del connections["memory"]


def test_without_a_usable_lock_file_the_database_works_unqueued(tmp_path):
    path = tmp_path / "db.sqlite3"
    Path(str(path) + LOCK_SUFFIX).mkdir()  # a folder where the lock file should be
    with sqlite_connection(path, "a") as wrapper:
        with transaction.atomic(using="a"):
            wrapper.cursor().execute("CREATE TABLE t (x INTEGER)")
            wrapper.cursor().execute("INSERT INTO t VALUES (1)")
        assert wrapper.writer_queue is None
        assert wrapper.cursor().execute("SELECT count(*) FROM t").fetchone() == (1,)


@pytest.mark.parametrize(
    ("sql", "writes"),
    [
        ("SELECT 1", False),
        ("  select * from t", False),
        ("BEGIN IMMEDIATE", True),
        ("INSERT INTO t VALUES (1)", True),
        ("UPDATE t SET x = 1", True),
        ("WITH a AS (SELECT 1) INSERT INTO t SELECT * FROM a", True),
        ("PRAGMA journal_mode=WAL", True),
    ],
)
def test_statements_that_may_write(sql, writes):
    assert may_write(sql) is writes


def test_an_autocommit_write_returning_rows_keeps_its_turn_until_its_cursor_closes(db_file):
    with sqlite_connection(db_file, "a") as wrapper:
        cursor = wrapper.cursor()
        cursor.execute("INSERT INTO t VALUES (1) RETURNING x")
        assert not lock_is_free(db_file)  # SQLite holds its lock until the row is read
        assert cursor.fetchall() == [(1,)]
        cursor.close()
        assert lock_is_free(db_file)


@pytest.mark.parametrize("read", ["fetchall", "fetchmany", "iterate"])
def test_an_autocommit_write_returning_rows_gives_its_turn_back_once_they_are_read(db_file, read):
    with sqlite_connection(db_file, "a") as wrapper:
        cursor = wrapper.cursor()
        cursor.execute("INSERT INTO t VALUES (1), (2) RETURNING x")
        assert not lock_is_free(db_file)
        if read == "fetchall":
            cursor.fetchall()
        elif read == "fetchmany":
            assert len(cursor.fetchmany(5)) == 2
        else:
            assert len(list(cursor)) == 2
        assert lock_is_free(db_file)
        cursor.close()


def test_a_queue_dropped_without_being_closed_gives_the_lock_back(db_file):
    queue = WriterQueue.for_database(str(db_file))
    assert queue is not None
    queue.acquire()
    assert not lock_is_free(db_file)
    del queue
    gc.collect()
    assert lock_is_free(db_file)
