"""A sixth carrier added as data: the broker downloads the canonical workbook, uploads one filled in (the invented
サンプル損保 in fixtures/added/), and the carrier is in every comparison, workbook and bulk output, with no code."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient

from aggregator.schema import Carrier
from carriers.canonical import SHEETS, TEMPLATE_NAME
from carriers.plan_workbook import GUIDE_SHEET
from tests.web.conftest import API_BODY, FORM, make_app
from tests.web.test_broker import GOOD, _app, _client_list, _login, _token, _wait
from webapp.extensions import db
from webapp.models import AddedCarrier, AuditEntry

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = next((ROOT / "fixtures" / "added" / "sample_sonpo").glob("*.xlsx"))
CODE, NAME, NAME_EN = "sample_sonpo", "サンプル損保", "Sample Sonpo (invented)"


@pytest.fixture(autouse=True)
def _forget_the_added_carrier() -> Iterator[None]:
    """The carrier registry is the process's: what a test adds, it takes away, so no other test sees six."""
    yield
    Carrier.forget(CODE)


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    return _app(tmp_path)


@pytest.fixture
def broker(app: Flask) -> FlaskClient:
    client = app.test_client()
    assert _login(client).status_code == 302
    return client


def _add(broker: FlaskClient, content: bytes, name: str = SAMPLE.name) -> Any:
    token = _token(broker, "/broker/carriers")
    return broker.post("/broker/carriers/add", data={"csrf_token": token, "file": (io.BytesIO(content), name)}, follow_redirects=True)


def _cells(content: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return "\n".join(str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None)


def test_the_template_is_the_canonical_workbook_with_a_guide_to_every_column(broker: FlaskClient) -> None:
    response = broker.get("/broker/carriers/template.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert quote(TEMPLATE_NAME) in response.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == [*SHEETS.values(), GUIDE_SHEET]
    guide = [row for row in book[GUIDE_SHEET].iter_rows(values_only=True) if row[0] in SHEETS.values()]
    assert ("補償内容", "補償の扱い", "○、内枠、特約、条件付、×、要照会") in guide
    assert any(row[1] == "業種" and "SaaS・クラウドサービス" in str(row[2]) for row in guide)  # the product's own words
    assert "サンプルデータ" not in _cells(response.data)  # a broker fills it with a real carrier's plans


def test_a_sixth_carrier_added_from_the_workbook_is_in_every_comparison_workbook_and_bulk_output(app: Flask, broker: FlaskClient) -> None:
    assert "5社" in app.test_client().get("/").get_data(as_text=True)
    page = _add(broker, SAMPLE.read_bytes()).get_data(as_text=True)
    assert f"{NAME} を追加しました" in page
    assert f'id="{CODE}"' in page and "サンプルデータ" in page
    with app.app_context():
        assert db.session.get(AddedCarrier, CODE).name_en == NAME_EN
        assert db.session.query(AuditEntry).filter_by(action="carrier.add").count() == 1
    log = broker.get("/broker/audit").get_data(as_text=True)
    assert "保険会社の追加(標準様式)" in log and f"{SAMPLE.name}: " in log  # in words, as every entry is

    customer = app.test_client()
    home = customer.get("/").get_data(as_text=True)
    assert "1回の入力で、6社の見積もりを並べて比較" in home and f"・{NAME}の6社に提供します" in home
    created = customer.post("/", data={**FORM, "csrf_token": _token(customer, "/")})
    link = created.headers["Location"]
    results = customer.get(link).get_data(as_text=True)
    assert NAME in results and ("ベーシック" in results or "ワイド" in results)
    assert f"{NAME}の6社を比較します" in results
    assert NAME in _cells(customer.get(f"{link}/comparison.xlsx").data)

    api = customer.post("/api/v1/quotes", json=API_BODY).get_json()
    columns = api["comparison"]["columns"]
    assert CODE in {c["carrier"] for c in columns} and len({c["carrier"] for c in columns}) == 6
    openapi = customer.get("/api/v1/openapi.json").get_json()
    current = openapi["components"]["schemas"]["Applicant"]["properties"]["current_policy"]
    assert CODE in current["properties"]["insurer"]["enum"]


def test_bulk_quoting_gives_the_added_carrier_its_columns(app: Flask, broker: FlaskClient) -> None:
    from webapp.tasks import start_embedded_worker

    assert "追加しました" in _add(broker, SAMPLE.read_bytes()).get_data(as_text=True)
    consumer = start_embedded_worker(app)
    try:
        content = _client_list([GOOD])
        upload = broker.post(
            "/broker/bulk", data={"csrf_token": _token(broker, "/broker/bulk"), "file": (io.BytesIO(content), "顧客.xlsx")}
        )
        token = upload.headers["Location"].rsplit("/", 1)[1]
        assert _wait(broker, token)["status"] == "done"
    finally:
        consumer.stop(graceful=True)
    result = broker.get(f"/broker/bulk/{token}/result.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(result.data))
    result.close()
    header = next(row for row in book["一括見積結果"].iter_rows(values_only=True) if row[0] == "行番号")
    row = next(row for row in book["一括見積結果"].iter_rows(values_only=True) if isinstance(row[0], int))
    status = dict(zip(header, row, strict=True))[f"{NAME} 状態"]
    assert status in ("見積可", "要審査", "概算", "お引受け不可")  # quoted by its own rates, as the five are


def test_another_process_on_the_same_database_quotes_the_added_carrier(app: Flask, broker: FlaskClient, tmp_path: Path) -> None:
    _add(broker, SAMPLE.read_bytes())
    Carrier.forget(CODE)  # a second process starts knowing only the shipped five
    other = make_app(
        app.config["SQLALCHEMY_DATABASE_URI"], tmp_path, HUEY_DB=app.config["HUEY_DB"], CARRIER_DATA=app.config["CARRIER_DATA"]
    )
    with other.app_context():
        assert CODE in {c.value for c in other.extensions["carriers"]}


def test_a_workbook_naming_a_shipped_carriers_code_is_refused_and_nothing_changes(app: Flask, broker: FlaskClient, tmp_path: Path) -> None:
    forged = tmp_path / "forged.xlsx"
    book = openpyxl.load_workbook(SAMPLE)
    ws = book[SHEETS["cover"]]
    next(row for row in ws.iter_rows() if row[0].value == "会社コード")[1].value = "tokio_marine"
    book.save(forged)
    page = _add(broker, forged.read_bytes(), "forged.xlsx").get_data(as_text=True)
    assert "組み込みの保険会社のものです" in page
    assert len(app.extensions["carriers"]) == 5


def test_a_faulty_workbook_is_rejected_with_its_place_and_the_carrier_is_not_quoted(
    app: Flask, broker: FlaskClient, tmp_path: Path
) -> None:
    faulty = tmp_path / "faulty.xlsx"
    book = openpyxl.load_workbook(SAMPLE)
    ws = book[SHEETS["terms"]]
    cell = next(row[3] for row in ws.iter_rows(min_row=5) if row[3].value == "内枠")
    cell.value = "たぶん"
    book.save(faulty)
    page = _add(broker, faulty.read_bytes(), "faulty.xlsx").get_data(as_text=True)
    assert "取り込めませんでした" in page and "sheet=補償内容" in page and f"row={cell.row}" in page and "たぶん" in page
    assert CODE not in app.extensions["carriers"] and len(app.extensions["carriers"]) == 5
    assert "検証を通った版がないため" in broker.get("/broker/carriers").get_data(as_text=True)
    assert "5社" in app.test_client().get("/").get_data(as_text=True)


def test_not_a_workbook_is_refused_by_name(broker: FlaskClient) -> None:
    page = _add(broker, b"code,name\n", "carrier.csv").get_data(as_text=True)
    assert "保険会社を追加できませんでした" in page and "carrier.csv" in page


def test_the_same_code_again_is_a_new_version_of_the_added_carrier(app: Flask, broker: FlaskClient, tmp_path: Path) -> None:
    _add(broker, SAMPLE.read_bytes())
    renamed = tmp_path / "v2.xlsx"
    book = openpyxl.load_workbook(SAMPLE)
    ws = book[SHEETS["cover"]]
    next(row for row in ws.iter_rows() if row[0].value == "会社名(英語)")[1].value = "Sample Sonpo v2 (invented)"
    book.save(renamed)
    assert "追加しました" in _add(broker, renamed.read_bytes(), "v2.xlsx").get_data(as_text=True)
    assert Carrier(CODE).names.en == "Sample Sonpo v2 (invented)"
    assert len(app.extensions["carriers"]) == 6

    ws = book[SHEETS["cover"]]  # a third version that does not pass: neither its names nor its data are taken
    next(row for row in ws.iter_rows() if row[0].value == "会社名(英語)")[1].value = "Sample Sonpo v3 (invented)"
    next(row for row in book[SHEETS["terms"]].iter_rows(min_row=5) if row[3].value == "内枠")[3].value = "たぶん"
    book.save(tmp_path / "v3.xlsx")
    assert "取り込めませんでした" in _add(broker, (tmp_path / "v3.xlsx").read_bytes(), "v3.xlsx").get_data(as_text=True)
    assert Carrier(CODE).names.en == "Sample Sonpo v2 (invented)"
    with app.app_context():
        assert db.session.get(AddedCarrier, CODE).name_en == "Sample Sonpo v2 (invented)"
    assert CODE in app.extensions["carriers"]  # the version that passed is still quoted
