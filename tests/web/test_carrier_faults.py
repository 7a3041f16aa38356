"""Carrier data faults in the web app: a poisoned upload, a stored version that no longer validates, an upload cut off."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from aggregator import clock
from aggregator.schema import Carrier
from tests.web.conftest import make_app
from tests.web.test_broker import _app, _carrier_copy, _login, _premium, _upload
from webapp import carrierdata
from webapp.extensions import db
from webapp.models import CarrierDataset

HUGE = 10**30


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    return _app(tmp_path)


@pytest.fixture
def broker(app: Flask) -> FlaskClient:
    client = app.test_client()
    assert _login(client).status_code == 302
    return client


def _rates(tmp_path: Path, premium: int | None = None, factor: float | None = None) -> bytes:
    data = json.loads((_carrier_copy(tmp_path) / "sompo_japan" / "rates.json").read_text(encoding="utf-8"))
    table = data["rateTables"][0]
    if premium is not None:
        table["baseRates"][1]["premiums"][0] = premium
    if factor is not None:
        for plan in table["planFactors"]:
            plan["factor"] = factor
    return json.dumps(data, ensure_ascii=False).encode()


def _restart(app: Flask, tmp_path: Path) -> Flask:
    return make_app(
        app.config["SQLALCHEMY_DATABASE_URI"], tmp_path, HUEY_DB=str(tmp_path / "queue.sqlite3"), CARRIER_DATA=str(_carrier_copy(tmp_path))
    )


def test_an_upload_with_an_amount_of_ten_to_the_thirty_is_refused_and_the_site_keeps_serving(
    app: Flask, broker: FlaskClient, tmp_path: Path
) -> None:
    before = _premium(app, "sompo_japan")
    page = _upload(broker, "sompo_japan", "rates.json", _rates(tmp_path, premium=HUGE))
    assert "不採用(エラー)" in page and "上限(1兆円)を超えています" in page
    assert "rateTables[0].baseRates[1].premiums[0]" in page  # where, in the carrier's file
    assert app.instance_path not in page and str(tmp_path) not in page
    with app.app_context():
        assert db.session.query(CarrierDataset).filter_by(status="active").count() == 0  # nothing half-activated
    assert _premium(app, "sompo_japan") == before
    assert broker.get("/").status_code == 200
    # a restart serves exactly as before
    assert _premium(_restart(app, tmp_path), "sompo_japan") == before


def test_a_stored_version_that_no_longer_validates_is_never_used_and_the_broker_is_told(
    app: Flask, broker: FlaskClient, tmp_path: Path
) -> None:
    base = _premium(app, "sompo_japan")
    assert "使用中" in _upload(broker, "sompo_japan", "rates.json", _rates(tmp_path, factor=2.0))
    dearer = _premium(app, "sompo_japan")
    assert dearer > base
    assert "使用中" in _upload(broker, "sompo_japan", "rates.json", _rates(tmp_path, factor=3.0))
    with app.app_context():
        good, bad = db.session.query(CarrierDataset).order_by(CarrierDataset.id).all()
        assert (good.status, bad.status) == ("superseded", "active")
        # the active version's files as an earlier release accepted them, without today's bound
        (Path(bad.folder) / "rates.json").write_bytes(_rates(tmp_path, premium=HUGE, factor=3.0))
        good_id, bad_id = good.id, bad.id
    restarted = _restart(app, tmp_path)  # on main this raised OverflowError and the site stayed down
    assert _premium(restarted, "sompo_japan") == dearer  # the last good version is used
    with restarted.app_context():
        assert db.session.get(CarrierDataset, good_id).status == "active"  # type: ignore[union-attr]
        revoked = db.session.get(CarrierDataset, bad_id)
        assert revoked is not None and revoked.status == "revoked" and "上限(1兆円)を超えています" in revoked.error
    client = restarted.test_client()
    assert _login(client).status_code == 302
    for page in ("/broker/", "/broker/carriers"):
        html = client.get(page).get_data(as_text=True)
        assert f"{bad_id}番の版は検証を通らないため使っていません" in html and f"{good_id}番の版で見積もっています" in html
    history = client.get("/broker/carriers").get_data(as_text=True)
    assert "使用をやめた版(検証エラー)" in history and restarted.instance_path not in history
    # a new good upload ends the notice
    assert "使用中" in _upload(client, "sompo_japan", "rates.json", _rates(tmp_path))
    assert "検証を通らないため" not in client.get("/broker/").get_data(as_text=True)


def test_without_any_good_version_left_the_base_data_is_used(app: Flask, broker: FlaskClient, tmp_path: Path) -> None:
    base = _premium(app, "sompo_japan")
    assert "使用中" in _upload(broker, "sompo_japan", "rates.json", _rates(tmp_path, factor=2.0))
    with app.app_context():
        active = carrierdata.active_folder(app, Carrier.SOMPO_JAPAN)
    (active / "rates.json").write_bytes(_rates(tmp_path, premium=HUGE))
    restarted = _restart(app, tmp_path)
    assert _premium(restarted, "sompo_japan") == base
    with restarted.app_context():
        assert carrierdata.notices() == [
            "損保ジャパン: rates.json をアップロードした1番の版は検証を通らないため使っていません。初期データで見積もっています。理由は「保険会社データ」の履歴にあります"
        ]


def test_uploads_cut_off_mid_check_are_marked_failed_at_start_and_their_staging_removed(tmp_path: Path) -> None:
    app = _app(tmp_path)
    staging = Path(app.instance_path) / "carrier_data" / "aig"
    dead, live = staging / f"dead-{tmp_path.name}", staging / f"live-{tmp_path.name}"
    for folder in (dead, live):
        folder.mkdir(parents=True)
        (folder / "aig_rates.csv").write_text("x", encoding="utf-8")
    with app.app_context():
        hour_ago = clock.now() - timedelta(hours=1)
        db.session.add_all(
            [
                CarrierDataset(
                    carrier="aig", status="checking", uploaded_by="tanaka", filename="aig_rates.csv", folder=str(dead), uploaded_at=hour_ago
                ),
                CarrierDataset(carrier="aig", status="checking", uploaded_by="suzuki", filename="aig_rates.csv", folder=str(live)),
            ]
        )
        db.session.commit()
    restarted = _restart(app, tmp_path)
    with restarted.app_context():
        old, current = db.session.query(CarrierDataset).order_by(CarrierDataset.id).all()
        assert old.status == "rejected" and "検証の途中で処理が止まりました" in old.error
        assert current.status == "checking"  # another process may still be checking this one
    assert not dead.exists() and live.exists()
    client = restarted.test_client()
    assert _login(client).status_code == 302
    page = client.get("/broker/carriers").get_data(as_text=True)
    assert "検証の途中で処理が止まりました" in page and "検証中" in page
    assert str(dead) not in page and restarted.instance_path not in page
    live.joinpath("aig_rates.csv").unlink()
    live.rmdir()


def test_a_poisoned_version_activated_elsewhere_never_makes_a_request_fail(
    app: Flask, broker: FlaskClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process (an older release) marked a version active that no longer validates: this one's next reload
    withdraws it and keeps quoting; on main one request in every five seconds answered 500."""
    before = _premium(app, "sompo_japan")
    folder = Path(app.instance_path) / "carrier_data" / "sompo_japan" / f"elsewhere-{tmp_path.name}"
    folder.mkdir(parents=True)
    for path in (_carrier_copy(tmp_path) / "sompo_japan").iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / "rates.json").write_bytes(_rates(tmp_path, premium=HUGE))
    with app.app_context():
        db.session.add(
            CarrierDataset(carrier="sompo_japan", status="active", uploaded_by="suzuki", filename="rates.json", folder=str(folder))
        )
        db.session.commit()
    monkeypatch.setattr(carrierdata, "REFRESH_EVERY", 0.0)
    for _ in range(3):
        assert broker.get("/").status_code == 200
        assert broker.get("/broker/").status_code == 200
    assert _premium(app, "sompo_japan") == before
    with app.app_context():
        assert db.session.query(CarrierDataset).filter_by(folder=str(folder)).one().status == "revoked"
    assert "検証を通らないため使っていません" in broker.get("/broker/").get_data(as_text=True)
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()
