"""CSV cells a spreadsheet shows as text, never runs as a formula (OWASP "CSV injection").

A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel,
LibreOffice and Google Sheets as a formula: a customer named `=HYPERLINK(...)` would run
on the accountant's machine. Such a cell gets a leading apostrophe, which the spreadsheet
hides and which makes it text. A plain number (a negative amount: `-12.50`) is no formula
and is written as it is, so numeric columns stay numeric.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Protocol

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


class Writable(Protocol):
    def write(self, text: str, /) -> object: ...


def csv_cell(value: str) -> str:
    """The value as a spreadsheet will show it: as text whenever it could run."""
    if value.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


class SafeCsvWriter:
    """`csv.writer` whose every cell goes through `csv_cell`: every CSV the product
    writes uses it."""

    def __init__(self, out: Writable) -> None:
        self._writer = csv.writer(out)

    def writerow(self, row: Iterable[str]) -> object:
        """Write the row; returns what the file's `write` returned (a streamed line)."""
        return self._writer.writerow([csv_cell(cell) for cell in row])
