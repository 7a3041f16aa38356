"""Pages in one language: carriers' plan names and notes in the page's language where their data gives it, marked where not."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from tests.web.conftest import FORM


def _headers(page: str) -> list[str]:
    return re.findall(r'<th scope="col" class="plan">(.*?)</th>', page)


def test_english_pages_show_english_plan_names_and_notes_and_mark_japanese_only_ones(client: FlaskClient) -> None:
    link = client.post("/", data=FORM).headers["Location"]
    ja = client.get(f"{link}?lang=ja").get_data(as_text=True)
    assert any("CyberEdge プロフェッショナル" in h or "CyberEdge エッセンシャル" in h for h in _headers(ja))
    assert "Within, not in addition to" not in ja  # AIG's notes in Japanese on a Japanese page
    assert "支払限度額の内枠です(支払限度額に上乗せされません)" in ja
    en = client.get(f"{link}?lang=en").get_data(as_text=True)
    headers = _headers(en)
    assert any("Cyber Risk Insurance, " in h for h in headers)  # Tokio Marine's English
    assert any(re.search(r"CyberEdge (Essentials|Professional)", h) for h in headers)
    japanese_only = [h for h in headers if "Japanese only" in h]
    assert japanese_only and all('<span lang="ja">' in h for h in japanese_only)  # Mitsui Sumitomo, Aioi Nissay Dowa
    assert "Within, not in addition to, the Limit of Liability" in en
    assert "支払限度額の内枠です" not in en


def test_carrier_names_in_the_headers_break_only_between_their_words(client: FlaskClient) -> None:
    link = client.post("/", data=FORM).headers["Location"]
    page = client.get(f"{link}?lang=ja").get_data(as_text=True)
    aioi = next(h for h in _headers(page) if "ニッセイ" in h)
    carrier = re.search(r'<span class="carrier">(.*?)</span><span class="plan-name">', aioi)
    assert carrier is not None
    words = carrier.group(1).split("<wbr>")
    assert [re.sub(r"<[^>]+>", "", w) for w in words] == ["あいおい", "ニッセイ", "同和損保"]
    assert all(w.startswith('<span class="nobreak">') for w in words)
    with client.get("/static/style.css") as response:
        css = response.get_data(as_text=True)
    assert ".nobreak { white-space: nowrap; }" in css and "line-break: strict" in css
