"""The broker's carrier page offers the items an unclassified wording could be, first in its list."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from aggregator.schema import Carrier
from tests.web.test_broker import _app, _carrier_copy, _login, _token, _upload


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    return _app(tmp_path)


@pytest.fixture
def broker(app: Flask) -> FlaskClient:
    client = app.test_client()
    assert _login(client).status_code == 302
    return client


def test_an_ambiguous_wording_is_listed_with_its_candidates_and_mapped_from_them(app: Flask, broker: FlaskClient, tmp_path: Path) -> None:
    path = _carrier_copy(tmp_path) / "sompo_japan" / "plans.json"
    # under その他 nothing says whether legal expenses are defence or advice
    strange = path.read_text(encoding="utf-8").replace("サイバー攻撃に起因する納期遅延損害", "Legal Expenses", 1).encode()
    page = _upload(broker, "sompo_japan", "plans.json", strange)
    assert "「Legal Expenses」" in page
    assert "候補: 弁護士・コンサルタント相談費用(legal_consulting)、争訟費用(litigation_costs)" in page
    listed = page[page.index("「Legal Expenses」") :]
    assert listed.index('<optgroup label="候補"><option value="legal_consulting">') < listed.index('<optgroup label="すべての補償項目">')
    dataset = page[page.index("/broker/carriers/sompo_japan/mappings/") :].split('"', 1)[0]
    mapped = broker.post(dataset, data={"csrf_token": _token(broker, "/broker/carriers"), "key-0": "cyber_delay"})
    assert mapped.status_code == 302
    plan = app.extensions["carriers"][Carrier.SOMPO_JAPAN].plans[0]
    assert any(t.wording == "Legal Expenses" for t in plan.terms)
