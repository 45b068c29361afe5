"""Reports an agency must produce (KIB A, KIB C, property in use by third parties, changes of
use in a period) as XLSX and PDF with the city's header, generated from the database when
asked: `data` builds the tables, `render` writes them."""

from assets_app.reports.data import (
    REPORTS,
    Report,
    changes_of_use_report,
    kib_report,
    utilised_report,
)
from assets_app.reports.render import report_pdf, report_xlsx

__all__ = [
    "REPORTS",
    "Report",
    "changes_of_use_report",
    "kib_report",
    "report_pdf",
    "report_xlsx",
    "utilised_report",
]
