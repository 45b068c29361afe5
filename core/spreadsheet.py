"""Values for XLSX cells.

openpyxl refuses a text with control characters (it raises, which was a 500 on an export of a
register holding one); such characters carry nothing a reader needs, so they are dropped.
"""

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE


def xlsx_value(value):
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def xlsx_row(values) -> list:
    return [xlsx_value(v) for v in values]
