"""Benchmark: the deadline rush. N liaisons submit this month's report through the API at once.

    .venv/bin/python bench/rush.py [--pairings 10000] [--liaisons 4500] [--concurrency 16] [--budget 240]

Each run starts from a fresh copy of the province data (CREATE DATABASE ... TEMPLATE
portal_bench_<N>, dropped afterwards unless --keep), because submitted reports and their versions
are kept for good and cannot be deleted. In the copy, N school liaisons whose report for this month
is not started get an API token. gunicorn (2 sync workers, bench/settings.py) serves the copy, and
16 threads play the liaisons, each one after the other's steps, as the API's clients do:

    POST  /api/v1/reports/               {"pairing": id, "month": "YYYY-MM"}   start (201)
    PATCH /api/v1/reports/<id>/          {"version": v, "values": {...}, ...}  save the draft (200)
    POST  /api/v1/reports/<id>/submit/                                          submit (200)

The liaisons go in BATCHES (20); after each batch the same number of requests, with the same tokens
and concurrency, go to the API floor (bench/urls.py: DRF, token authentication, one query), so the
rush and its floor alternate (ABAB...) and the ratio is the median over batches of the floor's
requests/s divided by the rush's. No batch starts once the rush has run for BUDGET seconds (240;
0 for no limit), so a slow API still ends the run in minutes: the output says how many liaisons went.

Prints submits/s (successful submits over the rush's own time), p50/p95 of each step and of a
liaison's whole submission, errors by step and status, the floor ratio, and then what the database
holds: lost (a submit answered 200 whose report is not submitted), duplicated (more than one report
for a school, pairing and month, or more versions than the steps answered 2xx) and missing versions.
"""

from __future__ import annotations

import argparse
import calendar
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import data  # noqa: E402
from bench.serve import Answer, fetch, gunicorn, load, median, percentile, statuses  # noqa: E402

STEPS = ("start", "save", "submit")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairings", type=int, default=10000)
    parser.add_argument("--database-url", help="default: BENCH_DATABASE_URL or portal_bench_<pairings>")
    parser.add_argument("--liaisons", type=int, default=4500)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--batches", type=int, default=20, help="rush/floor alternations")
    parser.add_argument(
        "--budget", type=float, default=240, help="no new batch after this many seconds of rush (0: no limit)"
    )
    parser.add_argument("--timeout", type=int, default=30, help="gunicorn cuts off a request after this long")
    parser.add_argument("--keep", action="store_true", help="keep the copy of the database afterwards")
    args = parser.parse_args()
    started = time.perf_counter()

    dataset = data.prepare(pairings=args.pairings, database_url=args.database_url)
    copy_url = copy_database(dataset.database_url)
    try:
        run(args, dataset, copy_url)
    finally:
        from django.db import connection

        connection.close()
        if not args.keep:
            with data.admin_connection(copy_url) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{data.database_name(copy_url)}"')
    print(
        f"total {time.perf_counter() - started:.0f} s"
        + (f"; kept {data.database_name(copy_url)}" if args.keep else "")
    )


def copy_database(url: str) -> str:
    """A fresh copy of the built data for this run; Django is pointed at it."""
    from django.db import connection

    source, copy = data.database_name(url), f"{data.database_name(url)}_rush"
    connection.close()
    began = time.perf_counter()
    with data.admin_connection(url) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{copy}"')
        try:
            admin.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{source}"')
        except Exception as error:  # e.g. pages.py is reading the source right now
            raise SystemExit(f"could not copy {source} (is another benchmark using it?): {error}") from None
    print(f"copied {source} to {copy} in {time.perf_counter() - began:.0f} s", flush=True)
    connection.settings_dict["NAME"] = copy
    return data.sibling_url(url, copy)


def liaisons_to_rush(count: int, seed: int = 12):
    """(token, pairing id, month, school id) for `count` liaisons whose report this month is not started."""
    from django.contrib.auth.models import User
    from rest_framework.authtoken.models import Token

    from bench.data import CODE
    from core.months import Month
    from pairing.models import Pairing
    from reporting.expectations import State, expected_rows

    month = Month.current()
    rows = expected_rows(
        month,
        pairings=Pairing.objects.filter(programme__code=CODE),
        states=[State.NOT_STARTED, State.MISSING],
    )
    chosen = {}
    for row in rows.iterator():
        if row["report_id"] is None:
            chosen.setdefault(row["school_id_"], row["pairing_id_"])  # one report per liaison
    schools = sorted(chosen)
    random.Random(seed).shuffle(schools)  # the rush comes from all over the province
    schools = schools[:count]
    users = dict(
        User.objects.filter(groups__name="liaison", profile__school_id__in=schools).values_list(
            "profile__school_id", "pk"
        )
    )
    Token.objects.filter(user_id__in=users.values()).delete()
    tokens = Token.objects.bulk_create(Token(key=Token.generate_key(), user_id=users[s]) for s in schools)
    return month, [(token.key, chosen[school], school) for token, school in zip(tokens, schools, strict=True)]


def run(args, dataset, copy_url: str) -> None:
    from django.db import connection

    from bench.data import CODE, INDICATORS, NARRATIVES
    from pairing.models import Programme

    month, plans = liaisons_to_rush(args.liaisons)
    # The kinds of cooperation the programme has: the API refuses a narrative of any other kind.
    kinds = {code for code, _name in Programme.objects.get(code=CODE).category_choices()}
    days = calendar.monthrange(month.year, month.month)[1]
    if len(plans) < args.liaisons:
        print(f"note: only {len(plans)} liaisons have this month's report still to start", flush=True)
    connection.close()  # gunicorn's workers and this process share the copy from here
    environment = data.environment_for(copy_url)
    outcomes: list[dict] = [{} for _ in plans]
    rng = random.Random(5)
    drafts = [
        {
            "values": {
                # a count of days no more than the month has (reporting.models.Indicator.maximum_in)
                code: str(rng.randrange(0, min(maximum or 40, 40, days if unit == "天" else 40) + 1))
                for code, _zh, _en, unit, _kind, maximum, _required in INDICATORS
            },
            "narratives": {
                kind: text for kind, text in NARRATIVES.items() if kind in kinds and rng.random() < 0.6
            },
            "difficulties": "",
            "next_month_plan": "继续开展驻村服务。",
        }
        for _ in range(20)
    ]

    def liaison(port):
        def submit(index: int) -> list[Answer]:
            token, pairing, _school = plans[index]
            headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
            outcome, answers = outcomes[index], []

            def step(name, method, path, body):
                answer = fetch(
                    port,
                    method,
                    path,
                    headers=headers,
                    body=json.dumps(body).encode(),
                    timeout=args.timeout * 4,
                )
                answer.step = name
                outcome[name] = answer.status
                answers.append(answer)
                return answer if answer.ok else None

            began = time.perf_counter()
            started = step("start", "POST", "/api/v1/reports/", {"pairing": pairing, "month": str(month)})
            if started:
                report = started.json()
                outcome["report"] = report["id"]
                saved = step(
                    "save",
                    "PATCH",
                    f"/api/v1/reports/{report['id']}/",
                    {"version": report["version"], **drafts[index % 20]},
                )
                if saved:
                    step("submit", "POST", f"/api/v1/reports/{report['id']}/submit/", {})
            if outcome.get("submit") == 200:
                outcome["seconds"] = time.perf_counter() - began
            return answers

        return submit

    def floor(port):
        def three(index: int) -> list[Answer]:
            headers = {"Authorization": f"Token {plans[index][0]}", "Content-Type": "application/json"}
            answers = []
            for method in ("POST", "PATCH", "POST"):
                answer = fetch(
                    port, method, "/bench/api-floor/", headers=headers, body=b"{}", timeout=args.timeout * 4
                )
                answers.append(answer)
            return answers

        return three

    size = max(1, -(-len(plans) // args.batches))
    rush_windows, floor_windows, ratios = [], [], []
    print(
        f"\nrush at {dataset.pairings} pairings: {len(plans)} liaisons submit {month} through the API, "
        f"concurrency {args.concurrency}, {args.batches} batches alternating with the API floor; gunicorn 2 sync workers",
        flush=True,
    )
    with gunicorn(environment, timeout=args.timeout, name="rush") as port:
        fetch(port, "POST", "/bench/api-floor/", headers={"Authorization": f"Token {plans[0][0]}"})  # warm up
        submit_task, floor_task = liaison(port), floor(port)
        for first in range(0, len(plans), size):
            if args.budget and sum(w.seconds for w in rush_windows) >= args.budget:
                print(
                    f"  stopped at the budget ({args.budget:g} s of rush): {first} of {len(plans)} liaisons went"
                )
                break
            batch = list(range(first, min(first + size, len(plans))))
            rush = load(lambda i, b=batch: submit_task(b[i]), concurrency=args.concurrency, count=len(batch))
            base = load(lambda i, b=batch: floor_task(b[i]), concurrency=args.concurrency, count=len(batch))
            rush_windows.append(rush)
            floor_windows.append(base)
            if rush.rate:
                ratios.append(base.rate / rush.rate)
            submitted = sum(1 for i in batch if outcomes[i].get("submit") == 200)
            print(
                f"  batch {len(rush_windows)}: {submitted}/{len(batch)} submitted in {rush.seconds:.1f} s, "
                f"floor {base.seconds:.1f} s",
                flush=True,
            )
    report(args, plans, outcomes, rush_windows, floor_windows, ratios, month)


def report(args, plans, outcomes, rush_windows, floor_windows, ratios, month) -> None:
    answers = [a for w in rush_windows for a in w.answers]
    rush_seconds = sum(w.seconds for w in rush_windows)
    submits = sum(1 for o in outcomes if o.get("submit") == 200)
    went = sum(1 for outcome in outcomes if outcome)
    print(
        f"\nsubmits/s {submits / rush_seconds:.1f}  ({submits} of {went} liaisons submitted in {rush_seconds:.1f} s)"
    )
    print(f"requests/s {len([a for a in answers if a.ok]) / rush_seconds:.1f}  (all three steps)")
    for name in STEPS:
        mine = [a for a in answers if a.step == name]
        latencies = [a.seconds for a in mine if a.ok]
        print(
            f"  {name:<7} {len(mine):>6} requests  p50 {ms(percentile(latencies, 0.5)):>6} ms  "
            f"p95 {ms(percentile(latencies, 0.95)):>6} ms  errors {statuses(mine) or 0}"
        )
    flows = [o["seconds"] for o in outcomes if "seconds" in o]
    print(
        f"  a liaison's three steps: p50 {ms(percentile(flows, 0.5))} ms, p95 {ms(percentile(flows, 0.95))} ms"
    )
    floor_answers = [a for w in floor_windows for a in w.answers]
    floor_latencies = [a.seconds for a in floor_answers if a.ok]
    print(
        f"floor (DRF, token, one query; as many requests): "
        f"{len(floor_latencies) / sum(w.seconds for w in floor_windows):.0f} req/s, "
        f"p50 {ms(percentile(floor_latencies, 0.5))} ms, p95 {ms(percentile(floor_latencies, 0.95))} ms"
        + (f", errors {statuses(floor_answers)}" if statuses(floor_answers) else "")
    )
    ratio = median(ratios)
    print(f"ratio to the floor (median of {len(ratios)} batches): {ratio:.1f}" if ratio else "ratio: -")
    check_database(plans, outcomes, month)


def check_database(plans, outcomes, month) -> None:
    """What the database holds after the rush: nothing lost, nothing twice."""
    from django.db.models import Count

    from reporting.models import MonthlyReport, ReportVersion

    went = [(plan, outcome) for plan, outcome in zip(plans, outcomes, strict=True) if outcome]
    schools = [school for (_token, _pairing, school), _outcome in went]
    pairs = {(pairing, school) for (_token, pairing, school), _outcome in went}
    reports = {
        (r.pairing_id, r.school_id): r
        for r in MonthlyReport.objects.filter(month=month.first_day, school_id__in=schools)
        if (r.pairing_id, r.school_id) in pairs
    }
    lost = 0
    for (_token, pairing, school), outcome in went:
        found = reports.get((pairing, school))
        if outcome.get("submit") == 200 and (
            found is None or found.status not in {"submitted", "resubmitted"}
        ):
            lost += 1
    twice = (
        MonthlyReport.objects.filter(month=month.first_day, school_id__in=schools)
        .values("school_id", "pairing_id", "month")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    versions = dict(
        ReportVersion.objects.filter(report__in=[r.pk for r in reports.values()])
        .values_list("report_id")
        .annotate(n=Count("pk"))
    )
    extra = missing = 0
    for (_token, pairing, school), outcome in went:
        found = reports.get((pairing, school))
        if found is None:
            continue
        steps = sum(
            1 for name in ("save", "submit") if outcome.get(name) == 200
        )  # starting records no version
        extra += versions.get(found.pk, 0) > steps
        missing += versions.get(found.pk, 0) < steps
    submitted = sum(1 for r in reports.values() if r.status in {"submitted", "resubmitted"})
    print(
        f"database: {len(reports)} reports of {month} for the {len(went)} liaisons, {submitted} submitted; "
        f"lost {lost}, duplicated {twice} (reports) + {extra} (more versions than steps), "
        f"missing versions {missing}"
    )


def ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.0f}"


if __name__ == "__main__":
    main()
