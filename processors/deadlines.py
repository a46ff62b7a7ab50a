"""When a year's report is due: the legal deadlines, as a rule of the report format.

政府信息公开条例 art. 49/50: departments and towns publish by 31 January, the
government-wide (本级人民政府) report by 31 March (the ``[deadlines]`` section of the
configuration can change both). Pure: no clock, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Deadlines:
    """Month-day by which a year's report is due in the following year."""

    department: str = "01-31"  # departments and towns
    government: str = "03-31"  # the government-wide (本级人民政府) report

    def due(self, level: str, year: int) -> str:
        """``YYYY-MM-DD`` by which the report of ``year`` is due for a body of ``level``."""
        day = self.department if level in ("department", "town") else self.government
        return f"{year + 1}-{day}"
