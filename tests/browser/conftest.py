"""Browser tests: the server Chromium talks to, and where their screenshots go.

`server` (not pytest-django's `live_server`) serves the portal inside the test's transaction.
`live_server` makes a test transactional: Django flushes the database after it and the shared
levels (tests/conftest.py) are made again before the next test, ~0.4 s a test on SQLite and ~4 s
on PostgreSQL, more than most of these tests take. `server` instead hands the test's own database
connection to its request threads, as Django itself does for an in-memory SQLite database: the
server sees what the test made, the test sees what the pages saved, and the rollback at the end
undoes both. Requests are handled one at a time on that connection, and the test's own queries
wait for a request in flight. What differs from a transactional test: `transaction.on_commit`
callbacks (core/outbox.py) never run, as in any `django_db` test, and no browser test looks at
what they do.
"""

import threading
from contextlib import ExitStack
from pathlib import Path

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.servers.basehttp import ThreadedWSGIServer
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connections
from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


class Gate:
    """Lets one request at a time use the test's connection, and none between tests."""

    def __init__(self):
        self.lock = threading.RLock()
        self.open = False


class OneRequestAtATime:
    """WSGI wrapper: runs a request to the end (body and close included) holding the gate's lock,
    without Django's check of old connections, which closes any connection found outside
    autocommit: here, the test's, in the middle of its transaction. Between tests (a page left
    open still fetching, the rollback under way) it answers 503 without touching the database."""

    def __init__(self, application, gate: Gate):
        self.application = application
        self.gate = gate

    def __call__(self, environ, start_response):
        with self.gate.lock:
            if not self.gate.open:
                start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
                return [b"no test is running"]
            request_started.disconnect(close_old_connections)
            request_finished.disconnect(close_old_connections)
            try:
                response = self.application(environ, start_response)
                try:
                    body = b"".join(response)
                finally:
                    if hasattr(response, "close"):
                        response.close()  # sends request_finished
            finally:
                request_started.connect(close_old_connections)
                request_finished.connect(close_old_connections)
        return [body]


class SharedConnectionServer(ThreadedWSGIServer):
    """A thread per browser connection (Chromium opens several), each on the test's connections
    (`connections_override`), which it must not close when a request ends."""

    gate: Gate

    def set_app(self, application):
        super().set_app(OneRequestAtATime(application, self.gate))

    def _close_connections(self):
        pass


class SharedConnectionServerThread(LiveServerThread):
    """Django's live server thread serving through SharedConnectionServer. This thread itself keeps
    its own connections (it closes them when it ends), so it takes no `connections_override`."""

    def __init__(self, shared: dict, gate: Gate):
        super().__init__("localhost", StaticFilesHandler)
        self.shared = shared
        self.gate = gate
        self.daemon = True

    def _create_server(self, connections_override=None):
        server = SharedConnectionServer(
            (self.host, self.port),
            QuietWSGIRequestHandler,
            allow_reuse_address=False,
            connections_override=self.shared,
        )
        server.gate = self.gate
        return server

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


@pytest.fixture(scope="session")
def server_thread(django_db_setup):
    """One server for the process, on the main thread's connections (the tests' connections)."""
    shared = {connection.alias: connection for connection in connections.all()}
    thread = SharedConnectionServerThread(shared, Gate())
    for connection in shared.values():
        connection.inc_thread_sharing()
    thread.start()
    thread.is_ready.wait()
    try:
        if thread.error:
            raise thread.error
        yield thread
    finally:
        thread.terminate()
        for connection in shared.values():
            connection.dec_thread_sharing()


@pytest.fixture
def server(server_thread, db, settings) -> SharedConnectionServerThread:
    """The portal served inside the test's transaction (see the module docstring); `.url`."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, server_thread.host]
    gate = server_thread.gate

    def one_at_a_time(execute, sql, params, many, context):
        with gate.lock:  # the test's queries wait for a request in flight (which holds it already)
            return execute(sql, params, many, context)

    with ExitStack() as wrappers:
        for connection in server_thread.shared.values():
            wrappers.enter_context(connection.execute_wrapper(one_at_a_time))
        with gate.lock:
            gate.open = True
        try:
            yield server_thread
        finally:
            with gate.lock:  # waits for a request in flight; later ones get 503 until the next test
                gate.open = False


@pytest.fixture
def screenshots() -> Path:
    """artifacts/screenshots/, kept after the run for people to look at. Every test names its files
    after itself (and its parameters), so tests running in parallel xdist workers never write the
    same file."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
