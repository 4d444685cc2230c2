"""Rows that the tests of one module share: made once for the module, not once per test.

Running `seed_demo` or loading the five programmes costs seconds; most tests only read the result.
A module that shares such rows (tests/portal/test_seed_demo.py, tests/test_programmes.py) keeps one
`SharedRows` and wires it with three fixtures (see those modules):

* `module_transaction` (module scope, autouse): the module's tests run inside one transaction, rolled
  back when the module ends (per process: under pytest-xdist each worker that runs some of the
  module's tests has its own). Each test's own transaction (`django_db`) nests in it as a savepoint,
  so what a test changes still comes back for the next one. The registry levels of tests/conftest.py
  are hidden once, inside it: no test of such a module may request a level (nor be transactional).

* A module fixture that makes the shared rows with `SharedRows.make`, in that transaction, and
  records the tables they filled (which must have been empty).

* `only_requested_registry`, overriding the conftest's (whose level checks would find the shared rows,
  Dongguan and users named like the demo's, and delete them): a test that did not request the shared
  rows sees none of them, as it would have without sharing. Their tables are emptied inside its own
  transaction, whose rollback brings them back.
"""

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test import override_settings

from tests.conftest import REGISTRY_LEVELS, hide_levels, row_counts
from tests.helpers import cache_as_committed


class SharedRows:
    """One module's shared rows: the tables each fixture's rows filled, while the module runs."""

    def __init__(self) -> None:
        self.filled: dict[str, list[str]] = {}

    def module_transaction(self, django_db_blocker) -> Iterator[None]:
        """The module's transaction (the body of its `module_transaction` fixture)."""
        with django_db_blocker.unblock():
            atomic = transaction.atomic()
            atomic.__enter__()
        try:
            with django_db_blocker.unblock():
                hide_levels(list(REGISTRY_LEVELS))
            yield
        finally:
            with django_db_blocker.unblock():
                transaction.set_rollback(True)
                atomic.__exit__(None, None, None)
            self.filled.clear()

    def make(self, name: str, django_db_blocker, media_root: Path, make: Callable[[], Any]) -> Any:
        """Runs `make` once in the module's transaction, with its own cache keys and media directory
        (a test's are its own), and returns what it returns; `name` is the fixture's."""
        assert connection.in_atomic_block, f"{name} needs the module's transaction (module_transaction)"
        caches = {
            **settings.CACHES,
            "default": {**settings.CACHES["default"], "KEY_PREFIX": f"shared-{uuid.uuid4().hex[:12]}"},
        }
        with django_db_blocker.unblock():
            with override_settings(MEDIA_ROOT=media_root, CACHES=caches), transaction.atomic():
                # In a savepoint: a failure leaves no half-made rows behind.
                before = row_counts()
                with cache_as_committed():  # the shared rows are as if committed before the tests
                    result = make()
                after = row_counts()
                # Checks the deferred foreign keys now: PostgreSQL refuses to TRUNCATE a table with
                # checks pending (see hide_unrequested).
                connection.check_constraints()
            filled = {table for table, rows in after.items() if rows != before.get(table)}
            not_empty = {table: before[table] for table in filled if before.get(table)}
            assert not not_empty, (
                f"{name} filled tables that had rows (they could not be hidden): {not_empty}"
            )
            # Emptied with them: the tables that refer to them (PostgreSQL truncates none without those).
            tables = filled | referring_to(filled)
        not_empty = {table: after[table] for table in tables - filled if after.get(table)}
        assert not not_empty, f"tables that refer to {name}'s have rows of their own: {not_empty}"
        others = {table for other in self.filled.values() for table in other}
        assert not others & tables, f"{name} fills tables of other shared rows: {others & tables}"
        self.filled[name] = sorted(tables)
        return result

    def hide_unrequested(self, request) -> None:
        """Empties, inside the test's transaction, the tables of the shared rows it did not request."""
        levels = set(REGISTRY_LEVELS) & set(request.fixturenames)
        assert not levels, f"the registry levels {levels} cannot be had here: the module shares its own rows"
        unrequested = [name for name in self.filled if name not in request.fixturenames]
        if not unrequested:
            return
        request.getfixturevalue("db")  # the test's transaction (already open for django_db tests)
        tables = [table for name in unrequested for table in self.filled[name]]
        # DELETE on SQLite, TRUNCATE on PostgreSQL: its triggers refuse to delete submitted reports
        # and their versions row by row, but TRUNCATE fires no row triggers.
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in connection.ops.sql_flush(no_style(), tables):
                cursor.execute(statement)


def referring_to(tables: set[str]) -> set[str]:
    """The tables whose foreign keys lead, directly or through others, to `tables`."""
    with connection.cursor() as cursor:
        targets = {
            table: {
                target for _column, target in connection.introspection.get_relations(cursor, table).values()
            }
            for table in connection.introspection.table_names(cursor)
        }
    found: set[str] = set()
    while True:
        more = {table for table, to in targets.items() if to & (tables | found)} - tables - found
        if not more:
            return found
        found |= more
