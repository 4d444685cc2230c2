"""Simplified Chinese as the bureau's documents write numbers: 2,016,380,000 (thousands separated by
commas, as in the programmes' own reports), where Django's zh_Hans groups nothing. Everything else
falls through to Django's zh_Hans formats."""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
