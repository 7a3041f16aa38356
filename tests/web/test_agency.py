"""What the law asks of a comparison site (保険業法 294条の2): the agency's name, registration and policies on every surface."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pytest
from flask.testing import FlaskClient

from aggregator.agency import DEFAULT_RECOMMENDATION_POLICY, PLACEHOLDER_NAME, PLACEHOLDER_REGISTRATION
from tests.web.conftest import FORM, make_app
from webapp.config import ConfigError

AGENCY = {
    "AGENCY_NAME": "株式会社みなと保険サービス",
    "AGENCY_NAME_EN": "Minato Insurance Services Co., Ltd.",
    "AGENCY_REGISTRATION_NO": "関東財務局長(代理店)第12345号",
}


def _quote(client: FlaskClient) -> str:
    created = client.post("/", data=FORM)
    assert created.status_code == 302, created.get_data(as_text=True)[:500]
    return created.headers["Location"]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_development_shows_placeholders_that_say_so_on_every_public_page(client: FlaskClient) -> None:
    link = _quote(client)
    pages = ["/", link, "/policies/recommendation", "/policies/solicitation", "/policies/privacy", "/quotes/no-such-token-at-all"]
    for path in pages:
        html = client.get(path).get_data(as_text=True)
        text = _text(html)
        assert PLACEHOLDER_NAME[0] in text and PLACEHOLDER_REGISTRATION[0] in text, path
        assert "開発用の仮の表示です" in text, path
        assert DEFAULT_RECOMMENDATION_POLICY[0] in text, path  # the policy: narrowed by the customer's stated wishes
        for name in ("recommendation", "solicitation", "privacy"):
            assert f'href="/policies/{name}"' in html, (path, name)
    english = _text(client.get("/?lang=en").get_data(as_text=True))
    assert PLACEHOLDER_NAME[1] in english and PLACEHOLDER_REGISTRATION[1] in english and DEFAULT_RECOMMENDATION_POLICY[1] in english
    for name, words in (("solicitation", "開発用の見本"), ("privacy", "開発用の見本")):
        page = _text(client.get(f"/policies/{name}?lang=ja").get_data(as_text=True))
        assert words in page and "代理店の方針に差し替えてください" in page
    assert client.get("/policies/terms").status_code == 404


def test_the_settings_are_read_from_the_environment_and_the_policy_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name, value in AGENCY.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AGENCY_AUTHORITY", "intermediary")
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "recommendation.md").write_text("お客様のご意向に沿って、保障の広さと保険料で絞り込みます。", encoding="utf-8")
    (policies / "solicitation.md").write_text("当社の勧誘方針\n\n- 法令を守ります。\n- お客様の立場でご説明します。", encoding="utf-8")
    (policies / "privacy.md").write_text("<script>alert(1)</script>個人情報は見積もりにだけ使います。", encoding="utf-8")
    monkeypatch.setenv("AGENCY_POLICY_DIR", str(policies))
    client = make_app(f"sqlite:///{tmp_path / 'a.sqlite3'}", tmp_path, WTF_CSRF_ENABLED=False).test_client()
    page = _text(client.get("/").get_data(as_text=True))
    assert AGENCY["AGENCY_NAME"] in page and AGENCY["AGENCY_REGISTRATION_NO"] in page
    assert "開発用の仮の表示です" not in page
    assert "保険契約の締結の媒介を行います" in page  # AGENCY_AUTHORITY=intermediary
    assert "保障の広さと保険料で絞り込みます" in page  # recommendation.md replaces the default policy
    assert AGENCY["AGENCY_NAME_EN"] in _text(client.get("/?lang=en").get_data(as_text=True))
    solicitation = client.get("/policies/solicitation?lang=ja").get_data(as_text=True)
    assert "<li>法令を守ります。</li>" in solicitation and "開発用の見本" not in solicitation
    privacy = client.get("/policies/privacy").get_data(as_text=True)
    assert "&lt;script&gt;" in privacy and "<script>alert" not in privacy  # a policy file is text, never HTML
    english = _text(client.get("/policies/solicitation?lang=en").get_data(as_text=True))
    assert "法令を守ります" in english and "This policy is available in Japanese only." in english  # no .en.md: the Japanese, said so
    (policies / "recommendation.md").write_text("書き換えた方針", encoding="utf-8")
    assert "書き換えた方針" not in client.get("/?lang=ja").get_data(as_text=True)  # the files are read when the app starts


def test_the_english_name_falls_back_to_the_name() -> None:
    from aggregator.agency import Agency

    assert Agency(name="株式会社みなと", registration_no="第1号").display_name("en") == "株式会社みなと"
    assert Agency(name="株式会社みなと", name_en="Minato", registration_no="第1号").display_name("en") == "Minato"
    assert not Agency(name="株式会社みなと", registration_no="第1号").placeholder and Agency(name="株式会社みなと").placeholder


def test_an_unknown_authority_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="AGENCY_AUTHORITY"):
        make_app(f"sqlite:///{tmp_path / 'a.sqlite3'}", tmp_path, AGENCY_AUTHORITY="broker")


def test_production_refuses_without_the_agency_name_registration_or_policies(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AGGREGATOR_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    url = f"sqlite:///{tmp_path / 'p.sqlite3'}"
    base = {"TESTING": False, "AGENCY_POLICY_DIR": str(tmp_path / "policies")}
    with pytest.raises(ConfigError, match="AGENCY_NAME"):
        make_app(url, tmp_path, **base)
    with pytest.raises(ConfigError, match="AGENCY_REGISTRATION_NO"):
        make_app(url, tmp_path, **base, AGENCY_NAME=AGENCY["AGENCY_NAME"])
    with pytest.raises(ConfigError, match=r"solicitation\.md, .*privacy\.md"):
        make_app(url, tmp_path, **base, AGENCY_NAME=AGENCY["AGENCY_NAME"], AGENCY_REGISTRATION_NO="第1号")


def test_the_workbook_names_the_agency_and_calls_the_plan_a_candidate(tmp_path: Path) -> None:
    client = make_app(f"sqlite:///{tmp_path / 'w.sqlite3'}", tmp_path, WTF_CSRF_ENABLED=False, **AGENCY).test_client()
    link = _quote(client)
    for lang, words in (
        ("ja", ("取扱代理店", "比較推奨販売の方針", "ご希望に基づく候補")),
        ("en", ("Your agency", "Recommendation policy", "Candidate")),
    ):
        response = client.get(f"{link}/comparison.xlsx?lang={lang}")
        book = openpyxl.load_workbook(io.BytesIO(response.data))
        texts = [str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
        everything = "\n".join(texts)
        assert AGENCY["AGENCY_REGISTRATION_NO"] in everything
        assert (AGENCY["AGENCY_NAME_EN"] if lang == "en" else AGENCY["AGENCY_NAME"]) in everything
        assert all(w in everything for w in words), (lang, words)
        advice = "\n".join(str(c.value) for row in book.worksheets[1].iter_rows() for c in row if c.value)
        assert AGENCY["AGENCY_REGISTRATION_NO"] in advice  # the ご提案 sheet names who advises
        notes = "\n".join(str(c.value) for row in book.worksheets[-1].iter_rows() for c in row if c.value)
        assert AGENCY["AGENCY_REGISTRATION_NO"] in notes and "/policies/solicitation" in notes and "/policies/privacy" in notes
