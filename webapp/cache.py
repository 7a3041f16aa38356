"""Caches a server's threads share: a bounded least-recently-used cache (cachetools) behind a lock."""

from __future__ import annotations

import threading
from typing import Generic, TypeVar

from cachetools import LRUCache

K = TypeVar("K")
V = TypeVar("V")


class SharedCache(Generic[K, V]):
    """At most `maxsize` entries, the least recently used going first; safe to use from many threads at once.

    cachetools' caches are not thread-safe by themselves (a read reorders an LRU cache), so every
    access holds the lock. A caller computes a missing value outside it: two threads that miss the
    same key at once both compute it and store the same value, which is cheaper than making every
    other request wait on one computation.
    """

    def __init__(self, maxsize: int) -> None:
        self._entries: LRUCache[K, V] = LRUCache(maxsize=maxsize)
        self._lock = threading.Lock()

    @property
    def maxsize(self) -> int:
        return int(self._entries.maxsize)

    def get(self, key: K) -> V | None:
        with self._lock:
            return self._entries.get(key)

    def __setitem__(self, key: K, value: V) -> None:
        with self._lock:
            self._entries[key] = value

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._entries

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
