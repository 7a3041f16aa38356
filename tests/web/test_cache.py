"""The web app's caches stay bounded and survive many threads: pages, API bodies, comparisons and loaded carrier data."""

from __future__ import annotations

import threading

from flask import Flask
from flask.testing import FlaskClient

from tests.web.conftest import API_BODY
from webapp import carrierdata, storage
from webapp.cache import SharedCache


def test_the_least_recently_used_entry_goes_first() -> None:
    cache: SharedCache[str, int] = SharedCache(maxsize=2)
    cache["a"], cache["b"] = 1, 2
    assert cache.get("a") == 1  # read: "b" is now the least recently used
    cache["c"] = 3
    assert (cache.get("a"), cache.get("b"), cache.get("c"), len(cache)) == (1, None, 3, 2)


def test_many_threads_reading_and_writing_at_once_never_break_it() -> None:
    cache: SharedCache[int, int] = SharedCache(maxsize=16)
    failures: list[BaseException] = []

    def hammer(seed: int) -> None:
        try:
            for i in range(5_000):
                key = (i * 7 + seed) % 40
                if cache.get(key) is None:
                    cache[key] = key
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=hammer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(cache) <= 16


def test_the_app_keeps_at_most_so_many_comparisons_and_pages_and_still_serves_each(app: Flask, client: FlaskClient) -> None:
    assert app.extensions["comparisons"].maxsize == app.extensions["fragments"].maxsize == storage.CACHE_SIZE
    app.extensions["comparisons"] = SharedCache(maxsize=2)
    app.extensions["fragments"] = SharedCache(maxsize=2)
    tokens = [client.post("/api/v1/quotes", json={**API_BODY, "company": f"株式会社キャッシュ{n}"}).get_json()["id"] for n in range(4)]
    for _ in range(2):
        for n, token in enumerate(tokens):
            page = client.get(f"/quotes/{token}")
            assert page.status_code == 200 and f"株式会社キャッシュ{n}" in page.get_data(as_text=True)
            assert client.get(f"/api/v1/quotes/{token}").get_json()["id"] == token
    assert len(app.extensions["comparisons"]) <= 2 and len(app.extensions["fragments"]) <= 2


def test_loaded_carrier_data_is_bounded() -> None:
    assert 0 < carrierdata._LOADED.maxsize <= 100
