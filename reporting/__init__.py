"""Monthly progress reports, their review, the monthly compilation and exports (built by later issues)."""
