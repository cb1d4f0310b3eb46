"""Dates read the same everywhere: ISO in tables (with the time zone) and in date inputs.

Django's own English formats ("Dec. 2, 2026, 5:30 p.m.") win over settings.DATE_FORMAT, so the
project's choice is a format module (settings.FORMAT_MODULE_PATH); input formats stay Django's.
"""

DATE_FORMAT = "Y-m-d"
SHORT_DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i T"
SHORT_DATETIME_FORMAT = "Y-m-d H:i T"
TIME_FORMAT = "H:i"
