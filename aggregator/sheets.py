"""Spreadsheet cells written from user or carrier text, made safe against formula injection."""

from __future__ import annotations

# A cell starting with one of these may run as a formula when opened or edited in Excel
# or LibreOffice; full-width forms count, as Japanese input methods type them.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def safe_text(value: str) -> str:
    """Text as it was typed, with a leading apostrophe where it could start a formula."""
    if value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value
