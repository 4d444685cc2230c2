"""Benchmark: the main pages of every role at province scale, each against the floor.

    .venv/bin/python bench/pages.py [--pairings 10000] [--seconds 1] [--rounds 3] [--role bureau] [--page "review queue"]

1. Builds once, or reuses, the province data (bench/data.py, database portal_bench_<N>) and the
   Dongguan database (8 pairings: the fixtures, seed_demo's users, activity and reports).
2. Counts the SQL queries of every page in-process (django.test.Client, CaptureQueriesContext) at 8
   pairings and at N, in fresh processes side by side, before any load: the counts are apart from
   the timed requests.
3. Serves the portal with gunicorn (2 sync workers, bench/settings.py: PORTAL_ENV=production over
   plain HTTP) and logs in as each role (bureau, commander, a town liaison, a university's liaison)
   through the login form.
4. For each page: two warm-up requests (a page that errors or times out is reported with its status
   and not loaded), then, where the page shows counts a worker computes (a Celery worker runs beside
   gunicorn, as in production), until it shows them, then up to ROUNDS rounds of the page for SECONDS at concurrency 8 followed by the
   floor (bench/urls.py: the same login, one query) for SECONDS at concurrency 8: ABAB... in the same
   run, so both see the same machine. No round starts that would take the page past BUDGET seconds.

The page cache is on, as in production with Redis (core/page_cache.py): the load asks for the same
page again and again with nothing written meanwhile, so after its first request a page is served whole
from the cache, which is what a reader re-reading an unchanged month gets. `--no-page-cache` renders
every request afresh: what a page costs the first time after a write.

Prints one line per page: the status, p50 and p95 latency (ms) and requests/s under that load, the
ratio (the median over rounds of the floor's requests/s divided by the page's: how many floor
requests the server answers in the time of one page), how long the page took alone in-process while
its queries were counted (indicative: the counting processes run side by side), and its queries at
8 pairings and at N. gunicorn cuts off a request running longer than --timeout seconds (10): the
page then shows "timeout" (an error shows its status) and the run goes on.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import data  # noqa: E402
from bench.serve import (  # noqa: E402
    Window,
    celery_worker,
    collect_static,
    fetch,
    gunicorn,
    load,
    login,
    median,
    percentile,
    statuses,
)

CONCURRENCY = 8
# role: (username at N pairings, username in the Dongguan data)
ROLES = {
    "bureau": ("bureau", "bureau"),
    "commander": ("commander", "commander"),
    "town": ("town-00001", "town-changan"),
    "liaison": ("liaison-u00001", "liaison-dgut"),
}
EVERYONE = set(ROLES)
READERS = {"bureau", "commander", "town"}
# page: (path, roles that open it); {pairing} is the role's first pairing, {month} the data's last month
PAGES = {
    "pairing list": ("/pairings/", READERS),
    "pairing detail": ("/pairings/{pairing}/", EVERYONE),
    "compliance": ("/pairings/compliance/", READERS),
    "review queue": ("/reports/queue/", READERS),
    "status table": ("/reports/status/", READERS),
    "dashboard": ("/dashboard/", {"bureau", "commander"}),
    "liaison home": ("/", {"liaison"}),
    "report list": ("/reports/", {"liaison"}),
    "api pairings": ("/api/v1/pairings/", EVERYONE),
    "api reports": ("/api/v1/reports/", EVERYONE),
    "api month": ("/api/v1/months/{month}/", READERS),
}
FLOOR = "/bench/floor/"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairings", type=int, default=10000)
    parser.add_argument("--database-url", help="default: BENCH_DATABASE_URL or portal_bench_<pairings>")
    parser.add_argument("--seconds", type=float, default=1.0, help="length of each page or floor stretch")
    parser.add_argument("--rounds", type=int, default=3, help="page/floor rounds per page (ABAB...)")
    parser.add_argument("--budget", type=float, default=15, help="seconds of rounds per page, at most")
    parser.add_argument("--timeout", type=int, default=10, help="gunicorn cuts off a request after this long")
    parser.add_argument("--role", action="append", choices=list(ROLES), help="only these roles (repeatable)")
    parser.add_argument("--page", action="append", choices=list(PAGES), help="only these pages (repeatable)")
    parser.add_argument("--no-counts", action="store_true", help="skip counting queries")
    parser.add_argument(
        "--changes-per-second",
        type=float,
        default=0,
        help="count the data's version up this often during the run, as that many committed writes "
        "would (each makes every kept page render afresh once)",
    )
    parser.add_argument(
        "--no-page-cache",
        action="store_true",
        help="serve every page afresh (PAGE_CACHE=0): what a page costs the first time after a change",
    )
    parser.add_argument("--count-queries", help=argparse.SUPPRESS)  # internal: JSON of one database
    args = parser.parse_args()
    if args.count_queries:
        print(json.dumps(count_queries(**json.loads(args.count_queries))))
        return

    started = time.perf_counter()
    dataset = data.prepare(pairings=args.pairings, database_url=args.database_url)
    roles = args.role or list(ROLES)
    pages = [(page, role) for role in roles for page, (_path, who) in PAGES.items() if role in who]
    pages = [(page, role) for page, role in pages if not args.page or page in args.page]
    environment = data.environment_for(dataset.database_url)
    if args.no_page_cache:
        environment["PAGE_CACHE"] = "0"
    collect_static(environment)  # the production storage's manifest, for the counts and for gunicorn
    wanted = sorted({page for page, _role in pages})
    dongguan = data.sibling_url(dataset.database_url, "portal_bench_dongguan")
    month = str(dataset.last_month)
    # Side by side: the N-pairing counts in two processes (bureau and commander, the slow ones, apart)
    # and the Dongguan counts in a third; no load runs meanwhile.
    halves = [half for half in (roles[0::2], roles[1::2]) if half]
    jobs = [start_counting(dataset.database_url, month, half, wanted, not args.no_counts) for half in halves]
    small_job = None if args.no_counts else start_counting(dongguan, None, roles, wanted, True)
    big = {role: found for job in jobs for role, found in finish_counting(job).items()}
    small = finish_counting(small_job) if small_job else {}
    print(
        f"\npages at {dataset.pairings} pairings ({data.database_name(dataset.database_url)}, data of {dataset.month}); "
        f"gunicorn 2 sync workers, concurrency {CONCURRENCY}, {args.rounds}×({args.seconds:g} s page + "
        f"{args.seconds:g} s floor), timeout {args.timeout} s, "
        f"page cache {'off' if args.no_page_cache else 'on'}"
        + (f", {args.changes_per_second:g} changes/s" if args.changes_per_second else ""),
        flush=True,
    )
    print(header(dataset.pairings), flush=True)
    floors: list[Window] = []
    with (
        celery_worker(environment),
        gunicorn(environment, timeout=args.timeout, name="pages") as port,
        changes(args.changes_per_second),
    ):
        sessions = {role: login(port, ROLES[role][0], data.PASSWORD) for role in roles}
        for page, role in pages:
            found = big[role][page]
            # The status the test client saw is the one expected: a login redirect is no fast page.
            line, floor_windows = measure(port, sessions[role], found["url"], found.get("status", 200), args)
            floors.extend(floor_windows)
            small_count = small.get(role, {}).get(page, {})
            print(row(role, page, line, small_count, found), flush=True)
    answers = [a for w in floors for a in w.answers]
    latencies = [a.seconds for a in answers if a.ok]
    print(
        f"floor {FLOOR} overall: p50 {ms(percentile(latencies, 0.5))} ms, p95 {ms(percentile(latencies, 0.95))} ms, "
        f"{sum(len(w.ok) for w in floors) / max(sum(w.seconds for w in floors), 1e-9):.0f} req/s"
        + (f", errors {statuses(answers)}" if statuses(answers) else "")
    )
    print(f"total {time.perf_counter() - started:.0f} s")


@contextlib.contextmanager
def changes(per_second: float):
    """What `per_second` committed writes do to the kept pages, without the writes' own cost: the data's
    version counted up (core/page_cache.py) from a thread of this process, through the same cache."""
    if not per_second:
        yield
        return
    from core.cache import _increment
    from core.page_cache import VERSION_NAME

    stop = threading.Event()

    def count_up():
        while not stop.wait(1 / per_second):
            _increment(VERSION_NAME)

    thread = threading.Thread(target=count_up, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def measure(port: int, session: dict, url: str, expected: int, args) -> tuple[dict, list[Window]]:
    """Warm up, then page/floor rounds; the page's figures and the floor windows."""

    def get(path, status=200):
        return lambda _index: [
            fetch(port, "GET", path, headers=session, timeout=args.timeout * 5, expected=status)
        ]

    warm = load(get(url, expected), concurrency=2, count=2)
    if not all(a.ok for a in warm.answers):
        return {"status": failures(warm.answers, args.timeout)}, []
    status = warm.answers[0].status
    wait_for_the_counts(get(url, expected), url)
    pages, floors, ratios = [], [], []
    began = time.perf_counter()
    for _round in range(args.rounds):
        round_began = time.perf_counter()
        page = load(get(url, expected), concurrency=CONCURRENCY, seconds=args.seconds)
        floor = load(get(FLOOR), concurrency=CONCURRENCY, seconds=args.seconds)
        pages.append(page)
        floors.append(floor)
        if page.rate:
            ratios.append(floor.rate / page.rate)
        now = time.perf_counter()
        if now - began + (now - round_began) > args.budget:  # another round would pass the budget
            break
    answers = [a for w in pages for a in w.answers]
    latencies = [a.seconds for a in answers if a.ok]
    failed = failures(answers, args.timeout)
    return {
        "status": str(status) + (f" {failed}" if failed else ""),
        "p50": percentile(latencies, 0.5),
        "p95": percentile(latencies, 0.95),
        "rate": sum(len(w.ok) for w in pages) / sum(w.seconds for w in pages),
        "ratio": median(ratios),
        "rounds": len(pages),
    }, floors


# What a page shows while the worker has yet to count (pairing/selectors.py compliance_overview).
COUNTING = [
    "The pairings are being counted; refresh in a minute.",
    "counted at %(at)s; being counted again",
]
COUNTS_WAIT = 600  # seconds: the worker's count of 10,000 pairings takes well under a minute


def wait_for_the_counts(request, url: str) -> None:
    """Until the page shows the worker's counts rather than "being counted" (the compliance matrix and
    the dashboard, the first time they are opened at a version of the registry), as a user who comes
    back a minute later sees it: the load then measures the page people read, not the placeholder."""
    from django.utils.translation import gettext, override

    markers = set()
    for language in ("zh-hans", "en"):
        with override(language):
            markers.update(gettext(text).split("%(at)s")[-1].encode() for text in COUNTING)
    began = time.perf_counter()
    while any(marker in request(0)[0].body for marker in markers):
        if time.perf_counter() - began > COUNTS_WAIT:
            print(f"  {url}: still being counted after {COUNTS_WAIT} s; measured as it is", flush=True)
            return
        time.sleep(1)
    if time.perf_counter() - began > 1:
        print(f"  {url}: waited {time.perf_counter() - began:.0f} s for the worker's counts", flush=True)


def failures(answers, timeout: int) -> str:
    """The failed answers by status. gunicorn cuts a request off at the timeout with a 500 of its own
    (or a closed connection): a failure that took that long is named a timeout."""
    for answer in answers:
        if answer.status in {500, 502, "closed"} and answer.seconds >= timeout * 0.9:
            answer.status = "timeout"
    return statuses(answers)


def ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.0f}"


def header(pairings: int) -> str:
    return (
        f"{'role':<10}{'page':<16}{'status':<16}{'p50 ms':>8}{'p95 ms':>8}{'req/s':>7}{'×floor':>8}"
        f"{'rounds':>7}{'alone ms':>9}{'queries@8':>10}{f'queries@{pairings}':>15}  url"
    )


def row(role: str, page: str, line: dict, small: dict, big: dict) -> str:
    rate = f"{line['rate']:.1f}" if "rate" in line else "-"
    ratio = f"{line['ratio']:.0f}" if line.get("ratio") else "-"
    return (
        f"{role:<10}{page:<16}{line['status']:<16}{ms(line.get('p50')):>8}{ms(line.get('p95')):>8}{rate:>7}"
        f"{ratio:>8}{line.get('rounds', 0):>7}{ms(big.get('seconds')):>9}{query_cell(small):>10}"
        f"{query_cell(big):>15}  {big['url']}"
    )


def query_cell(found: dict) -> str:
    if "queries" not in found:
        return "-"
    if found["status"] == 200:
        return str(found["queries"])
    return f"{found['queries']} ({found['status']})"


def start_counting(url: str, month: str | None, roles: list[str], pages: list[str], count: bool):
    """A fresh process that finds each page's URL for each role in that database and, when `count`,
    requests it once with the test client, counting its queries. Returns (process, database name)."""
    data.ensure_database(url)
    request = {"url": url, "month": month, "roles": roles, "pages": pages, "count": count}
    print(f"counting queries of {', '.join(roles) or 'nobody'} in {data.database_name(url)} ...", flush=True)
    # Its own cache prefix, empty at the start: the counts of both databases are those of a cold cache
    # (the two counting processes share the Redis database and would otherwise read each other's keys).
    prefix = f"count-{data.database_name(url)}-{os.getpid()}-{time.time_ns()}"
    process = subprocess.Popen(
        [sys.executable, __file__, "--count-queries", json.dumps(request)],
        env={**os.environ, **data.environment_for(url), "BENCH_CACHE_PREFIX": prefix},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return process, data.database_name(url)


def finish_counting(job) -> dict:
    process, name = job
    out, err = process.communicate()
    if process.returncode:
        raise SystemExit(f"counting queries in {name} failed:\n{err[-3000:]}")
    return json.loads(out.strip().splitlines()[-1])


def count_queries(*, url: str, month: str | None, roles: list[str], pages: list[str], count: bool) -> dict:
    """In this (fresh) process: the queries each page runs for each role, with the test client."""
    data.setup_django(url)
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from core.months import Month
    from pairing.selectors import pairings_visible_to

    dongguan = month is None
    if dongguan:  # the Dongguan fixtures, seed_demo's users of each role, activity and reports (once)
        call_command("migrate", verbosity=0)
        if not User.objects.filter(username="liaison-dgut").exists():
            call_command("seed_demo", password=data.PASSWORD, verbosity=0, stdout=io.StringIO())
        month = str(Month.current().previous())
    found: dict = {}
    caches = settings.CACHES

    def cold_cache(name: str) -> None:
        """A cache of its own, empty, whatever this process counted before (the bureau's and the
        commander's figures share a scope, and the compliance matrix and the API's pairings share
        their verdicts): every count is a cold request's."""
        cold = {**caches["default"], "KEY_PREFIX": f"{caches['default']['KEY_PREFIX']}-{name}"}
        override_settings(CACHES={**caches, "default": cold}).enable()

    for role in roles:
        cold_cache(role)
        user = User.objects.get(username=ROLES[role][1 if dongguan else 0])
        pairing = pairings_visible_to(user).order_by("number").values_list("pk", flat=True).first()
        client = Client(raise_request_exception=False)
        client.force_login(user)
        client.get(FLOOR)  # the process's first request warms what every request shares
        found[role] = {}
        for page, (path, who) in PAGES.items():
            if role not in who or page not in pages:
                continue
            url = path.format(pairing=pairing, month=month)
            if not count:
                found[role][page] = {"url": url}
                continue
            cold_cache(f"{role}-{page}")
            client.get(FLOOR)  # the session and the user, cached per process, read again
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            found[role][page] = {
                "url": url,
                "status": response.status_code,
                "queries": len(queries.captured_queries),
                "seconds": round(time.perf_counter() - started, 3),
            }
    return found


if __name__ == "__main__":
    main()
