"""Exports of the monthly reports: row sources (rows.py) kept apart from their writers (CSV in
csv.py, the month-range workbook in xlsx.py), and the background export job (jobs.py). The same
rows feed the CSV and the workbook; both read the month engine, so they agree with the pages."""
