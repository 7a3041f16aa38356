"""Faults put into a carrier's files whatever their format (xlsx, CSV in its encoding, JSON), for the contract tests."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import openpyxl

ENCODINGS = ("utf-8-sig", "cp932")


def _decode(raw: bytes) -> tuple[str, str]:
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise AssertionError("a fixture CSV in an encoding the contract tests do not know")


def _replace_json(node: Any, old: str, new: str) -> tuple[Any, int]:
    if isinstance(node, str):
        return (new, 1) if node == old else (node, 0)
    if isinstance(node, list):
        pairs = [_replace_json(v, old, new) for v in node]
        return [v for v, _ in pairs], sum(n for _, n in pairs)
    if isinstance(node, dict):
        out, count = {}, 0
        for key, value in node.items():
            out[key], n = _replace_json(value, old, new)
            count += n
        return out, count
    return node, 0


def _xlsx(path: Path, old: str, new: str, room: int) -> list[tuple[str, str | None, int]]:
    changed: list[tuple[str, str | None, int]] = []
    book = openpyxl.load_workbook(path)
    cells = ((ws, cell) for ws in book.worksheets for row in ws.iter_rows() for cell in row)
    for ws, cell in cells:
        if isinstance(cell.value, str) and cell.value.strip() == old and len(changed) < room:
            cell.value = new
            changed.append((path.name, ws.title, cell.row))
    if changed:
        book.save(path)
    return changed


def _csv(path: Path, old: str, new: str, room: int) -> list[tuple[str, str | None, int]]:
    changed: list[tuple[str, str | None, int]] = []
    text, encoding = _decode(path.read_bytes())
    rows = list(csv.reader(io.StringIO(text, newline="")))
    for number, row in enumerate(rows, start=1):
        for i, value in enumerate(row):
            if value.strip() == old and len(changed) < room:
                row[i] = new
                changed.append((path.name, None, number))
    if changed:
        out = io.StringIO(newline="")
        csv.writer(out, lineterminator="\r\n").writerows(rows)
        path.write_bytes(out.getvalue().encode("utf-8-sig" if encoding == "utf-8-sig" else encoding))
    return changed


def _json(path: Path, old: str, new: str, room: int) -> list[tuple[str, str | None, int]]:
    data, count = _replace_json(json.loads(path.read_text("utf-8-sig")), old, new)
    if not count:
        return []
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")
    return [(path.name, None, 0)]


WRITERS = {".xlsx": _xlsx, ".csv": _csv, ".json": _json}


def replace_cells(folder: Path, old: str, new: str, *, first_only: bool = False) -> list[tuple[str, str | None, int]]:
    """Every cell (or JSON string) whose whole text is `old` becomes `new` (or only the first, in file order):
    each changed one as (file, sheet, row)."""
    changed: list[tuple[str, str | None, int]] = []
    for path in sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in WRITERS):
        room = 1 - len(changed) if first_only else 1 << 30
        if room > 0:
            changed += WRITERS[path.suffix](path, old, new, room)
    return changed
