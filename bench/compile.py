"""Benchmark: compile one month of a province-scale programme, against the floor.

    .venv/bin/python bench/compile.py [--pairings 10000] [--repeat 3]

Reuses (or builds once) the province data of bench/data.py, liaisons and all, in
portal_bench_<N>, and compiles its last complete month: the month before the one the data was built
in, due, with its reports in every state. Then `--repeat` times, alternating (ABAB...), each in a
fresh process started for it:

- the compilation: reporting.compilation.compile_month(programme, Month), exactly what the Celery
  job runs (its workbook goes to a temporary file and to the summary, as in production);
- the floor: one raw psycopg read of the same rows plus a dump of the same cells with xlsxwriter in
  constant_memory mode (the fastest writer measured here, ../shared/TOOLCHAIN.md).

Prints each pair's times and ratio, the median ratio, and the memory of each side measured inside
its own fresh process: the peak resident set from the moment the work starts (the process's
high-water mark is reset just before, with /proc/self/clear_refs) and how far that peak rose above
what the process held before starting. The last line is `ratio=<x> peak_mb=<y> growth_mb=<z>`.
A summary the benchmark created is removed afterwards, so the data stays as built.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import data  # noqa: E402

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


def memory_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def start_measuring() -> int:
    """Reset this process's peak RSS to its current RSS; return that RSS (kB). A spawned process's
    getrusage() high-water mark includes its parent's memory at the fork, VmHWM after a reset does not."""
    with contextlib.suppress(OSError):  # not Linux, or not allowed: the peak counts from the process's start
        Path("/proc/self/clear_refs").write_text("5")
    return memory_kb("VmRSS")


def child(target, url: str, queue) -> None:
    """The body of a fresh process: Django on the benchmark's database, then the measured work."""
    data.setup_django(url)
    from django.db import connection

    from bench.data import CODE
    from pairing.models import Programme

    programme = Programme.objects.get(code=CODE)
    connection.ensure_connection()
    queue.put(target(programme))


def run_compilation(programme) -> tuple[float, int, int]:
    from core.months import Month
    from reporting.compilation import compile_month
    from reporting.models import MonthlyReport, MonthlySummary

    # "this month" of the data is its newest; the month before it is due and complete
    newest = MonthlyReport.objects.filter(pairing__programme=programme).latest("month").month
    month = Month.of(newest).previous()
    MonthlySummary.objects.filter(programme=programme).update(state="done", run_token="")
    import reporting.compilation.workbook  # noqa: F401 - imports are the process's, not the compilation's

    before = start_measuring()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        compile_month(programme, month, output=os.path.join(folder, "out.xlsx"))
    return time.perf_counter() - started, memory_kb("VmHWM"), before


def run_floor(programme) -> tuple[float, int, int]:
    import psycopg
    import xlsxwriter
    from django.conf import settings

    from core.months import Month
    from reporting.models import MonthlyReport

    newest = MonthlyReport.objects.filter(pairing__programme=programme).latest("month").month
    month = Month.of(newest).previous().first_day
    db = settings.DATABASES["default"]
    before = start_measuring()
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
            cursor.execute(sql, {"month": month, "programme": programme.pk})
            results.append(cursor.fetchall())
    expected, values, texts = results
    by_report = {}
    for report_id, indicator_id, value in values:
        by_report.setdefault(report_id, {})[indicator_id] = value
    indicator_ids = sorted({row[1] for row in values})
    with tempfile.TemporaryDirectory() as folder:
        book = xlsxwriter.Workbook(os.path.join(folder, "floor.xlsx"), {"constant_memory": True})
        sheet = book.add_worksheet("汇总")
        for n in range(len(indicator_ids) + 6):
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
    return time.perf_counter() - started, memory_kb("VmHWM"), before


def in_fresh_process(target, url: str) -> tuple[float, int, int]:
    context = multiprocessing.get_context("spawn")  # a new interpreter, nothing inherited but the path
    queue = context.Queue()
    process = context.Process(target=child, args=(target, url, queue))
    process.start()
    result = queue.get()
    process.join()
    if process.exitcode:
        raise SystemExit(f"{target.__name__} failed with exit code {process.exitcode}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairings", type=int, default=10000)
    parser.add_argument("--database-url", help="default: BENCH_DATABASE_URL or portal_bench_<pairings>")
    parser.add_argument(
        "--repeat", type=int, default=3, help="compile/floor pairs; the median ratio is reported"
    )
    args = parser.parse_args()
    dataset = data.prepare(pairings=args.pairings, database_url=args.database_url)

    from reporting.models import MonthlyReport, MonthlySummary

    month = dataset.last_month
    reports = MonthlyReport.objects.filter(
        pairing__programme_id=dataset.programme_id, month=month.first_day
    ).count()
    had_summary = MonthlySummary.objects.filter(
        programme_id=dataset.programme_id, month=month.first_day
    ).exists()
    print(
        f"compiling {month} of {dataset.pairings} pairings ({reports} reports, {len(data.INDICATORS)} indicators) "
        f"in {data.database_name(dataset.database_url)}; compile and floor alternate, each in a fresh process",
        flush=True,
    )
    pairs = []
    try:
        for n in range(1, args.repeat + 1):
            compiled = in_fresh_process(run_compilation, dataset.database_url)
            floor = in_fresh_process(run_floor, dataset.database_url)
            pairs.append((compiled, floor))
            print(
                f"  {n}: compilation {compiled[0]:.2f} s (peak {compiled[1] / 1024:.0f} MB), "
                f"floor {floor[0]:.2f} s (peak {floor[1] / 1024:.0f} MB), ratio {compiled[0] / floor[0]:.2f}",
                flush=True,
            )
    finally:
        if not had_summary:  # leave the data as built (the dashboard reads the summaries)
            for summary in MonthlySummary.objects.filter(
                programme_id=dataset.programme_id, month=month.first_day
            ):
                if summary.workbook:
                    summary.workbook.delete(save=False)
                summary.delete()
    ratio = statistics.median(c[0] / f[0] for c, f in pairs)
    compile_time = statistics.median(c[0] for c, _f in pairs)
    floor_time = statistics.median(f[0] for _c, f in pairs)
    peak = max(c[1] for c, _f in pairs) / 1024
    growth = max(c[1] - c[2] for c, _f in pairs) / 1024
    floor_peak = max(f[1] for _c, f in pairs) / 1024
    floor_growth = max(f[1] - f[2] for _c, f in pairs) / 1024
    print(
        f"compilation: median {compile_time:.2f} s, peak RSS {peak:.0f} MB ({growth:.0f} MB above its start)"
    )
    print(
        f"floor (raw psycopg read + xlsxwriter constant_memory dump): median {floor_time:.2f} s, "
        f"peak RSS {floor_peak:.0f} MB ({floor_growth:.0f} MB above its start)"
    )
    print(f"ratio={ratio:.2f} peak_mb={peak:.0f} growth_mb={growth:.0f}")


if __name__ == "__main__":
    main()
