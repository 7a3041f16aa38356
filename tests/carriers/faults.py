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


def replace_cells(folder: Path, old: str, new: str, *, first_only: bool = False) -> list[tuple[str, str | None, int]]:
    """Every cell (or JSON string) whose whole text is `old` becomes `new`: each as (file, sheet, row), in file order."""
    changed: list[tuple[str, str | None, int]] = []
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        if first_only and changed:
            break
        if path.suffix == ".xlsx":
            book = openpyxl.load_workbook(path)
            for ws in book.worksheets:
                for row in ws.iter_rows():
                    for cell in row:
                        if isinstance(cell.value, str) and cell.value.strip() == old and not (first_only and changed):
                            cell.value = new
                            changed.append((path.name, ws.title, cell.row))
            if any(name == path.name for name, _, _ in changed):
                book.save(path)
        elif path.suffix == ".csv":
            text, encoding = _decode(path.read_bytes())
            rows = list(csv.reader(io.StringIO(text, newline="")))
            for number, row in enumerate(rows, start=1):
                for i, value in enumerate(row):
                    if value.strip() == old and not (first_only and changed):
                        row[i] = new
                        changed.append((path.name, None, number))
            if any(name == path.name for name, _, _ in changed):
                out = io.StringIO(newline="")
                csv.writer(out, lineterminator="\r\n").writerows(rows)
                path.write_bytes(out.getvalue().encode(encoding.replace("-sig", "") if encoding == "cp932" else encoding))
        elif path.suffix == ".json":
            data = json.loads(path.read_text("utf-8-sig"))
            data, count = _replace_json(data, old, new)
            if count:
                path.write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")
                changed.append((path.name, None, 0))
    return changed
