"""Each test process's PostgreSQL database, copied from a migrated template rather than migrated.

Applying the migrations to a new database takes about 6 s of one CPU (most of it Django rendering
the models' states, once per migration), and every pytest-xdist worker made its own database that
way at the start of every run. PostgreSQL copies a database in a fraction of a second
(`CREATE DATABASE … TEMPLATE …`), so the migrations are applied once to a template database named
after a digest of every migration file and Django's version (`portal_schema_<digest>`); a worker
then copies it as its test database and lets Django run `migrate`, which finds nothing to apply.
Any change to a migration (ours or an installed app's) or to Django makes a new digest, hence a new
template; templates of other digests are dropped when one is made. The first run on a machine
makes it (the migrations' 6 s, once); a worker that finds another making it waits for it (an
advisory lock). `--create-db` makes the database the usual way; SQLite is untouched.
"""

import hashlib
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import django
from django.apps import apps
from django.db import connections

ROOT = Path(__file__).resolve().parents[1]
LOCK = 7_021_028  # the advisory lock's key: any number no other code of this database's users takes


def migrations_digest() -> str:
    digest = hashlib.sha256(django.get_version().encode())
    for app in sorted(apps.get_app_configs(), key=lambda app: app.label):
        for path in sorted((Path(app.path) / "migrations").glob("*.py")):
            digest.update(f"{app.label}/{path.name}".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _maintenance(settings_dict):
    import psycopg

    return psycopg.connect(
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        user=settings_dict["USER"] or None,
        password=settings_dict["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


def _url(settings_dict, name: str) -> str:
    user = quote(settings_dict["USER"] or "", safe="")
    password = f":{quote(settings_dict['PASSWORD'], safe='')}" if settings_dict["PASSWORD"] else ""
    port = f":{settings_dict['PORT']}" if settings_dict["PORT"] else ""
    return f"postgres://{user}{password}@{settings_dict['HOST']}{port}/{name}"


def _migrate(settings_dict, name: str) -> None:
    """The migrations applied to the database `name`, in a process of its own (as `manage.py migrate`)."""
    env = {**os.environ, "DATABASE_URL": _url(settings_dict, name), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--run-syncdb", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise RuntimeError(f"migrating the template database {name} failed:\n{done.stdout}{done.stderr}")


def copy_test_database() -> str | None:
    """Makes the default connection's test database a copy of the migrated template (made first if
    missing) and returns the test database's name; None where it does not apply (not PostgreSQL)."""
    from psycopg import sql

    settings_dict = connections["default"].settings_dict
    if settings_dict["ENGINE"] != "django.db.backends.postgresql":
        return None
    test_name = settings_dict["TEST"].get("NAME") or f"test_{settings_dict['NAME']}"
    prefix = f"{settings_dict['NAME']}_schema_"
    template = f"{prefix}{migrations_digest()}"
    with _maintenance(settings_dict) as maintenance:
        maintenance.execute("SELECT pg_advisory_lock(%s)", [LOCK])
        try:
            found = maintenance.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template]).fetchone()
            if not found:
                stale = maintenance.execute(
                    "SELECT datname FROM pg_database WHERE starts_with(datname, %s)", [prefix]
                ).fetchall()
                for (name,) in stale:
                    maintenance.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
                # Made under another name and renamed once migrated: a template is whole or absent.
                making = f"{prefix}making"
                maintenance.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(making)))
                try:
                    _migrate(settings_dict, making)
                except BaseException:
                    maintenance.execute(
                        sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(making))
                    )
                    raise
                maintenance.execute(
                    sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
                        sql.Identifier(making), sql.Identifier(template)
                    )
                )
            maintenance.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(test_name))
            )
            maintenance.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(test_name), sql.Identifier(template)
                )
            )
        finally:
            maintenance.execute("SELECT pg_advisory_unlock(%s)", [LOCK])
    return test_name


def drop_test_database(name: str) -> None:
    from psycopg import sql

    settings_dict = connections["default"].settings_dict
    connections.close_all()
    with _maintenance(settings_dict) as maintenance:
        maintenance.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
