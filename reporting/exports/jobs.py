"""Large exports built by a worker: the job records what was asked; the builder re-derives the scope
from the job's owner (their doors), writes the workbook to a temporary file and stores it."""

import os
import tempfile

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from core.months import Month
from core.outbox import enqueue
from pairing.models import Area, School
from pairing.selectors import pairings_visible_to

from ..models import ExportJob
from .csv import csv_lines
from .rows import ExportScope, long_rows
from .xlsx import write_range_workbook

FORMATS = ("xlsx", "csv")


def export_scope(
    *, user, programme, first: Month, last: Month, town_id: int | None = None, school_id: int | None = None
) -> ExportScope:
    pairings = pairings_visible_to(user).filter(programme=programme)
    if town_id:
        pairings = pairings.filter(town_id=town_id)
    names = [
        *Area.objects.filter(pk=town_id).values_list("name", flat=True),
        *School.objects.filter(pk=school_id).values_list("name", flat=True),
    ]
    return ExportScope(
        programme=programme,
        months=Month.between(first, last),
        pairings=pairings,
        school_id=school_id,
        narrowed_to=" · ".join(names),
    )


@transaction.atomic
def export_job_create(
    *,
    user,
    programme,
    first: Month,
    last: Month,
    town_id: int | None = None,
    school_id: int | None = None,
    file_format: str = "xlsx",
) -> ExportJob:
    if file_format not in FORMATS:
        raise ValueError(f"Unknown export format {file_format!r}")
    job = ExportJob.objects.create(
        user=user,
        programme=programme,
        parameters={
            "from": str(first),
            "to": str(last),
            "town": town_id,
            "school": school_id,
            "format": file_format,
        },
    )
    enqueue("reporting.build_export", job.pk)
    return job


def job_format(job: ExportJob) -> str:
    """The job's file format (jobs made before CSV could be queued are workbooks)."""
    return job.parameters.get("format") or "xlsx"


def write_range_csv(path: str, scope: ExportScope, *, progress=None) -> int:
    """The long rows as CSV (the download's own lines) into `path`; returns the number of rows."""
    written = 0
    with open(path, "w", encoding="utf-8", newline="") as out:
        for line in csv_lines(long_rows(scope)):
            out.write(line)
            written += 1
            if progress and written % 5000 == 0:
                progress(written)
    return written


def export_job_build(job_pk: int) -> str:
    """Build the job's file, reporting progress on the job; a failure is recorded and re-raised."""
    job = ExportJob.objects.select_related("programme", "user").get(pk=job_pk)
    if job.state == ExportJob.State.DONE:
        return job.state  # delivered twice: the file is there already
    ExportJob.objects.filter(pk=job.pk).update(state=ExportJob.State.RUNNING, progress=1)
    parameters = job.parameters
    scope = export_scope(
        user=job.user,
        programme=job.programme,
        first=Month.parse(parameters["from"]),
        last=Month.parse(parameters["to"]),
        town_id=parameters.get("town") or None,
        school_id=parameters.get("school") or None,
    )
    expected = max(scope.expected_count * max(job.programme.indicators.count(), 1), 1)
    extension = job_format(job)
    write = write_range_csv if extension == "csv" else write_range_workbook
    handle, path = tempfile.mkstemp(suffix=f".{extension}")
    os.close(handle)
    try:
        write(
            path,
            scope,
            progress=lambda rows: ExportJob.objects.filter(pk=job.pk).update(
                progress=min(99, rows * 100 // expected)
            ),
        )
        with open(path, "rb") as source:
            job.file.save(f"export-{job.pk}.{extension}", File(source), save=False)
        job.state, job.progress, job.finished_at = ExportJob.State.DONE, 100, timezone.now()
        job.save()
    except Exception as error:
        ExportJob.objects.filter(pk=job.pk).update(
            state=ExportJob.State.FAILED, failure_reason=f"{error.__class__.__name__}: {error}"[:500]
        )
        raise
    finally:
        os.unlink(path)
    return job.state
