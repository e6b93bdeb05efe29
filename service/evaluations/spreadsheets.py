"""Reading the spreadsheets HR keeps (CSV or XLSX) into rows keyed by canonical column names,
and their cells into values, for the session imports (``service.evaluations.imports``).

Files
-----
* **XLSX** (read with ``openpyxl``): the first worksheet; row 1 is the header. Keep ID numbers
  in text cells: an 18-digit number in a number cell has already lost its last digits, so such a
  cell is reported, never guessed at. Dates may be date cells or ``YYYY-MM-DD`` text.
* **CSV**: UTF-8 (with or without BOM) or GB 18030 (what Excel saves on Chinese Windows); comma
  separated; row 1 is the header.

Row numbers in problems are the spreadsheet's own (the header is row 1, the first data row 2);
blank rows are skipped. Headers may be English or the Chinese column names below; ``序号``/``no``
and ``备注``/``note`` columns are ignored; any other unknown column is a problem (a misspelt
column must not be silently dropped).

Row numbers in problems are the spreadsheet's own (the header is row 1, the first data row 2);
blank rows are skipped. ``序号``/``no`` and ``备注``/``note`` columns are ignored; any other
unknown column is a problem (a misspelt column must not be silently dropped).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from domain.errors import InvalidValue
from domain.evaluation import parse_score, score_text
from domain.id_number import IdKind, IdNumber

__all__ = [
    "MAX_ROWS",
    "CellProblem",
    "RowProblem",
    "Table",
    "cell_text",
    "date_cell",
    "id_number_cell",
    "is_blank",
    "read_table",
    "score_cell",
]

MAX_ROWS = 20_000
IGNORED = {"序号", "no", "no.", "#", "备注", "note", "notes", "remarks"}


@dataclass(frozen=True)
class RowProblem:
    """One problem: the spreadsheet row (1 = header), the column as named in the file, why."""

    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


# -- reading files ------------------------------------------------------------------------------


@dataclass
class Table:
    format: str
    columns: dict[str, str] = field(default_factory=dict)
    """canonical column name → the header as written in the file"""
    rows: list[tuple[int, dict[str, object]]] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    has_header: bool = False


def _aliases(columns: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    found = {}
    for name, aliases in columns.items():
        for alias in (name, *aliases):
            found[alias.strip().lower()] = name
    return found


def _raw_rows(data: bytes) -> tuple[str, list[list[object]]]:
    if data[:4] == b"PK\x03\x04":
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError):
            raise InvalidValue("file", "not a readable XLSX workbook") from None
        try:
            sheet = workbook.worksheets[0]
            rows = []
            for values in sheet.iter_rows(values_only=True):
                rows.append(list(values))
                if len(rows) > MAX_ROWS + 1:
                    break
        finally:
            workbook.close()
        return "xlsx", rows
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes almost anything
        raise InvalidValue("file", "not UTF-8 or GB 18030 text")
    if "\x00" in text:
        raise InvalidValue("file", "not a CSV text file (it contains NUL bytes)")
    try:
        rows = []
        for values in csv.reader(io.StringIO(text, newline="")):
            rows.append(list(values))
            if len(rows) > MAX_ROWS + 1:
                break
    except csv.Error as error:
        raise InvalidValue("file", f"not readable as CSV: {error}") from None
    return "csv", rows


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_table(data: bytes, columns: Mapping[str, tuple[str, ...]]) -> Table:
    """Read a CSV or XLSX file into rows keyed by canonical column name (problems collected)."""
    try:
        kind, raw = _raw_rows(data)
    except InvalidValue as error:
        return Table("unknown", problems=[RowProblem(1, "", f"{error.field}: {error.detail}")])
    table = Table(kind)
    if not raw or all(is_blank(value) for value in raw[0]):
        table.problems.append(RowProblem(1, "", "the file is empty or has no header row"))
        return table
    table.has_header = True
    aliases = _aliases(columns)
    positions: dict[int, str] = {}
    for index, heading in enumerate(raw[0]):
        if is_blank(heading):
            continue
        written = str(heading).strip()
        key = written.lower()
        if key in IGNORED:
            continue
        name = aliases.get(key)
        if name is None:
            table.problems.append(
                RowProblem(1, written, f"unknown column; known columns: {', '.join(columns)}")
            )
            continue
        if name in table.columns:
            table.problems.append(
                RowProblem(1, written, f"duplicate column: {table.columns[name]} is also {name}")
            )
            continue
        table.columns[name] = written
        positions[index] = name
    if len(raw) > MAX_ROWS + 1:
        table.problems.append(
            RowProblem(MAX_ROWS + 2, "", f"at most {MAX_ROWS} rows per file; split the file")
        )
        raw = raw[: MAX_ROWS + 1]
    for number, values in enumerate(raw[1:], start=2):
        if all(is_blank(value) for value in values):
            continue
        row = {name: values[i] if i < len(values) else None for i, name in positions.items()}
        table.rows.append((number, row))
    return table


# -- cell values ----------------------------------------------------------------------------------


class CellProblem(ValueError):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


def cell_text(row: Mapping[str, object], name: str) -> str:
    value = row.get(name)
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format(Decimal(repr(value)).normalize(), "f")
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def date_cell(row: Mapping[str, object], name: str) -> str | None:
    value = row.get(name)
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = cell_text(row, name)
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise CellProblem(name, "must be a date YYYY-MM-DD") from None


def score_cell(row: Mapping[str, object], name: str) -> str | None:
    """A score cell as a decimal string (an XLSX number cell is read by its shortest decimal)."""
    value = row.get(name)
    if is_blank(value):
        return None
    text = cell_text(row, name)
    try:
        return score_text(parse_score(text))
    except InvalidValue as error:
        raise CellProblem(name, error.detail) from None


def id_number_cell(row: Mapping[str, object]) -> IdNumber:
    value = row.get("id_number")
    if is_blank(value):
        raise CellProblem("id_number", "is required")
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise CellProblem(
            "id_number",
            "is a number cell; store ID numbers as text (a spreadsheet number keeps only 15 "
            "digits, so this one may already have lost its last digits)",
        )
    kind_text = cell_text(row, "id_kind") or IdKind.RESIDENT.value
    try:
        kind = IdKind(kind_text)
    except ValueError:
        raise CellProblem(
            "id_kind", f"must be one of {', '.join(kind.value for kind in IdKind)}"
        ) from None
    try:
        return IdNumber.parse(cell_text(row, "id_number").upper(), kind)
    except InvalidValue as error:
        raise CellProblem("id_number", f"{error.field}: {error.detail}") from None
