"""The monthly compilation: the service that builds a month's summary, and its workbook writer."""

from .service import AlreadyRunning, compile_month, stale_summaries, summary_request, write_workbook

__all__ = ["AlreadyRunning", "compile_month", "stale_summaries", "summary_request", "write_workbook"]
