"""The page, the workbook, the API and `aggregator quote --json` agree on what each plan pays, pool by pool."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import openpyxl
from click.testing import CliRunner
from flask.testing import FlaskClient

from aggregator.cli import main
from aggregator.money import format_yen
from tests.web.conftest import API_BODY


def _api_quote(client: FlaskClient) -> tuple[str, dict[str, Any]]:
    created = client.post("/api/v1/quotes", json=API_BODY)
    assert created.status_code == 201
    body = created.get_json()
    return body["id"], body["comparison"]


def test_the_json_names_each_pool_with_its_limit_and_items(client: FlaskClient) -> None:
    _id, comparison = _api_quote(client)
    for column in comparison["columns"]:
        pools = {p["pool_id"]: p for p in column["pools"]}
        assert pools["policy"]["limit_jpy"] == column["quoted"]["limit_jpy"]
        cells = {c["key"]: c for c in column["cells"]}
        for pool in pools.values():
            paid = sum(cells[k]["payable_jpy"] or 0 for k in pool["keys"])
            assert paid == pool["paid_jpy"] <= pool["limit_jpy"]
            assert pool["shortfall_jpy"] == pool["need_jpy"] - pool["paid_jpy"]
        assert column["terms_ja"][0] == {"label": "補償の基準", "text": "損害賠償請求ベース"}


def test_page_workbook_api_and_cli_agree_on_every_figure(client: FlaskClient, tmp_path: Path) -> None:
    token, comparison = _api_quote(client)
    page = client.get(f"/quotes/{token}").get_data(as_text=True)
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/quotes/{token}/comparison.xlsx").data))
    sheet = book["比較表"]
    values = [cell.value for row in sheet.iter_rows() for cell in row if cell.value is not None]

    applicant = tmp_path / "applicant.json"
    applicant.write_text(json.dumps({k: v for k, v in API_BODY.items() if k != "consent"}, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(main, ["quote", str(applicant), "--json", "--as-of", "2026-11-21"])
    assert result.exit_code == 0, result.output
    cli = json.loads(result.output)

    assert [c["pools"] for c in cli["columns"]] == [c["pools"] for c in comparison["columns"]]
    assert [[x["payable_jpy"] for x in c["cells"]] for c in cli["columns"]] == [
        [x["payable_jpy"] for x in c["cells"]] for c in comparison["columns"]
    ]
    for column in comparison["columns"]:
        for pool in column["pools"]:
            assert f"必要 {format_yen(pool['need_jpy'])}" in page and f"支払 {format_yen(pool['paid_jpy'])}" in page
            assert pool["paid_jpy"] in values and pool["limit_jpy"] in values
        for cell in column["cells"]:
            if cell["payable_jpy"] is not None and cell["shortfall_jpy"]:
                assert f"▲{format_yen(cell['shortfall_jpy'])}" in page
                assert cell["shortfall_jpy"] in values
    assert "主な条件・免責" in page and "【主な条件・免責】" in values
    assert "【支払限度額の枠(共有する限度額)】" in values


def test_the_sompo_basic_plan_shows_its_leak_only_liability_as_narrower(client: FlaskClient) -> None:
    body = {**API_BODY, "limit_jpy": 300_000_000, "deductible_jpy": 500_000}
    created = client.post("/api/v1/quotes", json={**body, "priorities": {"order": ["lowest_price"]}}).get_json()
    page = client.get(f"/quotes/{created['id']}").get_data(as_text=True)
    sompo = next(c for c in created["comparison"]["columns"] if c["carrier"] == "sompo_japan")
    assert sompo["plan_code"] == "CY-BASIC"  # its cheapest plan meeting 3億 and 50万: the basic plan, whose liability pays for leaks only
    liability = next(c for c in sompo["cells"] if c["key"] == "liability_damages")
    assert liability["scope"] == "個人情報・情報の漏えいに起因する賠償責任に限る" and not liability["best"]
    assert "範囲: 個人情報・情報の漏えいに起因する賠償責任に限る" in liability["notes_ja"]
    assert "範囲: 個人情報・情報の漏えいに起因する賠償責任に限る" in page and "範囲限定" in page
