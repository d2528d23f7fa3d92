"""What can be wrong with an import: the whole file (``SpreadsheetError``), one cell's value
(``ValueProblem``, raised by the cell parsers) and a row's problem as stored (``RowError``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class SpreadsheetError(Exception):
    """The whole file is unusable; the message is Russian and says what to do."""


class ValueProblem(ValueError):
    """A cell value that cannot be understood; the message is Russian."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str
    cell: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "cell": self.cell, "message": self.message}
