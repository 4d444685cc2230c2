"""Benchmark sweep: every page a role can open, once, at province scale; to find the pages that
bench/pages.py does not load (forms, history, the change log, the API's other lists, the admin).

    .venv/bin/python bench/sweep.py [--pairings 10000] [--role bureau] [--slow-ms 300] [--large-kb 500]

For each role (bureau, commander, a town liaison, a university's liaison: the users of
bench/data.py) and each page, in this process with Django's test client against the benchmark
database (built first if missing): the status, the first request's time (cold cache) and the
second's (warm), the size of the answer and its SQL queries. A line ends with `<<<` when the page
took longer than --slow-ms warm, answered more than --large-kb, or ran more than --max-queries
queries. The last line counts the flagged pages. No floor: this is a map of where to look, not a
measurement to compare; bench/pages.py measures the main pages under load against the floor.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import data  # noqa: E402
from bench.serve import collect_static  # noqa: E402

ROLES = {"bureau": "bureau", "commander": "commander", "town": "town-00001", "liaison": "liaison-u00001"}
# Pages that need no object; {programme} is the benchmark's programme, {month} the data's last month.
PAGES = [
    "/",
    "/dashboard/",
    "/audit/",
    "/accounts/lockouts/",
    "/pairings/",
    "/pairings/compliance/",
    "/pairings/import/",
    "/reports/",
    "/reports/queue/",
    "/reports/status/",
    "/reports/summaries/",
    "/reports/export/",
    "/pairings/choices/towns/?q=1&programme={programme}",
    "/pairings/choices/schools/?q=1&programme={programme}",
    "/pairings/choices/villages/?q=1&programme={programme}",
    "/api/v1/programmes/",
    "/api/v1/areas/",
    "/api/v1/schools/",
    "/api/v1/people/",
    "/api/v1/pairings/",
    "/api/v1/teams/",
    "/api/v1/memberships/",
    "/api/v1/residencies/",
    "/api/v1/meetings/",
    "/api/v1/reports/",
    "/api/v1/summaries/",
    "/api/v1/totals/{programme}/",
    "/api/v1/figures/{programme}/",
    "/api/v1/months/{month}/",
    "/api/v1/months/{month}/reports/",
    "/admin/",
    "/admin/pairing/pairing/",
    "/admin/pairing/school/",
    "/admin/pairing/area/",
    "/admin/pairing/person/",
    "/admin/pairing/membership/",
    "/admin/reporting/monthlyreport/",
    "/admin/reporting/monthlysummary/",
    "/admin/core/profile/",
    "/admin/axes/accessattempt/",
]
# Pages of the role's first pairing ({pairing}), its team's first member ({member}) and its latest
# report that is not a draft ({report}).
OBJECT_PAGES = [
    "/pairings/{pairing}/",
    "/pairings/{pairing}/history/",
    "/pairings/{pairing}/team/members/add/",
    "/pairings/{pairing}/team/members/{member}/",
    "/pairings/{pairing}/residencies/add/",
    "/pairings/{pairing}/meetings/add/",
    "/pairings/{pairing}/plan/",
    "/pairings/{pairing}/agreement/",
    "/pairings/{pairing}/bases/add/",
    "/pairings/{pairing}/review/",
    "/pairings/{pairing}/adjust/",
    "/api/v1/pairings/{pairing}/",
    "/admin/pairing/pairing/{pairing}/change/",
    "/reports/{report}/",
    "/reports/{report}/history/",
    "/api/v1/reports/{report}/",
    "/admin/reporting/monthlyreport/{report}/change/",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairings", type=int, default=10000)
    parser.add_argument("--database-url", help="default: BENCH_DATABASE_URL or portal_bench_<pairings>")
    parser.add_argument("--role", action="append", choices=list(ROLES), help="only these roles (repeatable)")
    parser.add_argument("--slow-ms", type=float, default=300)
    parser.add_argument("--large-kb", type=float, default=500)
    parser.add_argument("--max-queries", type=int, default=60)
    args = parser.parse_args()
    dataset = data.prepare(pairings=args.pairings, database_url=args.database_url)
    # The pages link their static files through the production storage, which needs its manifest.
    collect_static(data.environment_for(dataset.database_url))

    import logging

    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from pairing.selectors import pairings_visible_to
    from reporting.models import MonthlyReport

    logging.disable(logging.WARNING)  # the refusals (403, 404) are lines of the sweep, not tracebacks
    flagged = 0
    for role in args.role or list(ROLES):
        user = User.objects.get(username=ROLES[role])
        pairing = pairings_visible_to(user).order_by("number").first()
        values = {"programme": dataset.programme_id, "month": dataset.month}
        pages = list(PAGES)
        if pairing is not None:
            member = pairing.team.memberships.order_by("pk").first() if hasattr(pairing, "team") else None
            report = (
                MonthlyReport.objects.filter(pairing=pairing)
                .exclude(status="draft")
                .order_by("-month")
                .first()
            )
            values.update(
                pairing=pairing.pk, member=member.pk if member else 0, report=report.pk if report else 0
            )
            pages += OBJECT_PAGES
        client = Client(raise_request_exception=False)
        client.force_login(user)
        for page in pages:
            url = page.format(**values)
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            cold = (time.perf_counter() - started) * 1000
            count = len(queries)  # now: the next request starts by emptying the log it slices
            started = time.perf_counter()
            client.get(url)
            warm = (time.perf_counter() - started) * 1000
            size = len(response.content) / 1024 if not response.streaming else 0
            slow = warm > args.slow_ms or size > args.large_kb or count > args.max_queries
            flagged += slow
            print(
                f"{role:9} {response.status_code} cold {cold:6.0f} ms  warm {warm:6.0f} ms  {size:6.0f} KB"
                f"  {count:3d} queries  {url}{'  <<<' if slow else ''}",
                flush=True,
            )
    print(
        f"flagged={flagged} (warm > {args.slow_ms:g} ms, > {args.large_kb:g} KB or > {args.max_queries} queries)"
    )


if __name__ == "__main__":
    main()
