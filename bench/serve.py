"""What the HTTP benchmarks share: the portal under gunicorn, a small HTTP client, the login form,
a bounded load at a fixed concurrency, and the arithmetic of the figures.

The load generator is plain Python (threads and http.client) rather than wrk: it stops after a
number of seconds or of requests, gives every request a timeout, and records each answer's status,
so a page that fails or times out is reported as such; the floor is measured by the same client in
the same run, so the client's own cost is in both sides of every ratio.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
CACHE = BENCH / ".cache"
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def collect_static(environment: dict[str, str]) -> None:
    """The production storage needs its manifest: collect (and compress) into bench/.cache/static."""
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput", "--verbosity", "0"],
        env={**os.environ, **environment},
        check=True,
        cwd=ROOT,
    )


@contextlib.contextmanager
def gunicorn(
    environment: dict[str, str], *, workers: int = 2, timeout: int = 30, name: str = "pages"
) -> Iterator[int]:
    """The portal served by gunicorn (sync workers, like production) on a free port; yields the port.
    A request running longer than `timeout` seconds has its worker killed by gunicorn (the client sees
    the connection closed), so no request outlives the run's budget."""
    CACHE.mkdir(exist_ok=True)
    port = free_port()
    log = open(CACHE / f"gunicorn-{name}.log", "w")  # noqa: SIM115 - closed below, after the server
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "portal.wsgi:application",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(workers),
            "--timeout",
            str(timeout),
            "--graceful-timeout",
            "5",
        ],
        env={**os.environ, **environment},
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    previous = signal.signal(signal.SIGTERM, stop_on_sigterm)  # a `kill` of the benchmark stops gunicorn too
    try:
        wait_until_up(port, process)
        yield port
    finally:
        signal.signal(signal.SIGTERM, previous)
        stop(process, log)


@contextlib.contextmanager
def celery_worker(environment: dict[str, str], *, name: str = "pages") -> Iterator[subprocess.Popen]:
    """A Celery worker beside gunicorn, as in production (docker-compose's `worker`): a page queues
    what is too costly for a request (the compliance counts of a province) and shows it once the
    worker has computed it. One process (solo pool), idle while no task waits; tasks left in the
    queue by an earlier run are worked off too, so nothing waits on a message nobody will take."""
    CACHE.mkdir(exist_ok=True)
    log = open(CACHE / f"celery-{name}.log", "w")  # noqa: SIM115 - closed below, after the worker
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool", "solo", "--loglevel", "WARNING"]
        + ["--without-gossip", "--without-mingle", "--without-heartbeat"],
        env={**os.environ, **environment},
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield process
    finally:
        stop(process, log)


def stop(process: subprocess.Popen, log) -> None:
    """End a server the benchmark started (gunicorn, the worker): gently, then by force after 15 s,
    and close its log."""
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log.close()


def stop_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)


def wait_until_up(port: int, process: subprocess.Popen, limit: float = 90) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}: see {CACHE}/gunicorn-*.log")
        with contextlib.suppress(OSError, http.client.HTTPException):
            if fetch(port, "GET", "/healthz", timeout=5).status == 200:
                return
        time.sleep(0.3)
    raise SystemExit("gunicorn did not answer /healthz in time")


@dataclass
class Answer:
    status: int | str  # the HTTP status, or "timeout" / "closed" when there was no answer
    seconds: float
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    expected: int | None = None  # the one status that counts as success (None: any below 400)

    @property
    def ok(self) -> bool:
        if self.expected is not None:
            return self.status == self.expected
        return isinstance(self.status, int) and self.status < 400

    def json(self):
        return json.loads(self.body)

    def cookies(self) -> dict[str, str]:
        jar = SimpleCookie()
        for name, value in self.headers:
            if name.lower() == "set-cookie":
                jar.load(value)
        return {key: morsel.value for key, morsel in jar.items()}


def fetch(
    port: int,
    method: str,
    path: str,
    *,
    headers: dict | None = None,
    body: bytes | None = None,
    timeout: float = 60,
    expected: int | None = None,
) -> Answer:
    """One request on a new connection (gunicorn's sync workers close each one)."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        content = response.read()
        return Answer(
            response.status, time.perf_counter() - started, content, response.getheaders(), expected
        )
    except TimeoutError:
        return Answer("timeout", time.perf_counter() - started, expected=expected)
    except (OSError, http.client.HTTPException):
        return Answer("closed", time.perf_counter() - started, expected=expected)
    finally:
        connection.close()


def login(port: int, username: str, password: str) -> dict[str, str]:
    """Log in through the login form (GET for the CSRF token, POST the form); the session's headers."""
    form = fetch(port, "GET", "/accounts/login/")
    if form.status != 200:
        raise SystemExit(f"the login page answered {form.status}")
    cookies = form.cookies()
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', form.body)
    if not token or "csrftoken" not in cookies:
        raise SystemExit("the login page has no CSRF token")
    answer = fetch(
        port,
        "POST",
        "/accounts/login/",
        headers={
            "Cookie": f"csrftoken={cookies['csrftoken']}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://{HOST}:{port}/accounts/login/",
        },
        body=urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": token.group(1).decode()}
        ).encode(),
    )
    session = answer.cookies().get("sessionid")
    if answer.status != 302 or not session:
        raise SystemExit(f"logging in as {username} failed: {answer.status}")
    return {"Cookie": f"csrftoken={cookies['csrftoken']}; sessionid={session}"}


@dataclass
class Window:
    """One stretch of load: every answer and the wall time from the first request to the last answer."""

    answers: list[Answer]
    seconds: float

    @property
    def ok(self) -> list[Answer]:
        return [a for a in self.answers if a.ok]

    @property
    def rate(self) -> float:
        return len(self.ok) / self.seconds if self.seconds else 0.0


def load(
    task: Callable[[int], list[Answer]],
    *,
    concurrency: int,
    seconds: float | None = None,
    count: int | None = None,
) -> Window:
    """Run `task(i)` for i = 0, 1, ... from `concurrency` threads, until `count` tasks have been taken or
    `seconds` have passed (no task starts after that; the ones running finish)."""
    started = time.perf_counter()
    deadline = started + seconds if seconds is not None else None
    answers: list[Answer] = []
    taken = iter(range(count) if count is not None else iter(int, 1))
    lock = threading.Lock()

    def worker() -> None:
        while deadline is None or time.perf_counter() < deadline:
            with lock:
                index = next(taken, None)
            if index is None:
                return
            result = task(index)
            with lock:
                answers.extend(result)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Window(answers, time.perf_counter() - started)


def percentile(values: list[float], fraction: float) -> float | None:
    """The nearest-rank percentile (None for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))]


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def statuses(answers: list[Answer]) -> str:
    """'500×3, timeout×1' for the answers that failed ('' when none did)."""
    failed = Counter(str(a.status) for a in answers if not a.ok)
    return ", ".join(f"{status}×{n}" for status, n in sorted(failed.items()))
