"""Benchmark: compile one month of a province-scale programme, against the floor.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench .venv/bin/python bench/compile.py [--pairings 10000]

Builds (once, reused on later runs) a synthetic programme in PostgreSQL: N pairings, 2N schools
(a lead university and an assisting vocational school each), 15 indicators and one month of
reports with short narratives. Then, in the same run and each in a fresh process:

- the compilation: reporting.compilation.compile_month, exactly what the Celery job runs;
- the floor: one raw psycopg read of the same rows plus a dump of the same cells with xlsxwriter
  in constant_memory mode (the fastest writer measured here, ../shared/TOOLCHAIN.md).

Prints both times, the ratio and the compilation's peak memory (peak RSS of its process);
the last line is `ratio=<x> peak_mb=<y>`. Not a test, not part of `make test`.
"""

import argparse
import datetime
import multiprocessing
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
MONTH = datetime.date(2025, 6, 1)
CODE = "bench-province"
INDICATORS = 15


def setup_django():
    import django

    django.setup()


def build(pairings: int) -> None:
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from pairing.models import Area, Pairing, Programme, School
    from reporting.models import Indicator, IndicatorValue, MonthlyReport

    call_command("migrate", verbosity=0)
    programme = Programme.objects.filter(code=CODE).first()
    if programme and programme.pairings.count() == pairings:
        return
    if programme:
        raise SystemExit(f"{CODE} exists with another size: drop the database and run again")
    rng = random.Random(7)
    started = time.perf_counter()
    author, _ = User.objects.get_or_create(username="bench-liaison")
    programme = Programme.objects.create(
        code=CODE, name="省级基准项目", city="广东省", start_date=datetime.date(2024, 1, 1)
    )
    province = Area.objects.create(name="基准省", kind=Area.Kind.CITY)
    towns = Area.objects.bulk_create(
        [Area(name=f"镇{i:05d}", kind=Area.Kind.TOWN, parent=province) for i in range(pairings)],
        batch_size=5000,
    )
    universities = School.objects.bulk_create(
        [School(name=f"大学{i:05d}", kind=School.Kind.UNIVERSITY) for i in range(pairings)], batch_size=5000
    )
    vocational = School.objects.bulk_create(
        [School(name=f"中职{i:05d}", kind=School.Kind.VOCATIONAL) for i in range(pairings)], batch_size=5000
    )
    created = Pairing.objects.bulk_create(
        [
            Pairing(
                programme=programme,
                number=i + 1,
                lead_university=universities[i],
                town=towns[i],
                start_date=datetime.date(2024, 1, 1),
            )
            for i in range(pairings)
        ],
        batch_size=5000,
    )
    Pairing.assisting_schools.through.objects.bulk_create(
        [
            Pairing.assisting_schools.through(pairing_id=p.pk, school_id=vocational[i].pk)
            for i, p in enumerate(created)
        ],
        batch_size=5000,
    )
    indicators = Indicator.objects.bulk_create(
        [
            Indicator(
                programme=programme,
                code=f"i{n:02d}",
                name_zh=f"指标{n:02d}",
                name_en=f"Indicator {n}",
                unit="个",
                kind=Indicator.Kind.MONEY if n % 5 == 0 else Indicator.Kind.WHOLE,
                order=n,
            )
            for n in range(INDICATORS)
        ]
    )
    due = programme.due_at(MONTH)
    reports = []
    for i, pairing in enumerate(created):
        for school in (universities[i], vocational[i]):
            if rng.random() < 0.05:
                continue  # missing
            reports.append(
                MonthlyReport(
                    pairing=pairing,
                    school=school,
                    month=MONTH,
                    created_by=author,
                    status="accepted",
                    first_submitted_at=due - datetime.timedelta(hours=rng.randrange(-30, 200)),
                    submitted_at=due,
                    narratives={
                        "talent": "举办技能培训班一期，培训村民三十人。",
                        "consulting": "完成村庄规划初稿。",
                    },
                    difficulties="道路改造资金不足。" if rng.random() < 0.1 else "",
                )
            )
    reports = MonthlyReport.objects.bulk_create(reports, batch_size=5000)
    batch = []
    for report in reports:
        for indicator in indicators:
            batch.append(IndicatorValue(report=report, indicator=indicator, value=rng.randrange(0, 5000)))
        if len(batch) >= 20000:
            IndicatorValue.objects.bulk_create(batch)
            batch = []
    IndicatorValue.objects.bulk_create(batch)
    print(
        f"built {pairings} pairings, {len(reports)} reports in {time.perf_counter() - started:.1f} s",
        flush=True,
    )


def run_compilation(queue) -> None:
    setup_django()
    from pairing.models import Programme
    from reporting.compilation import compile_month
    from reporting.models import MonthlySummary

    MonthlySummary.objects.filter(programme__code=CODE).update(state="done", run_token="")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        compile_month(Programme.objects.get(code=CODE), MONTH, output=os.path.join(folder, "out.xlsx"))
    queue.put((time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


FLOOR_QUERIES = [
    # 报送情况 and 明细: one row per expected report (pairing x school), left-joined to its report
    """SELECT p.id, p.number, t.name, s.id, s.name, r.id, r.status, r.first_submitted_at
       FROM pairing_pairing p JOIN pairing_area t ON t.id = p.town_id
       JOIN (SELECT id AS pairing_id, lead_university_id AS school_id FROM pairing_pairing
             UNION ALL SELECT pairing_id, school_id FROM pairing_pairing_assisting_schools) ps ON ps.pairing_id = p.id
       JOIN pairing_school s ON s.id = ps.school_id
       LEFT JOIN reporting_monthlyreport r ON r.pairing_id = p.id AND r.school_id = s.id AND r.month = %(month)s
       WHERE p.programme_id = %(programme)s ORDER BY p.number, s.name""",
    """SELECT v.report_id, v.indicator_id, v.value FROM reporting_indicatorvalue v
       JOIN reporting_monthlyreport r ON r.id = v.report_id
       JOIN pairing_pairing p ON p.id = r.pairing_id WHERE p.programme_id = %(programme)s AND r.month = %(month)s""",
    """SELECT r.id, r.narratives, r.difficulties FROM reporting_monthlyreport r
       JOIN pairing_pairing p ON p.id = r.pairing_id WHERE p.programme_id = %(programme)s AND r.month = %(month)s""",
]


def run_floor(queue) -> None:
    setup_django()
    import psycopg
    import xlsxwriter
    from django.conf import settings

    from pairing.models import Programme

    db = settings.DATABASES["default"]
    programme = Programme.objects.get(code=CODE).pk
    started = time.perf_counter()
    with (
        psycopg.connect(
            host=db["HOST"],
            port=db["PORT"] or 5432,
            user=db["USER"],
            password=db["PASSWORD"] or None,
            dbname=db["NAME"],
        ) as connection,
        connection.cursor() as cursor,
    ):
        results = []
        for sql in FLOOR_QUERIES:
            cursor.execute(sql, {"month": MONTH, "programme": programme})
            results.append(cursor.fetchall())
    expected, values, texts = results
    by_report = {}
    for report_id, indicator_id, value in values:
        by_report.setdefault(report_id, {})[indicator_id] = value
    indicator_ids = sorted({row[1] for row in values})
    with tempfile.TemporaryDirectory() as folder:
        book = xlsxwriter.Workbook(os.path.join(folder, "floor.xlsx"), {"constant_memory": True})
        sheet = book.add_worksheet("汇总")
        for n in range(INDICATORS + 6):
            sheet.write_row(n, 0, ["指标", f"指标{n}", "个", n, n])
        sheet = book.add_worksheet("报送情况")
        for n, row in enumerate(expected):
            sheet.write_row(
                n, 0, [row[1], row[2], row[4], row[6] or "缺报", str(row[7] or ""), "", "", "", ""]
            )
        sheet = book.add_worksheet("明细")
        for n, row in enumerate(expected):
            cells = by_report.get(row[5], {})
            sheet.write_row(
                n,
                0,
                [
                    row[5],
                    row[0],
                    row[1],
                    row[2],
                    row[3],
                    row[4],
                    row[6] or "缺报",
                    *[float(cells[i]) if i in cells else None for i in indicator_ids],
                ],
            )
        sheet = book.add_worksheet("进展摘要")
        n = 0
        for _report_id, narratives, _difficulties in texts:
            for kind, text in (narratives or {}).items():
                sheet.write_row(n, 0, [1, "镇", "学校", kind, text])
                n += 1
        sheet = book.add_worksheet("困难问题")
        n = 0
        for _report_id, _narratives, difficulties in texts:
            if difficulties:
                sheet.write_row(n, 0, [1, "镇", "学校", difficulties, ""])
                n += 1
        book.close()
    queue.put((time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def in_fresh_process(target) -> tuple[float, float]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=target, args=(queue,))
    process.start()
    result = queue.get()
    process.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairings", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the median is reported")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit(
            "set DATABASE_URL to a PostgreSQL database, e.g. postgres://postgres@127.0.0.1:5432/portal_bench"
        )
    ensure_database(os.environ["DATABASE_URL"])
    setup_django()
    build(args.pairings)
    compilations = sorted(in_fresh_process(run_compilation) for _ in range(args.repeat))
    floors = sorted(in_fresh_process(run_floor) for _ in range(args.repeat))
    compile_time, compile_mb = compilations[len(compilations) // 2][0], max(m for _, m in compilations)
    floor_time, floor_mb = floors[len(floors) // 2][0], max(m for _, m in floors)
    print(f"pairings={args.pairings} reports≈{2 * args.pairings} indicators={INDICATORS}")
    print(f"compilation: {compile_time:.2f} s (median of {args.repeat}), peak RSS {compile_mb:.0f} MB")
    print(
        f"floor (raw psycopg read + xlsxwriter constant_memory dump): {floor_time:.2f} s, peak RSS {floor_mb:.0f} MB"
    )
    print(f"ratio={compile_time / floor_time:.2f} peak_mb={compile_mb:.0f}")


def ensure_database(url: str) -> None:
    from urllib.parse import urlsplit

    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
        autocommit=True,
    ) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


if __name__ == "__main__":
    main()
