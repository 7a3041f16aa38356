"""Every Japanese string on a page has its English: a page never switches language halfway."""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "webapp" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
METHODS = [("webapp/**.py", "python"), ("webapp/templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None}


def test_every_message_has_an_english_translation() -> None:
    catalog = read_po(io.BytesIO(CATALOG.read_bytes()))
    used = {message for _file, _line, message, _comments, _context in extract_from_dir(str(ROOT), METHODS, keywords=KEYWORDS)}
    assert len(used) > 150, "the extractor found the pages' messages"
    missing = sorted(m for m in used if isinstance(m, str) and not (catalog.get(m) and catalog.get(m).string))
    assert missing == []


def test_every_flashed_message_goes_through_translation() -> None:
    """A flash() whose words are not a gettext call would show Japanese on an English page (or the reverse)."""
    import ast

    untranslated = []
    for path in sorted((ROOT / "webapp").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "flash":
                words = node.args[0] if node.args else None
                if not (isinstance(words, ast.Call) and getattr(words.func, "id", None) in KEYWORDS):
                    untranslated.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert untranslated == []
