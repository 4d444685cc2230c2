"""The monthly compilation: the service that builds a month's summary, and its workbook writer."""

from .service import AlreadyRunning, compile_month, expected_reports, write_workbook

__all__ = ["AlreadyRunning", "compile_month", "expected_reports", "write_workbook"]
