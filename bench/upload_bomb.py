"""Benchmark: the issue's zip bomb posted to both upload pages, against a small valid workbook.

    .venv/bin/python bench/upload_bomb.py [--megabytes 1200] [--rounds 5]

Builds a ~1.2 MB .xlsx that unzips to one ~1.2 GB cell (tests/bombs.py: one compressed block of
"A"s repeated), from each page's own valid workbook, and posts it through Django's test client,
so the multipart parsing, the view and the page's messages are all measured, to:

- the liaison's upload, /reports/<id>/workbook/ (reporting/roundtrip.py), and
- the bureau's registry import, /pairings/import/ (pairing/imports.py);

interleaved with the floor, the same page given a small valid workbook (a filled report saved as
the draft; a one-row registry previewed), A B A B over the rounds. Each post runs in a fresh
process (spawned), after three warm-up posts of the valid workbook, so the process is a worker that
has served requests; its memory growth is how far its peak resident size (VmHWM, reset just
before through /proc/self/clear_refs, so Linux only) rises above its resident size at the start of
that post. The data live in a throwaway SQLite database (the Dongguan fixtures, two users, one report):
neither PostgreSQL nor Redis is needed, nor touched.

Prints, for each page, the median time of the bomb and of the floor, their ratio and the largest
memory growth of each, then whether the issue's target holds (the bomb refused in under 2 s with
the worker growing by less than 50 MB). Not a test, not part of `make test`.
"""

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET_SECONDS, TARGET_GROWTH_MB = 2.0, 50
REFUSED = "工作簿解压后超过"
WARM_UP_POSTS = 3
PAGES = ["report", "import"]


def use_scratch_environment(folder: str) -> None:
    """Before Django starts, here and in every spawned process (which inherits os.environ)."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
            "MEDIA_ROOT": f"{folder}/media",
            "DEBUG": "0",
            "LANGUAGE_CODE": "zh-hans",
        }
    )
    os.environ.pop("REDIS_URL", None)  # Celery in-process: no broker needed
    os.environ.pop("REQUIRE_SERVICES", None)


def setup_django() -> None:
    import django

    django.setup()


def build(folder: str, megabytes: int) -> None:
    """The database, and for each page its valid workbook and its bomb, as files in `folder`."""
    import datetime
    import io

    import openpyxl
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.test import Client

    from core.models import Profile
    from core.roles import BUREAU, LIAISON
    from pairing.imports import template_workbook
    from pairing.models import Pairing, Programme, School
    from reporting.models import MonthlyReport
    from tests import bombs

    call_command("migrate", verbosity=0)
    call_command("loaddata", "dongguan_2023", "dongguan_2023_indicators", verbosity=0)
    bureau = User.objects.create_user("bench-bureau")
    bureau.groups.add(Group.objects.get(name=BUREAU))
    Profile.objects.create(user=bureau)
    liaison = User.objects.create_user("bench-liaison")
    liaison.groups.add(Group.objects.get(name=LIAISON))
    school = School.objects.get(name="东莞理工学院")
    Profile.objects.create(user=liaison, school=school)
    report = MonthlyReport.objects.create(
        pairing=Pairing.objects.get(number=6),
        school=school,
        month=datetime.date(2024, 2, 1),
        created_by=liaison,
    )
    (Path(folder) / "report_id").write_text(str(report.pk))

    client = Client()
    client.force_login(liaison)
    report_workbook = client.get(f"/reports/{report.pk}/workbook/").content
    book = openpyxl.load_workbook(io.BytesIO(template_workbook(Programme.objects.get())))
    sheet = book["签约结对关系安排表"]
    sheet.delete_rows(2)
    sheet.append([1, "石龙", "西湖村", "东莞理工学院", "东莞市信息技术学校"])
    registry = io.BytesIO()
    book.save(registry)
    for page, workbook, sheet_name in [
        ("report", report_workbook, "月报"),
        ("import", registry.getvalue(), "签约结对关系安排表"),
    ]:
        (Path(folder) / f"{page}-floor.xlsx").write_bytes(workbook)
        bomb = bombs.bomb(workbook, sheet_name, megabytes=megabytes)
        (Path(folder) / f"{page}-bomb.xlsx").write_bytes(bomb)


def filled_report_workbook(client, report_id: str) -> bytes:
    """The report's workbook as downloaded now (its version moves with each saved draft), filled."""
    import io

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/reports/{report_id}/workbook/").content))
    sheet = book["月报"]
    row = next(cell.row for cell in sheet["A"] if cell.value == "activities_held")
    sheet.cell(row, 4).value = time.time_ns() % 50  # a change, so each floor post saves a draft
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def status_kb(field: str) -> int:
    with open("/proc/self/status") as handle:
        return next(int(line.split()[1]) for line in handle if line.startswith(f"{field}:"))


def reset_peak() -> int:
    """The process's resident size now (KB), with its peak (VmHWM) reset to it (Linux's
    /proc/self/clear_refs), so that the peak read after the post is the post's own. Not
    ru_maxrss: after exec, Linux keeps in it the peak of the process that spawned this one."""
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")
    return status_kb("VmRSS")


def measure(queue, folder: str, page: str, kind: str) -> None:
    """In a fresh process: warm up with one valid post, then time one post of `kind`."""
    setup_django()
    import gc
    import logging

    logging.getLogger("django.request").setLevel(logging.ERROR)  # not a line for each refused import

    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from pairing.models import Programme

    report_id = (Path(folder) / "report_id").read_text()
    client = Client()
    if page == "report":
        client.force_login(User.objects.get(username="bench-liaison"))
        url, field, extra = f"/reports/{report_id}/workbook/", "workbook", {}
    else:
        client.force_login(User.objects.get(username="bench-bureau"))
        url, field, extra = "/pairings/import/", "file", {"programme": Programme.objects.get().pk}

    def content(of: str) -> bytes:
        if of == "floor" and page == "report":
            return filled_report_workbook(client, report_id)
        return (Path(folder) / f"{page}-{of}.xlsx").read_bytes()

    def post(data: bytes):
        return client.post(url, {**extra, field: SimpleUploadedFile("upload.xlsx", data)}, follow=True)

    for _ in range(WARM_UP_POSTS):  # the code, the templates, the caches, the allocator's arenas
        post(content("floor"))
    data = content(kind)
    gc.collect()
    baseline_kb = reset_peak()
    started = time.perf_counter()
    response = post(data)
    elapsed = time.perf_counter() - started
    growth_mb = (status_kb("VmHWM") - baseline_kb) / 1024
    html = response.content.decode()
    expected = REFUSED if kind == "bomb" else ("工作簿已保存为草稿" if page == "report" else "确认导入")
    queue.put((elapsed, growth_mb, expected in html, len(data)))


def in_fresh_process(folder: str, page: str, kind: str) -> tuple[float, float, bool, int]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=measure, args=(queue, folder, page, kind))
    process.start()
    result = queue.get()
    process.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=1200, help="what the bomb's cell unzips to")
    parser.add_argument("--rounds", type=int, default=5, help="A B rounds per page; medians are reported")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="upload-bomb-") as folder:
        use_scratch_environment(folder)
        setup_django()
        started = time.perf_counter()
        build(folder, args.megabytes)
        sizes = {page: (Path(folder) / f"{page}-bomb.xlsx").stat().st_size for page in PAGES}
        print(
            f"built in {time.perf_counter() - started:.1f} s: bombs of "
            + ", ".join(f"{page} {size / 1048576:.2f} MB" for page, size in sizes.items())
            + f", each unzipping to one cell of {args.megabytes} MB",
            flush=True,
        )
        results = {(page, kind): [] for page in PAGES for kind in ("floor", "bomb")}
        for round_number in range(1, args.rounds + 1):
            for page in PAGES:
                for kind in ("floor", "bomb"):  # A B, in fresh processes
                    elapsed, growth, answered, _size = in_fresh_process(folder, page, kind)
                    if not answered:
                        raise SystemExit(
                            f"round {round_number}: the {page} page did not answer the {kind} as expected"
                        )
                    results[page, kind].append((elapsed, growth))
            print(f"round {round_number}/{args.rounds} done", flush=True)
        holds = True
        print(f"\nmedian of {args.rounds} rounds, each post in a fresh process after three warm-up posts")
        print("page    | bomb time | floor time | ratio | bomb growth | floor growth")
        for page in PAGES:
            bomb_time = statistics.median(t for t, _ in results[page, "bomb"])
            floor_time = statistics.median(t for t, _ in results[page, "floor"])
            bomb_growth = max(g for _, g in results[page, "bomb"])
            floor_growth = max(g for _, g in results[page, "floor"])
            holds &= bomb_time < TARGET_SECONDS and bomb_growth < TARGET_GROWTH_MB
            print(
                f"{page:7} | {bomb_time * 1000:7.1f} ms | {floor_time * 1000:7.1f} ms | {bomb_time / floor_time:5.2f}"
                f" | {bomb_growth:8.1f} MB | {floor_growth:9.1f} MB"
            )
        print(
            f"target (refused in < {TARGET_SECONDS:.0f} s, growth < {TARGET_GROWTH_MB} MB): "
            + ("holds" if holds else "MISSED")
        )


if __name__ == "__main__":
    main()
