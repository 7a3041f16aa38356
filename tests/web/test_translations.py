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
