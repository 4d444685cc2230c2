"""Number formats that differ from Django's own for the portal's languages (FORMAT_MODULE_PATH)."""
