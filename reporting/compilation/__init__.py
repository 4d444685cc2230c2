"""The monthly compilation: the service that builds a month's summary, and its workbook writer."""

from .service import AlreadyRunning, collect, compile_month, sheets, write_workbook

__all__ = ["AlreadyRunning", "collect", "compile_month", "sheets", "write_workbook"]
