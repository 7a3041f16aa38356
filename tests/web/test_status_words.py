"""One word per status: the page, the API, the comparison workbook, the bulk workbook and the terminal say the same."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import openpyxl
from click.testing import CliRunner
from flask.testing import FlaskClient

from aggregator.cli import main
from aggregator.codes import CellKind
from aggregator.labels import CLAUSE_LABELS, KIND_LABELS, QUOTE_STATUS_LABELS
from aggregator.schema import QuoteStatus

# An IT E&O request four carriers answer differently: 2,000,000 records without MFA (declined by
# two, subject to putting MFA in place at one), one incident in three years (referred by one).
RISKY: dict[str, Any] = {
    "company": "株式会社ステータス確認",
    "industry": "system_integration",
    "annual_revenue_jpy": 500_000_000,
    "employees": 45,
    "records_held": 2_000_000,
    "servers": 12,
    "largest_contract_jpy": 30_000_000,
    "contract_type": "ukeoi",
    "controls": [],
    "incidents_3y": 1,
    "lines": ["it_eo"],
    "limit_jpy": 100_000_000,
    "deductible_jpy": 100_000,
}
PLAIN = {**RISKY, "company": "株式会社ステータス確認2", "records_held": 30_000, "incidents_3y": 0}  # quoted by all


def _page_words(client: FlaskClient, token: str, lang: str) -> list[tuple[str, str]]:
    page = client.get(f"/quotes/{token}" + ("?lang=en" if lang == "en" else "")).get_data(as_text=True)
    return re.findall(r'<td class="status status-(\w+)">([^<]*)</td>', page)


def _sheet_row(book: Any, sheet: str, first: str) -> list[Any]:
    row = next(r for r in book[sheet].iter_rows(values_only=True) if r[0] == first)
    return [v for v in row[1:] if v is not None]


def _bulk_statuses(tmp_path: Path) -> list[dict[str, str]]:
    """`aggregator bulk` on a list of the two requests: each row's status cell per carrier."""
    head = ["会社名", "業種", "売上高(円)", "従業員数", "保有個人情報件数", "サーバー台数", "最大契約金額(円)", "契約形態"]
    head += ["過去3年の事故件数", "希望種目", "支払限度額(円)", "免責金額(円)"]
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(head)
    for a in (RISKY, PLAIN):
        ws.append(
            [
                a["company"],
                "システム受託開発・SI",
                *(a[k] for k in ("annual_revenue_jpy", "employees", "records_held", "servers", "largest_contract_jpy")),
                "請負",
                a["incidents_3y"],
                "IT業務過誤賠償責任保険",
                a["limit_jpy"],
                a["deductible_jpy"],
            ]
        )
    source, target = tmp_path / "clients.xlsx", tmp_path / "results.xlsx"
    book.save(source)
    result = CliRunner().invoke(main, ["bulk", str(source), "-o", str(target), "--as-of", "2026-11-21"])
    assert result.exit_code == 0, result.output
    rows = list(openpyxl.load_workbook(target)["一括見積結果"].iter_rows(values_only=True))
    header = rows[2]
    return [{h.removesuffix(" 状態"): v for h, v in zip(header, row, strict=True) if h and h.endswith(" 状態")} for row in rows[3:]]


def test_every_surface_words_each_status_the_same(client: FlaskClient, tmp_path: Path) -> None:
    seen: set[QuoteStatus] = set()
    bulk = _bulk_statuses(tmp_path)
    for n, request in enumerate((RISKY, PLAIN)):
        created = client.post("/api/v1/quotes", json={**request, "consent": True})
        assert created.status_code == 201, created.get_json()
        token, comparison = created.get_json()["id"], created.get_json()["comparison"]
        statuses = [QuoteStatus(c["status"]) for c in comparison["columns"]]
        seen.update(statuses)
        ja = [QUOTE_STATUS_LABELS[s][0] for s in statuses]
        en = [QUOTE_STATUS_LABELS[s][1] for s in statuses]

        assert [c["status_label"] for c in comparison["columns"]] == ja  # the API
        assert _page_words(client, token, "ja") == [(s.value, w) for s, w in zip(statuses, ja, strict=True)]
        book = openpyxl.load_workbook(io.BytesIO(client.get(f"/quotes/{token}/comparison.xlsx").data))
        assert _sheet_row(book, "比較表", "状態") == ja
        underwriting = {r[2] for r in book["引受条件・お断り"].iter_rows(min_row=6, values_only=True) if r[2]}
        assert set(ja) - {QUOTE_STATUS_LABELS[QuoteStatus.QUOTED][0]} <= underwriting <= set(ja)
        assert _page_words(client, token, "en") == [(s.value, w) for s, w in zip(statuses, en, strict=True)]
        client.get("/?lang=ja")

        applicant = tmp_path / f"applicant{n}.json"
        applicant.write_text(json.dumps(request, ensure_ascii=False), encoding="utf-8")
        terminal = CliRunner().invoke(main, ["quote", str(applicant), "--as-of", "2026-11-21"])
        assert terminal.exit_code == 0, terminal.output
        assert next(line for line in terminal.output.splitlines() if line.startswith("状態")).split()[1:] == ja

        by_carrier = {c["carrier_name"]: w for c, w in zip(comparison["columns"], ja, strict=True)}
        assert {k: v for k, v in bulk[n].items() if v != "取扱なし"} == by_carrier  # the bulk workbook's status cells
    assert seen == set(QuoteStatus)  # every status was shown, so every word was compared
    assert [w for w, _ in QUOTE_STATUS_LABELS.values()] == ["見積可", "条件付き見積", "要引受審査", "お引受け不可"]


def test_the_contract_checks_clauses_and_an_unknown_item_read_the_same_on_the_page_and_in_the_workbook(client: FlaskClient) -> None:
    contract = {"liability_cap": "contract_amount", "special_damages_excluded": "yes", "gross_negligence_includes_leaks": "yes"}
    created = client.post("/api/v1/quotes", json={**RISKY, "contract": contract, "consent": True}).get_json()
    page = client.get(f"/quotes/{created['id']}").get_data(as_text=True)
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/quotes/{created['id']}/comparison.xlsx").data))

    on_page = re.findall(r'<span class="tag tag-(ok|weak|unknown)">([^<]*)</span>', page)
    assert {status for status, _ in on_page} == {"ok", "weak", "unknown"}
    assert all(word == CLAUSE_LABELS[status][0] for status, word in on_page)
    sheet = [r[2] for r in book["契約の確認"].iter_rows(values_only=True) if r[2] in {w for w, _ in CLAUSE_LABELS.values()}]
    assert sheet == [word for _, word in on_page]  # the same clauses, in the same order, in the same words

    unknown = KIND_LABELS[CellKind.UNKNOWN][0]
    cells = re.findall(r'<td class="num cell-unknown[^"]*"[^>]*>\s*([^<]*?)\s*<', page)
    assert cells and set(cells) == {unknown}
    assert unknown in {v for row in book["比較表"].iter_rows(values_only=True) for v in row}
